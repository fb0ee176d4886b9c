"""Statistical audit (docs/analysis.md §4): Cronbach's alpha and PC1 share by hand, and each flag on a system
built to raise it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scoring.analysis.audit import audit, cronbach_alpha, first_component_share
from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.system import IndicatorSystem

NA = "不适用"  # make_dataset's marker for a cell the unit marked not applicable


def test_cronbach_alpha_by_hand() -> None:
    # columns a = (1, 2, 3), b = (2, 3, 5); sample variances: var(a) = 1, var(b) = 7/3;
    # row sums (3, 5, 8): var = 19/3.  α = k/(k − 1)·(1 − Σ var_j / var_total) = 2·(1 − (10/3)/(19/3)) = 18/19
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 5]])) == pytest.approx(18 / 19, abs=1e-12)
    # a row with a missing value is left out (listwise): the same three complete rows give the same α
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [np.nan, 9], [3, 5]])) == pytest.approx(
        18 / 19, abs=1e-12
    )
    assert np.isnan(cronbach_alpha(np.array([[1.0], [2.0]])))  # one column: undefined


def test_first_component_share_by_hand() -> None:
    # perfectly correlated columns: correlation matrix [[1, 1], [1, 1]], eigenvalues 2 and 0 → 2/2 = 1
    assert first_component_share(np.array([[1, 2], [2, 4], [3, 6]])) == pytest.approx(1.0)
    # uncorrelated columns (r = 0): eigenvalues 1 and 1 → 1/2
    x = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]])
    assert first_component_share(x) == pytest.approx(0.5)


# Eight units. a1 rises 1…8; a2 is a1 with neighbours swapped (r = 38/42 = 0.905: not redundant); a3 is a1
# reversed (r = −1 with a1, and it pulls against A); b2 copies a1 (r = 1, across dimensions); b1 has one outlier.
AUDITED = """
method: {normalise: minmax}
tree:
  - code: A
    name: 维度A
    weight: 1
    children:
      - {code: a1, name: 指标a1, weight: 1}
      - {code: a2, name: 指标a2, weight: 1}
      - {code: a3, name: 指标a3, weight: 1}
  - code: B
    name: 维度B
    weight: 1
    children:
      - {code: b1, name: 指标b1, weight: 1}
      - {code: b2, name: 指标b2, weight: 1}
"""
UNITS = [f"U{i}" for i in range(1, 9)]


@pytest.fixture
def audited(make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]) -> Evaluation:
    a1 = [1, 2, 3, 4, 5, 6, 7, 8]
    a2 = [2, 1, 4, 3, 6, 5, 8, 7]
    b1 = [1, 1, 1, 1, 1, 1, 1, 50]
    values: dict[str, dict[str, float | str | None]] = {
        u: {"a1": a1[i], "a2": a2[i], "a3": 9 - a1[i], "b1": b1[i], "b2": a1[i]} for i, u in enumerate(UNITS)
    }
    return evaluate(make_system(AUDITED, units=UNITS), make_dataset({2024: values}), 2024)


def test_flags_an_indicator_against_its_dimension_and_redundant_pairs(audited: Evaluation) -> None:
    result = audit(audited)
    flags = result.indicators.set_index("indicator_code")
    assert list(flags.index[flags["negative_with_parent"]]) == ["a3"]
    assert flags.at["a3", "r_parent"] < 0 < flags.at["a1", "r_parent"]
    pairs = {(p.indicator_a, p.indicator_b): p for p in result.pairs.itertuples()}
    assert set(pairs) == {("a1", "a3"), ("a1", "b2"), ("a3", "b2")}  # a1–a2 (0.905) stays below 0.92
    assert pairs[("a1", "b2")].r == pytest.approx(1.0) and not pairs[("a1", "b2")].same_parent
    assert pairs[("a1", "a3")].r == pytest.approx(-1.0) and pairs[("a1", "a3")].same_parent
    assert result.correlations.at["a1", "a2"] == pytest.approx(38 / 42)
    assert flags.at["a1", "high_pairs"] == 2


def test_flags_skew_and_kurtosis(audited: Evaluation) -> None:
    # one outlier among n = 8 equal values: type-2 skew = √n = 2.83 > 2, type-2 excess kurtosis = n = 8 > 3.5
    flags = audit(audited).indicators.set_index("indicator_code")
    assert flags.at["b1", "skew"] == pytest.approx(np.sqrt(8))
    assert flags.at["b1", "kurtosis"] == pytest.approx(8.0)
    assert list(flags.index[flags["skew_kurtosis"]]) == ["b1"]


def test_dimension_statistics_match_the_helpers(audited: Evaluation) -> None:
    dims = audit(audited).dimensions.set_index("node_code")
    block = audited.normalised[["a1", "a2", "a3"]].to_numpy()
    assert dims.at["A", "cronbach_alpha"] == pytest.approx(cronbach_alpha(block))
    assert dims.at["A", "first_component_share"] == pytest.approx(first_component_share(block))
    assert dims.at["A", "children"] == 3 and dims.at["INDEX", "children"] == 2


def test_coverage_counts_missing_and_not_applicable(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    values: dict[str, dict[str, float | str | None]] = {
        u: {"a1": i, "a2": i, "a3": i, "b1": i, "b2": i} for i, u in enumerate(UNITS, start=1)
    }
    values["U1"]["a2"] = None  # missing
    values["U2"]["b2"] = NA  # not applicable
    result = audit(evaluate(make_system(AUDITED, units=UNITS), make_dataset({2024: values}), 2024))
    units = result.units.set_index("unit_code")
    # U1: 4 values of 5, no 不适用, 1 missing → coverage 4/5 = 0.8 < 0.9; U2: 4 values + 1 不适用 → coverage 1
    assert (units.at["U1", "values"], units.at["U1", "missing"], units.at["U1", "coverage"]) == (4, 1, 0.8)
    assert (units.at["U2", "not_applicable"], units.at["U2", "coverage"]) == (1, 1.0)
    assert list(units.index[units["low_coverage"]]) == ["U1"]
    indicators = result.indicators.set_index("indicator_code")
    assert indicators.at["a2", "coverage"] == 7 / 8 and indicators.at["b2", "not_applicable"] == 1


def test_text_names_the_flags_and_is_deterministic(audited: Evaluation) -> None:
    text = audit(audited).text
    assert text == audit(audited).text
    assert "a3 指标a3" in text and "负相关" in text
    assert "3 对指标高度相关" in text
    assert "b1 指标b1（偏度 2.83，峰度 8.00）" in text
    assert "评价单元较少（n = 8）" in text


def test_sample_audit_flags_agricultural_informatisation(jinan_2024: Evaluation) -> None:
    # In the synthetic Jinan sample rural counties lead on DI-18 (农业生产信息化率) and trail on the rest of C;
    # cybersecurity incidents (DI-31, reverse) are more frequent where there is more digital activity, so its
    # score pulls against the rest of E (发展环境) as well.
    result = audit(jinan_2024)
    flagged = result.indicators[result.indicators["negative_with_parent"]]
    assert list(flagged["indicator_code"]) == ["DI-18", "DI-31"]
    assert len(result.dimensions) == 6  # the composite and five dimensions
