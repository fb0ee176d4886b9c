"""The synthetic Jinan sample (``sample_inputs/generate.py``): the committed files are exactly the seeded
generator's output, the ratios collected as their parts score as the ratios themselves, and the data behave like
real district data (a few latent factors, not one) as the audit sees them."""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sample_inputs import generate
from scoring.analysis.audit import audit
from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.io import read_data
from scoring.system import IndicatorSystem, load_system

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_inputs" / "jinan"
DERIVED = ("DI-01", "DI-06", "DI-07", "DI-28")


@cache
def jinan() -> IndicatorSystem:
    return load_system(generate.SYSTEM_FILE)


@cache
def sample() -> Dataset:
    return read_data([SAMPLE / "long_table.csv"], jinan())


@cache
def evaluation(year: int) -> Evaluation:
    return evaluate(jinan(), sample(), year)


def test_the_generator_is_deterministic_and_the_committed_files_are_its_output(tmp_path: Path) -> None:
    values = generate.synthetic_values(jinan())
    pd.testing.assert_frame_equal(values, generate.synthetic_values(jinan()))
    generate.write_forms(jinan(), values, tmp_path / "forms")
    generate.write_tables(values, tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file() and p.suffix in {".csv", ".xlsx"}
    )
    assert written == committed
    for path in written:
        assert (tmp_path / path).read_bytes() == (SAMPLE / path).read_bytes(), (
            f"{path} is not the generator's output: run .venv/bin/python -m sample_inputs.generate"
        )


