"""The analyses beside the ranking over HTTP (issue 14): the same numbers as the report's chapters — one
computation (``scoring.analysis.regional``), three views. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from scoring.analysis.report_data import analyse
from scoring.evaluate import evaluate
from scoring.io import read_data
from scoring.system import load_system
from tests.service.support import FORMS_DIR, REPO, YEAR, Office


@pytest.fixture(scope="module")
def report_view() -> object:
    """What the report reads for the same forms: ``ReportData.regional``."""
    system = load_system(REPO / "indicators" / "jinan_district_digital.yaml")
    evaluation = evaluate(system, read_data(sorted(FORMS_DIR.glob("*.xlsx")), system), YEAR)
    return analyse(evaluation).regional


def test_coordination_is_the_reports(published: Office, report_view: object) -> None:
    response = published.client.get(f"/rounds/{YEAR}/analysis/coordination")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"].startswith("public")
    document = response.json()
    assert [s["code"] for s in document["subsystems"]] == ["B", "C", "D"]
    assert [s["weight"] for s in document["subsystems"]] == pytest.approx([1 / 3] * 3)
    expected = report_view.coordination.year(YEAR)  # type: ignore[attr-defined]
    assert [u["unit_code"] for u in document["units"]] == list(expected.index)
    assert [u["D"] for u in document["units"]] == pytest.approx(list(expected["D"]), abs=1e-12)
    assert [u["grade"] for u in document["units"]] == list(expected["grade"])
    assert sum(document["grade_counts"].values()) == len(document["units"])
    assert len(document["grades"]) == 10 and document["grades"][0]["grade"] == "极度失调"


def test_obstacles_and_disparity_are_the_reports(published: Office, report_view: object) -> None:
    client = published.client
    obstacles = client.get(f"/rounds/{YEAR}/analysis/obstacles").json()
    expected = report_view.obstacles  # type: ignore[attr-defined]
    first = obstacles["units"][0]
    assert sum(v for v in first["dimensions"].values() if v is not None) == pytest.approx(100)
    assert first["dimensions"] == pytest.approx(expected.dimensions.loc[first["unit_code"]].to_dict())
    assert [t["order"] for t in first["top"]] == [1, 2, 3, 4, 5]
    disparity = client.get(f"/rounds/{YEAR}/analysis/disparity").json()
    dagum = disparity["dagum"]
    assert dagum["within"] + dagum["between"] + dagum["transvariation"] == pytest.approx(dagum["gini"])
    assert dagum["gini"] == pytest.approx(report_view.disparity.dagum.gini)  # type: ignore[attr-defined]
    assert [y["year"] for y in disparity["years"]] == [2022, 2023, 2024]
    assert len(disparity["density"]["grid"]) == len(disparity["density"]["years"]["2024"]) == 101


def test_ranks_within_groups(published: Office) -> None:
    client = published.client
    document = client.get(f"/rounds/{YEAR}/analysis/groups").json()
    assert document["groups"] == ["中心城区", "外围区", "县", "功能区"]
    counties = [u for u in document["units"] if u["group"] == "县"]
    assert [u["group_rank"] for u in counties] == [1, 2] and counties[0]["score"] >= counties[1]["score"]
    on_node = client.get(f"/rounds/{YEAR}/analysis/groups", params={"node": "B"}).json()
    assert on_node["node"] == "B" and all(u["tier"] is None for u in on_node["units"])
    assert client.get(f"/rounds/{YEAR}/analysis/groups", params={"node": "NOPE"}).status_code == 404
    assert client.get(f"/rounds/{YEAR}/analysis/nonsense").status_code == 422


def test_an_unpublished_round_is_not_public(office: Office) -> None:
    office.open_round()
    response = office.client.get(f"/rounds/{YEAR}/analysis/coordination")
    assert response.status_code == 409
