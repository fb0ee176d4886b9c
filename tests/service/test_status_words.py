"""One source of truth for the words of a round (issue 17 item 3): for the Jinan sample of 2024, the CLI, the
JSON API, the dashboard and the report give every unit the same rank, tier and target statuses, worded from
one catalogue (scoring.pipeline.attainment.STATUS_TEXT).

Before, a target whose year had passed unmet was 未达目标 in the report and "—" on the profile page, and the
CLI counted only three of the statuses.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from scoring.analysis.report_data import attainment_detail, ranking_table, unit_target_counts
from scoring.cli import app
from scoring.evaluate import Evaluation, evaluate
from scoring.io import read_data
from scoring.pipeline.attainment import NOT_MET, STATUS_TEXT, STATUSES, status_text
from scoring.system import load_system
from tests.service.support import YEAR, Office, jinan_forms, running_office, settings_factory

ROOT = Path(__file__).resolve().parents[2]
FORMS = [str(path) for path in jinan_forms().values()]
UNITS = ["370102", "370124", "370171"]  # 历下区 (first ranks), 平阴县 (lower), 高新区 (the leader)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with (
        settings_factory("sqlite", tmp_path_factory.mktemp("status-words")) as make,
        running_office(make()) as office,
    ):
        office.publish_all_forms()
        yield office


@pytest.fixture(scope="module")
def report_side() -> Evaluation:
    """The evaluation the report is written from (scoring.report reads report_data over it)."""
    system = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    return evaluate(system, read_data(FORMS, system), YEAR)


def test_the_catalogue_words_every_status_in_both_languages() -> None:
    assert set(STATUS_TEXT) == set(STATUSES)
    assert status_text(NOT_MET, "zh") == "未达目标"
    assert status_text(NOT_MET, "en") == "target not met"
    assert all(zh and en and zh != en for zh, en in STATUS_TEXT.values())


def test_cli_api_dashboard_and_report_give_the_same_words(
    published: Office, report_side: Evaluation, tmp_path: Path
) -> None:
    # the report's words: ranks, tiers and the target statuses per unit
    ranking = ranking_table(report_side, YEAR)
    detail = attainment_detail(report_side, YEAR)
    report_status = {(r.unit_code, r.indicator_code): r.status for r in detail.itertuples()}
    report_counts = unit_target_counts(report_side, YEAR, UNITS)
    assert (detail["status"] == NOT_MET).any()  # the sample has targets whose year passed unmet

    # the CLI: score and monitor, both written to CSV
    runner = CliRunner(env={"COLUMNS": "250"})
    scores, monitor = tmp_path / "scores.csv", tmp_path / "monitor.csv"
    result = runner.invoke(app, ["score", "--year", str(YEAR), *FORMS, "--out", str(scores)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["monitor", "--year", str(YEAR), *FORMS, "--out", str(monitor)])
    assert result.exit_code == 0, result.output
    cli_scores = pd.read_csv(scores, dtype={"unit_code": str}, encoding="utf-8-sig")
    cli_scores = cli_scores[cli_scores["node_code"] == "INDEX"].set_index("unit_code")
    cli_monitor = pd.read_csv(monitor, dtype={"unit_code": str}, encoding="utf-8-sig")
    cli_status = {(r.unit_code, r.indicator_code): r.status for r in cli_monitor.itertuples()}
    assert cli_status == report_status
    counts = Counter(cli_monitor["status"])
    summary = "；".join(f"{status} {counts[status]} 项" for status in STATUSES if counts[status])
    assert summary in result.output  # every status counted, 未达目标 and 不适用 included

    client = published.client
    api_ranking = client.get(f"/rounds/{YEAR}/rankings?size=200").json()["items"]
    api_rank = {item["unit_code"]: item for item in api_ranking}
    for unit in UNITS:
        expected_rank, expected_tier = int(ranking.loc[unit, "rank"]), ranking.loc[unit, "tier"]
        assert int(cli_scores.loc[unit, "rank"]) == expected_rank
        assert cli_scores.loc[unit, "tier"] == expected_tier
        assert api_rank[unit]["rank"] == expected_rank
        assert api_rank[unit]["tier"] == expected_tier

        profile = client.get(f"/rounds/{YEAR}/units/{unit}/profile").json()
        api_status = {(unit, row["indicator_code"]): row["target_status"] for row in profile["attainment"]}
        assert api_status == {key: value for key, value in report_status.items() if key[0] == unit}
        assert Counter(api_status.values()) == {s: int(n) for s, n in report_counts.loc[unit].items() if n}

        # the dashboard's profile, in both languages: the catalogue's word in each attainment row
        for lang in ("zh", "en"):
            page = html.unescape(client.get(f"/districts/{unit}?year={YEAR}&lang={lang}").text)
            shown = Counter(
                status for status in api_status.values() if f">{status_text(status, lang)}</span>" in page
            )
            assert set(shown) == set(api_status.values()), (unit, lang)
            badges = sum(page.count(f">{status_text(s, lang)}</span>") for s in set(api_status.values()))
            assert badges == len(api_status), (unit, lang)  # one badge per row, none shows "—"
