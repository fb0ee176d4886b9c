"""The contract of the method records (scoring/methods.py): every method of every stage has a label, a formula,
a registered function, a hand-computed example below and, for an aggregation, a batched form.

A new method fails here until it has all of them: add its record, register its function, and add a
hand-computed example to ``HAND_COMPUTED``.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from scoring.analysis.batch import BATCHED_FORMS, SUPPORTED_AGGREGATION
from scoring.explain import CONTRIBUTIONS
from scoring.methods import (
    AHP_MAX_CR,
    FORMULA_PARAMETERS,
    RECORDS,
    MethodRecord,
    Stage,
    fill_placeholders,
    find,
    method_names,
    placeholders,
)
from scoring.pipeline.aggregate import AGGREGATION, applied_weights
from scoring.pipeline.missing import MISSING, MissingContext
from scoring.pipeline.normalise import NORMALISATION, ColumnParams
from scoring.pipeline.rank import TIERS
from scoring.pipeline.transform import TRANSFORM
from scoring.pipeline.treat import TREATMENT
from scoring.pipeline.weights import WEIGHTING
from scoring.problems import PipelineError
from scoring.registry import Registry
from scoring.report.math import parse, segments
from scoring.system.models import Combine, Method, Node, QuantileTiers, Tier, Treatment

REGISTRIES: dict[Stage, Registry[typing.Any]] = {
    Stage.MISSING: MISSING,
    Stage.TRANSFORM: TRANSFORM,
    Stage.TREATMENT: TREATMENT,
    Stage.NORMALISATION: NORMALISATION,
    Stage.WEIGHTING: WEIGHTING,
    Stage.AGGREGATION: AGGREGATION,
    Stage.TIERS: TIERS,
}
nan = np.nan


# ------------------------------------------------------------------------------------ hand-computed examples


def _column(values: list[float]) -> np.ndarray:
    return np.array(values, dtype=float).reshape(-1, 1)


def _params(
    direction: float = 1, lower: float = nan, upper: float = nan, target: float = nan
) -> ColumnParams:
    return ColumnParams(*(np.array([v], dtype=float) for v in (direction, lower, upper, target)))


def _matrix(rows: list[list[float | None]]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples(
        [(2024, f"U{i + 1}") for i in range(len(rows))], names=["year", "unit_code"]
    )
    return pd.DataFrame(rows, index=index, columns=["X1"], dtype=float)


def _context(x: pd.DataFrame, groups: dict[str, str] | None = None) -> MissingContext:
    return MissingContext(groups or {}, pd.DataFrame(False, index=x.index, columns=x.columns))


def _parent(*weights: float, **options: typing.Any) -> Node:
    children = [Node(code=f"C{i}", name=f"C{i}", weight=w) for i, w in enumerate(weights)]
    return Node(code="P", name="P", children=children, **options)


def renormalise() -> None:
    # nothing imputed; the aggregation then rescales 0.2, 0.3, 0.5 over the present children: 0.2/0.7, 0, 0.5/0.7
    x = _matrix([[10.0], [None]])
    filled, mask = MISSING["renormalise"](x, _context(x))
    assert pd.isna(filled.iloc[1, 0]) and not mask.to_numpy().any()
    w = applied_weights(np.array([[40.0, nan, 60.0]]), np.array([0.2, 0.3, 0.5]))
    np.testing.assert_allclose(w, [[2 / 7, 0, 5 / 7]], atol=1e-12)


def group_mean() -> None:
    # U2's group "a" has 10 and 30 in 2024 → (10 + 30)/2 = 20; U4 (group "b", no value) stays missing
    x = _matrix([[10.0], [None], [30.0], [None]])
    filled, mask = MISSING["group_mean"](x, _context(x, {"U1": "a", "U2": "a", "U3": "a", "U4": "b"}))
    assert filled.iloc[1, 0] == 20.0 and pd.isna(filled.iloc[3, 0])
    assert mask["X1"].tolist() == [False, True, False, False]


def _panel(values: list[float | None]) -> pd.DataFrame:
    """One unit U1, one indicator X1, years 2020, 2021, …"""
    index = pd.MultiIndex.from_tuples(
        [(2020 + k, "U1") for k in range(len(values))], names=["year", "unit_code"]
    )
    return pd.DataFrame({"X1": values}, index=index, dtype=float)


def carry_forward() -> None:
    # 10 (2020), gap, gap, gap (2023): max_gap 2 → 2021 and 2022 take 10, 2023 (3 years on) stays missing
    x = _panel([10, None, None, None])
    filled, mask = MISSING["carry_forward"](x, _context(x))
    assert filled["X1"].tolist()[:3] == [10, 10, 10] and pd.isna(filled["X1"].iloc[3])
    assert mask["X1"].tolist() == [False, True, True, False]


def linear() -> None:
    # 10 (2020), gap, 40 (2022): 10 + 30·1/2 = 25; a trailing gap is not extrapolated
    x = _panel([10, None, 40, None])
    filled, mask = MISSING["linear"](x, _context(x))
    assert filled["X1"].tolist()[:3] == [10, 25, 40] and pd.isna(filled["X1"].iloc[3])
    assert mask["X1"].tolist() == [False, True, False, False]
    # a run of 3 missing years is longer than max_gap 2: left missing
    x = _panel([10, None, None, None, 50])
    assert MISSING["linear"](x, _context(x))[0]["X1"].isna().sum() == 3


def fail() -> None:
    x = _matrix([[10.0], [None]])
    with pytest.raises(PipelineError) as caught:
        MISSING["fail"](x, _context(x))
    params = caught.value.problems[0].params  # without names: codes, then the year
    assert params["cells"] == "U2 X1 2024 年" and params["cells_en"] == "U2 X1 (2024)"


def log_transform() -> None:
    # ln(1 + 0) = 0, ln(1 + 9) = ln 10 = 2.302585093
    np.testing.assert_allclose(TRANSFORM["log"](np.array([0.0, 9.0])), [0.0, 2.302585093], atol=1e-9)


def no_treatment() -> None:
    x = np.array([*range(1, 21), 100, 100], dtype=float)
    y, (outcome,) = TREATMENT["none"](x[:, np.newaxis], Treatment())
    y = y[:, 0]
    np.testing.assert_array_equal(y, x)
    assert outcome.action == "none"


def winsorise() -> None:
    # 1..20, 100, 100: skew 2.817 > 2, kurtosis 7.13 > 3.5 → fails; both 100s become 20 at once, then it passes
    x = np.array([*range(1, 21), 100, 100], dtype=float)
    y, (outcome,) = TREATMENT["winsorise"](x[:, np.newaxis], Treatment())
    y = y[:, 0]
    np.testing.assert_array_equal(y, [*range(1, 21), 20, 20])
    assert outcome.action == "winsorised" and outcome.skew_before == pytest.approx(2.817, abs=1e-3)


def minmax() -> None:
    # min 1, max 9: (5 − 1)/(9 − 1)·100 = 50; learned min 1, max 9
    y, learned = NORMALISATION["minmax"](_column([1, 5, 9]), _params(), Method())
    np.testing.assert_allclose(y[:, 0], [0, 50, 100], atol=1e-12)
    assert (learned["min"][0], learned["max"][0]) == (1, 9)


def zscore() -> None:
    # mean 2, sample sd 1: (1 − 2)/1 = −1, 0, 1; d = −1 flips the signs
    y, learned = NORMALISATION["zscore"](_column([1, 2, 3]), _params(), Method())
    np.testing.assert_allclose(y[:, 0], [-1, 0, 1], atol=1e-12)
    assert (learned["mean"][0], learned["sd"][0]) == (2, 1)
    y, learned = NORMALISATION["zscore"](_column([1, 2, 3]), _params(direction=-1), Method())
    np.testing.assert_allclose(y[:, 0], [1, 0, -1], atol=1e-12)
    assert learned["mean"][0] == 2


def goalpost() -> None:
    # L = 0, U = 200: 50/200·100 = 25; 300 is clipped to 100; nothing learned from the data
    y, learned = NORMALISATION["goalpost"](_column([50, 300]), _params(lower=0, upper=200), Method())
    np.testing.assert_allclose(y[:, 0], [25, 100], atol=1e-12)
    assert learned == {}


def target() -> None:
    # no goalposts: floor = observed min 20; target 80: (60 − 20)/(80 − 20)·100 = 66.667; 100 capped at 100
    y, learned = NORMALISATION["target"](_column([20, 60, 100]), _params(target=80), Method())
    np.testing.assert_allclose(y[:, 0], [0, 200 / 3, 100], atol=1e-12)
    assert learned["floor"][0] == 20 and bool(learned["floor_observed"][0])


def efficacy() -> None:
    # the same ratio 2/3 as in target: 60 + 40·2/3 = 86.667
    y, _ = NORMALISATION["efficacy"](_column([20, 60, 100]), _params(target=80), Method())
    np.testing.assert_allclose(y[:, 0], [60, 60 + 80 / 3, 100], atol=1e-12)


def rank() -> None:
    # ascending ranks 1, 3, 2 of n = 3: (r − 1)/(n − 1)·100 = 0, 100, 50
    y, learned = NORMALISATION["rank"](_column([10, 30, 20]), _params(), Method())
    np.testing.assert_allclose(y[:, 0], [0, 100, 50], atol=1e-12)
    assert learned["n"][0] == 3


def fixed() -> None:
    # weights 1 and 3 → 1/4, 3/4
    np.testing.assert_allclose(WEIGHTING["fixed"](_parent(1, 3), np.zeros((2, 2)), Method()), [0.25, 0.75])


def equal() -> None:
    np.testing.assert_allclose(
        WEIGHTING["equal"](_parent(1, 3, 5, 7), np.zeros((2, 4)), Method()), [0.25] * 4
    )


def entropy() -> None:
    # column A 1, 1, 2: p = ¼, ¼, ½, e = (½ ln 4 + ½ ln 2)/ln 3 = 0.946395; column B 1, 2, 3: p = ⅙, ⅓, ½,
    # e = (⅙ ln 6 + ⅓ ln 3 + ½ ln 2)/ln 3 = 0.920620; w = (1 − e)/Σ(1 − e) = 0.053605/0.132985 = 0.40309, 0.59691
    scores = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 3.0]])
    np.testing.assert_allclose(
        WEIGHTING["entropy"](_parent(1, 1), scores, Method()), [0.40309, 0.59691], atol=1e-5
    )


CRITIC_SCORES = np.array([[1.0, 2.0], [2.0, 6.0], [3.0, 4.0]])


def critic() -> None:
    # σ = 1 and 2; deviations (−1, 0, 1) and (−2, 2, 0): cov = 2/2 = 1, r = 1/(1·2) = ½;
    # C = 1·(1 − ½) = ½ and 2·(1 − ½) = 1 → w = ⅓, ⅔
    np.testing.assert_allclose(WEIGHTING["critic"](_parent(1, 1), CRITIC_SCORES, Method()), [1 / 3, 2 / 3])


def ahp() -> None:
    # A = 2·B = 4·C exactly: weights 4/7, 2/7, 1/7
    node = _parent(1, 1, 1, ahp=[[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    np.testing.assert_allclose(WEIGHTING["ahp"](node, np.zeros((2, 3)), Method()), [4 / 7, 2 / 7, 1 / 7])


def combined() -> None:
    # ½·(¼, ¾) fixed + ½·(⅓, ⅔) CRITIC = (7/24, 17/24)
    node = _parent(1, 3, combine=Combine(alpha=0.5, subjective="fixed", objective="critic"))
    np.testing.assert_allclose(WEIGHTING["combined"](node, CRITIC_SCORES, Method()), [7 / 24, 17 / 24])


def arithmetic() -> None:
    # ¼·40 + ¾·80 = 70
    value, _ = AGGREGATION["arithmetic"](np.array([[40.0, 80.0]]), np.array([0.25, 0.75]), "P")
    assert value[0] == pytest.approx(70.0, abs=1e-12)


def geometric() -> None:
    # 25^½ · 100^½ = 5·10 = 50
    value, _ = AGGREGATION["geometric"](np.array([[25.0, 100.0]]), np.array([0.5, 0.5]), "P")
    assert value[0] == pytest.approx(50.0, abs=1e-12)


def _composite(scores: list[float]) -> tuple[pd.Series, pd.Series]:
    index = pd.MultiIndex.from_tuples(
        [(2024, f"U{i + 1}") for i in range(len(scores))], names=["year", "unit_code"]
    )
    s = pd.Series(scores, index=index)
    return s, s.rank(ascending=False, method="min")


def thresholds() -> None:
    # A from 80, B from 60: 85 → A, 70 → B, 50 → none
    scores, ranks = _composite([85.0, 70.0, 50.0])
    tiers = TIERS["thresholds"](scores, ranks, [Tier(name="A", min=80), Tier(name="B", min=60)])
    assert tiers.tolist()[:2] == ["A", "B"] and pd.isna(tiers.iloc[2])


def quantile() -> None:
    # k = 3, n = 6: ⌊(r − 1)·3/6⌋ = 0, 0, 1, 1, 2, 2
    scores, ranks = _composite([60.0, 50.0, 40.0, 30.0, 20.0, 10.0])
    tiers = TIERS["quantile"](scores, ranks, QuantileTiers(quantile=["上", "中", "下"]))
    assert tiers.tolist() == ["上", "上", "中", "中", "下", "下"]


HAND_COMPUTED: dict[tuple[Stage, str], Callable[[], None]] = {
    (Stage.MISSING, "renormalise"): renormalise,
    (Stage.MISSING, "group_mean"): group_mean,
    (Stage.MISSING, "carry_forward"): carry_forward,
    (Stage.MISSING, "linear"): linear,
    (Stage.MISSING, "fail"): fail,
    (Stage.TRANSFORM, "log"): log_transform,
    (Stage.TREATMENT, "none"): no_treatment,
    (Stage.TREATMENT, "winsorise"): winsorise,
    (Stage.NORMALISATION, "minmax"): minmax,
    (Stage.NORMALISATION, "zscore"): zscore,
    (Stage.NORMALISATION, "goalpost"): goalpost,
    (Stage.NORMALISATION, "target"): target,
    (Stage.NORMALISATION, "efficacy"): efficacy,
    (Stage.NORMALISATION, "rank"): rank,
    (Stage.WEIGHTING, "fixed"): fixed,
    (Stage.WEIGHTING, "equal"): equal,
    (Stage.WEIGHTING, "entropy"): entropy,
    (Stage.WEIGHTING, "critic"): critic,
    (Stage.WEIGHTING, "ahp"): ahp,
    (Stage.WEIGHTING, "combined"): combined,
    (Stage.AGGREGATION, "arithmetic"): arithmetic,
    (Stage.AGGREGATION, "geometric"): geometric,
    (Stage.TIERS, "thresholds"): thresholds,
    (Stage.TIERS, "quantile"): quantile,
}


# ------------------------------------------------------------------------------------------------ the contract

IDS = [f"{r.stage}:{r.name}" for r in RECORDS]


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_record_has_labels_and_a_formula(record: MethodRecord) -> None:
    assert record.label_zh.strip() and record.label_en.strip()
    assert record.formula.strip() and record.formula_note.strip()
    filled = record.formula_text(**{name: "1" for name in FORMULA_PARAMETERS})
    assert not placeholders(filled)
    # the formula and the inline symbols of its note are in the report's LaTeX subset (Word equations, MathML)
    parse(filled)
    for is_formula, piece in segments(
        fill_placeholders(record.formula_note, dict.fromkeys(FORMULA_PARAMETERS, "1"))
    ):
        if is_formula:
            parse(piece)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_record_has_a_registered_function_under_each_of_its_names(record: MethodRecord) -> None:
    registry = REGISTRIES[record.stage]
    functions = {registry[name] for name in record.names}
    assert len(functions) == 1


@pytest.mark.parametrize("stage", list(Stage))
def test_every_registered_name_is_a_record_name(stage: Stage) -> None:
    recorded = sorted(name for r in RECORDS if r.stage == stage for name in r.names)
    assert list(REGISTRIES[stage]) == recorded


def test_a_function_cannot_be_registered_without_a_record() -> None:
    with pytest.raises(ValueError, match="no record"):
        NORMALISATION.register("magic")
    with pytest.raises(ValueError, match="no record"):
        NORMALISATION.register("goalposts")  # an alias: functions are registered by the record's name


def test_every_record_has_a_hand_computed_example() -> None:
    assert set(HAND_COMPUTED) == {(r.stage, r.name) for r in RECORDS}


@pytest.mark.parametrize("key", list(HAND_COMPUTED), ids=[f"{s}:{n}" for s, n in HAND_COMPUTED])
def test_hand_computed_example(key: tuple[Stage, str]) -> None:
    HAND_COMPUTED[key]()


@pytest.mark.parametrize("record", [r for r in RECORDS if r.stage is Stage.AGGREGATION], ids=lambda r: r.name)
def test_every_aggregation_has_a_batched_form_and_a_decomposition(record: MethodRecord) -> None:
    assert record.batched in BATCHED_FORMS
    assert set(record.names) <= set(SUPPORTED_AGGREGATION)
    assert record.name in CONTRIBUTIONS


@pytest.mark.parametrize(
    "record", [r for r in RECORDS if r.stage is Stage.NORMALISATION], ids=lambda r: r.name
)
def test_every_normalisation_says_whether_it_is_bounded(record: MethodRecord) -> None:
    assert record.bounded is not None


def test_the_combination_parts_are_the_records_that_say_so() -> None:
    hints = typing.get_type_hints(Combine)
    for part in ("subjective", "objective"):
        allowed = set(typing.get_args(hints[part]))
        assert allowed == method_names(Stage.WEIGHTING, combination_part=part)


def test_ahp_constants_sit_with_the_ahp_record() -> None:
    record = find(Stage.WEIGHTING, "ahp")
    assert record is not None and f"< {AHP_MAX_CR:g}" in record.formula
    assert math.isclose(AHP_MAX_CR, 0.1)


def test_flags_that_replaced_the_old_tables() -> None:
    # the treated normalisations were normalise.DATA_DRIVEN; the data-driven weightings weights.DATA_DRIVEN
    assert method_names(Stage.NORMALISATION, treated=True) == {"minmax", "zscore", "rank", "percentile"}
    assert method_names(Stage.WEIGHTING, learns_from_data=True) == {"entropy", "critic", "combined"}
    assert method_names(Stage.NORMALISATION, learns_from_data=False) == {"goalpost", "goalposts"}


def test_the_uncertainty_design_varies_only_recorded_methods() -> None:
    from scoring.analysis.design import DEFAULT_UNCERTAINTY as design

    for stage, chosen in (
        (Stage.NORMALISATION, design.normalisations),
        (Stage.AGGREGATION, design.aggregations),
        (Stage.MISSING, design.missing),
    ):
        assert all(find(stage, name) is not None for name in chosen), (stage, chosen)
