"""Storage: migrations, system versions frozen once used, append-only submissions. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from scoring.system import IndicatorSystem, load_system, parse_system
from service import Settings, create_app
from service.auth import CLI
from service.db import MIGRATIONS_DIR
from service.errors import ServiceError
from service.settings import DEFAULT_SYSTEMS
from service.systems import register_system
from service.tables import AuditRow, SubmissionRow, SystemRow
from tests.service.support import YEAR, Office, running_office

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def head_revision() -> str:
    """The one head of the migration chain (``get_current_head`` raises when the chain has two)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None and len(ScriptDirectory.from_config(config).get_heads()) == 1
    return head


def test_the_app_factory_migrates_once_and_starts_again_on_the_same_database(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    first = create_app(settings)
    again = create_app(
        settings
    )  # a second worker, or a restart: nothing to migrate, nothing registered twice
    with again.state.context.db.read() as session:
        assert session.execute(select(func.count()).select_from(SystemRow)).scalar_one() == 1
        # the newest migration (a chain of one head: 0001, 0002, …)
        assert (
            session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        )
    assert again.state.context.db.schema_is_current()
    for app in (first, again):
        app.state.context.db.dispose()


def test_sqlite_runs_in_wal_mode(office: Office, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite only")
    with office.context.db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_a_system_version_is_frozen_once_a_round_uses_it(office: Office) -> None:
    system = load_system(DEFAULT_SYSTEMS[0])
    changed = system.model_copy(update={"name": "改过的名称", "content_hash": "0" * 64})
    db = office.context.db
    # the same content again writes nothing
    with db.write() as session:
        assert register_system(session, system, CLI, NOW)[1] is False
    # other content under an unused version replaces it ...
    with db.write() as session:
        assert register_system(session, changed, CLI, NOW)[1] is True
    with db.write() as session:
        register_system(session, system, CLI, NOW)
    # ... but not once a round uses it
    office.open_round()
    with pytest.raises(ServiceError) as refused, db.write() as session:
        register_system(session, changed, CLI, NOW)
    assert refused.value.status == 409 and refused.value.slug == "system-version-frozen"
    detail = office.client.get(f"/systems/{system.id}/{system.version}").json()
    assert detail["content_hash"] == system.content_hash and detail["frozen"] is True


def test_english_texts_of_a_used_system_version_can_still_be_updated(office: Office) -> None:
    """The English texts are outside the content hash (scoring.system.load.TRANSLATIONS): registering the same
    content with new ones updates the stored definition, even once a round uses the version, and the catalogue
    reads it anew; nothing else changes."""
    system = load_system(DEFAULT_SYSTEMS[0])
    di02 = system.nodes["DI-02"]
    assert di02.definition_en  # the shipped text
    tree = [
        dimension.model_copy(
            update={
                "children": [
                    c.model_copy(update={"definition_en": "Gigabit subscribers ÷ all subscribers × 100."})
                    if c.code == "DI-02"
                    else c
                    for c in dimension.children or []
                ]
            }
        )
        for dimension in system.tree
    ]
    retold = system.model_copy(update={"tree": tree})
    shown = _registered_in_a_used_round(office, system, retold)
    assert shown.nodes["DI-02"].definition_en == "Gigabit subscribers ÷ all subscribers × 100."
    with office.context.db.read() as session:
        actions = session.execute(select(AuditRow.action)).scalars().all()
    assert "system.texts" in actions
    with office.context.db.write() as session:  # the same again writes nothing
        assert register_system(session, retold, CLI, datetime(2025, 4, 1, tzinfo=UTC))[1] is False


def _registered_in_a_used_round(
    office: Office, system: IndicatorSystem, retold: IndicatorSystem
) -> IndicatorSystem:
    """``retold`` (``system`` with other English texts: the same content hash) registered once a round uses
    ``system``'s version; the system the catalogue then reads from the stored copy."""
    assert retold.content_hash == system.content_hash
    office.open_round()
    db = office.context.db
    with db.write() as session:
        row, written = register_system(session, retold, CLI, datetime(2025, 4, 1, tzinfo=UTC))
        assert written and row.content_hash == system.content_hash
    with db.read() as session:
        row = session.execute(select(SystemRow).where(SystemRow.system_id == system.id)).scalar_one()
        return office.context.catalog.system(row)


def test_new_english_names_of_a_used_system_version_update_the_stored_copy(office: Office) -> None:
    """The system's, the composite's and the tiers' English names and the English description are translations
    too: the file re-read with new ones has the same content hash, and registering it updates the stored copy of
    a version a round uses."""
    path = DEFAULT_SYSTEMS[0]
    system = load_system(path)
    text = path.read_text(encoding="utf-8")
    for old, new in (
        (f"name_en: {system.name_en}\n", "name_en: Digital Development of Jinan's Districts\n"),
        ("description_en: >-\n", "description_en: >-\n  Retold.\n"),
        ("  name_en: Composite index\n", "  name_en: Digital development index\n"),
        ("name_en: Catching up,", "name_en: Catching-up,"),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    retold = parse_system(text, path.parent)
    assert retold.name_en != system.name_en
    shown = _registered_in_a_used_round(office, system, retold)
    assert shown.name_en == "Digital Development of Jinan's Districts"
    assert shown.description_en and shown.description_en.startswith("Retold. ")
    assert shown.composite.name_en == "Digital development index"
    assert isinstance(shown.tiers, list) and shown.tiers[2].name_en == "Catching-up"


def test_rows_are_only_ever_added(office: Office) -> None:
    office.open_round()
    office.upload_form("370102")
    office.review("370102", 1, "return", "请核实")
    office.upload_form("370102")
    office.review("370102", 2, "accept")
    with office.context.db.read() as session:
        rows = session.execute(select(SubmissionRow.version, SubmissionRow.outcome)).all()
        audited = session.execute(select(AuditRow.action).order_by(AuditRow.id)).scalars().all()
    assert sorted(rows) == [(1, "valid"), (2, "valid")]
    assert audited[-4:] == [
        "submission.upload",
        "submission.return",
        "submission.upload",
        "submission.accept",
    ]
    history = office.client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=office.admin).json()
    assert [(v["version"], v["status"]) for v in history] == [(1, "returned"), (2, "accepted")]


def test_a_second_round_for_a_year_is_refused(office: Office) -> None:
    office.open_round()
    again = office.client.post(
        "/rounds",
        json={"year": YEAR, "system_id": "jinan-district-digital", "version": "2025.1"},
        headers=office.admin,
    )
    assert again.status_code == 409 and again.json()["type"] == "urn:digiscore:problem:round-exists"
    unknown = office.client.post(
        "/rounds", json={"year": YEAR + 1, "system_id": "nope", "version": "1"}, headers=office.admin
    )
    assert unknown.status_code == 404


def test_registering_a_system_over_http(make_settings: Callable[..., Settings]) -> None:
    yaml_text = (
        (DEFAULT_SYSTEMS[0]).read_text(encoding="utf-8").replace('version: "2025.1"', 'version: "2026.1"')
    )
    with running_office(make_settings()) as office:
        created = office.client.post(
            "/systems", files={"file": ("system.yaml", yaml_text.encode())}, headers=office.admin
        )
        assert created.status_code == 201 and created.json()["version"] == "2026.1"
        outside = yaml_text.replace("units: units/jinan.yaml", "units: ../../etc/passwd")
        refused = office.client.post(
            "/systems", files={"file": ("s.yaml", outside.encode())}, headers=office.admin
        )
        assert refused.status_code == 422
        broken = office.client.post("/systems", files={"file": ("s.yaml", b"id: [")}, headers=office.admin)
        assert broken.status_code == 422 and broken.json()["problems"][0]["code"] == "system.yaml"