def test_the_sample_is_labelled_synthetic() -> None:
    assert "SYNTHETIC" in (ROOT / "sample_inputs" / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in (generate.__doc__ or "")


def test_the_forms_long_and_wide_tables_hold_the_same_values() -> None:
    def table(paths: list[Path]) -> pd.DataFrame:
        values = read_data(paths, jinan()).values
        return values.sort_values(["unit_code", "indicator_code", "year"])[
            ["unit_code", "indicator_code", "year", "value", "status"]
        ].reset_index(drop=True)

    forms = table(sorted((SAMPLE / "forms").glob("*.xlsx")))
    pd.testing.assert_frame_equal(forms, table([SAMPLE / "long_table.csv"]))
    pd.testing.assert_frame_equal(forms, table([SAMPLE / "wide_table.xlsx"]))


def test_blanks_carry_the_districts_reason_and_not_applicable_is_where_the_system_allows_it() -> None:
    dataset = read_data(sorted((SAMPLE / "forms").glob("*.xlsx")), jinan())
    assert not dataset.has_errors
    values = dataset.values
    blank = values[values["status"] == "missing"]
    assert len(blank) == len(generate.BLANKS)
    assert (blank["remark"] != "").all()  # each blank explained in the 备注
    assert all(not jinan().nodes[code].required for code in blank["indicator_code"])
    marked = values[values["status"] == "not_applicable"]
    assert set(marked["indicator_code"]) == {
        "DI-04",
        "DI-18",
    }  # both required: false, with the system's remark
    # 智能算力占比 不适用 exactly where there is no computing capacity (DI-03 = 0)
    capacity = values[values["indicator_code"] == "DI-03"].set_index(["unit_code", "year"])["value"]
    share = marked[marked["indicator_code"] == "DI-04"].set_index(["unit_code", "year"]).index
    assert sorted(share) == sorted(capacity[capacity == 0].index)


def _direct_system(tmp_path: Path) -> IndicatorSystem:
    """The Jinan system with DI-01, DI-06, DI-07 and DI-28 collected as ratios (their formulas removed)."""
    text = generate.SYSTEM_FILE.read_text(encoding="utf-8")
    text, removed = re.subn(r"^ +formula: .*\n", "", text, flags=re.MULTILINE)
    assert removed == len(DERIVED)
    (tmp_path / "units").mkdir()
    shutil.copy(generate.SYSTEM_FILE.parent / "units" / "jinan.yaml", tmp_path / "units" / "jinan.yaml")
    path = tmp_path / "direct.yaml"
    path.write_text(text, encoding="utf-8")
    return load_system(path)


@pytest.mark.parametrize("year", generate.YEARS)
def test_ratios_collected_as_parts_score_as_the_ratios_typed_in(tmp_path: Path, year: int) -> None:
    """Done-when of issue 15: the district system collects its ratios as components and scores the districts
    as before, within the rounding of the sample. Before, a district typed each ratio (per 10 000 residents to
    2 decimals, shares to 1 decimal); the engine now computes it from the parts."""
    derived = evaluation(year)
    direct_system = _direct_system(tmp_path)
    digits = {"DI-01": 2, "DI-06": 2, "DI-07": 1, "DI-28": 2}
    typed = derived.raw[list(DERIVED)].stack().rename("value").reset_index()
    typed.columns = ["year", "unit_code", "indicator_code", "value"]
    typed["value"] = [
        round(v, digits[c]) for v, c in zip(typed["value"], typed["indicator_code"], strict=True)
    ]
    collected = sample().values[~sample().values["indicator_code"].isin(list(DERIVED))]
    direct = evaluate(
        direct_system, Dataset.from_long(pd.concat([collected, typed], ignore_index=True)), year
    )
    a = derived.scores.xs(year, level="year")["INDEX"]
    b = direct.scores.xs(year, level="year")["INDEX"]
    # the rounding moves a ratio by at most half its last digit, so a score by at most
    # Σ_j w_j · 100 · 0.5·10^−d_j / (U_j − L_j) over the derived indicators (global weights, goalposts)
    bound = sum(
        jinan().nodes[c].weight  # type: ignore[operator]
        * 100
        * 0.5
        * 10.0 ** -digits[c]
        / (jinan().nodes[c].goalposts[1] - jinan().nodes[c].goalposts[0])  # type: ignore[index]
        for c in DERIVED
    )
    assert bound < 0.02  # about the last digit (0.01) the scores are shown with
    assert (a - b).abs().max() <= bound
    assert list(a.rank(ascending=False, method="min")) == list(b.rank(ascending=False, method="min"))
    # the derived values are flagged as such and their parts are kept for the explanation
    flagged = derived.flags[derived.flags["flag"] == "derived"]
    assert set(flagged["node_code"]) == set(DERIVED)


def test_base_data_are_entered_once_per_unit_and_year_and_shared_by_the_ratios() -> None:
    codes = [node.code for node in jinan().components]
    assert codes == ["C-POP", "C-GDP", "C-5G", "C-VIDEO", "C-COREVA", "C-RD"]
    used = {
        c: [n.code for n in jinan().derived if f"{{{c}}}" in (n.formula or "")] for c in ("C-POP", "C-GDP")
    }
    assert used == {"C-POP": ["DI-01", "DI-06"], "C-GDP": ["DI-07", "DI-28"]}
    raw = evaluation(2024).raw.xs(2024, level="year")
    # by hand for 历下区: DI-07 = 核心产业增加值 / 地区生产总值 × 100
    parts = sample().values.set_index(["unit_code", "indicator_code", "year"])["value"]
    share = parts[("370102", "C-COREVA", 2024)] / parts[("370102", "C-GDP", 2024)] * 100
    assert raw.loc["370102", "DI-07"] == pytest.approx(share, rel=1e-15)


def test_the_audit_finds_realistic_correlations_and_the_districts_keep_a_plausible_order() -> None:
    for year in generate.YEARS:
        result = audit(evaluation(year))
        r = result.correlations.to_numpy()
        pairs = np.abs(r[np.triu_indices_from(r, 1)])
        pairs = pairs[~np.isnan(pairs)]
        # the old one-factor sample had 248 pairs above 0.92 in 2024; a few latent factors leave a few
        assert len(result.pairs) <= 3
        assert 0.3 < float(np.median(pairs)) < 0.65
        assert (pairs < 0.2).mean() > 0.1  # plenty of indicators nearly unrelated to each other
        scores = evaluation(year).scores.xs(year, level="year")["INDEX"].sort_values(ascending=False)
        assert set(scores.index[:2]) == {"370171", "370102"}  # 高新区 and 历下区 lead
        assert set(scores.index[-2:]) == {"370124", "370126"}  # the two counties trail
    # size indicators are skewed (log-normal): core-industry revenue spans well over an order of magnitude,
    # its mean above its median
    revenue = evaluation(2024).raw.xs(2024, level="year")["DI-08"]
    assert revenue.max() / revenue.min() > 30 and revenue.mean() > revenue.median()


def test_an_evaluations_own_matrix_scores_the_same_again() -> None:
    """The analyses (what-if, uncertainty, the report's robustness appendix, the service's pages) score an
    evaluation's ``raw`` matrix again; it holds the derived values, not their parts, and must give the same
    scores (it gave the derived indicators as missing: the uncertainty page and the what-if disagreed)."""
    from scoring.evaluate import evaluate_matrix

    first = evaluation(2024)
    again = evaluate_matrix(jinan(), first.raw, first.not_applicable, 2024)
    pd.testing.assert_frame_equal(again.scores, first.scores, check_exact=True)
    assert again.raw[list(DERIVED)].notna().all().all()
