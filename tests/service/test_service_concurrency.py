"""Concurrent uploads against a real uvicorn server on 127.0.0.1: 20 at once for 20 different units, then 20 at
once for the same unit. Every upload is stored exactly once; a unit's versions are 1, 2, … with no gap and no
repeat, in the order they were stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select

from service import Settings, create_app
from service.auth import Role
from service.context import ServiceContext
from service.tables import AuditRow, SubmissionRow
from tests.service.support import bearer, serving

N = 20
UNITS = [f"U{i:02d}" for i in range(1, N + 1)]


def small_system(path: Path) -> Path:
    """Twenty units, two indicators: enough to upload in parallel."""
    units = "\n".join(f"  - {{code: {u}, name: 单位{u}}}" for u in UNITS)
    path.write_text(
        textwrap.dedent(
            """\
            id: concurrency
            name: 并发测试
            version: "1"
            units:
            {units}
            tree:
              - code: A
                name: 维度A
                weight: 1
                children:
                  - {{code: X1, name: 指标1, weight: 1, valid: [0, null]}}
                  - {{code: X2, name: 指标2, weight: 1, valid: [0, null]}}
            """
        ).format(units=units),
        encoding="utf-8",
    )
    return path


def upload_all(base: str, uploads: list[tuple[str, bytes, dict[str, str]]]) -> list[httpx.Response]:
    """Send every upload at once: one thread each, released together by a barrier."""
    barrier = threading.Barrier(len(uploads))

    def send(item: tuple[str, bytes, dict[str, str]]) -> httpx.Response:
        unit, content, headers = item
        with httpx.Client(base_url=base, timeout=60) as client:
            barrier.wait(timeout=30)
            return client.post(
                f"/rounds/2024/units/{unit}/submissions",
                files={"file": (f"{unit}.csv", content)},
                headers=headers,
            )

    with ThreadPoolExecutor(max_workers=len(uploads)) as pool:
        return list(pool.map(send, uploads))


def table(unit: str, value: int) -> bytes:
    return f"unit_code,indicator_code,year,value\n{unit},X1,2024,{value}\n{unit},X2,2024,1\n".encode()


def test_concurrent_uploads_keep_every_version(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    app = create_app(make_settings(systems=[small_system(tmp_path / "system.yaml")]))
    context: ServiceContext = app.state.context
    admin = bearer(context, Role.ADMIN)
    districts = {unit: bearer(context, Role.DISTRICT, unit) for unit in UNITS}
    with serving(app) as base:
        with httpx.Client(base_url=base) as client:
            opened = client.post(
                "/rounds", json={"year": 2024, "system_id": "concurrency", "version": "1"}, headers=admin
            )
            assert opened.status_code == 201, opened.text

        # 20 units at once: each gets version 1
        different = upload_all(base, [(unit, table(unit, 1), districts[unit]) for unit in UNITS])
        assert [r.status_code for r in different] == [201] * N
        assert sorted((r.json()["unit_code"], r.json()["version"]) for r in different) == [
            (u, 1) for u in UNITS
        ]

        # 20 uploads of one unit at once, each with other content: versions 2…21, each exactly once
        same = upload_all(
            base, [("U01", table("U01", value), districts["U01"]) for value in range(100, 100 + N)]
        )
        assert [r.status_code for r in same] == [201] * N
        versions = sorted(r.json()["version"] for r in same)
        assert versions == list(range(2, N + 2))

    # in the database: each upload once, versions strictly increasing in the order the rows were stored,
    # each version holding the bytes its response named, and one audit entry per upload
    with context.db.read() as session:
        rows = session.execute(
            select(SubmissionRow.unit_code, SubmissionRow.version, SubmissionRow.sha256).order_by(
                SubmissionRow.id
            )
        ).all()
        audited = (
            session.execute(select(AuditRow.target).where(AuditRow.action == "submission.upload"))
            .scalars()
            .all()
        )
    assert len(rows) == 2 * N
    u01 = [version for unit, version, _ in rows if unit == "U01"]
    assert u01 == list(range(1, N + 2))
    stored = {(unit, version): digest for unit, version, digest in rows}
    assert all(
        stored[(r.json()["unit_code"], r.json()["version"])] == r.json()["sha256"] for r in different + same
    )
    assert len({digest for unit, _, digest in rows if unit == "U01"}) == N + 1
    assert sorted(audited) == sorted(
        f"round:2024@concurrency/unit:{unit}/v{version}" for unit, version, _ in rows
    )
    context.db.dispose()
