"""A unit's values against references from elsewhere (``scoring.io.references``), with hand-computed numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.io.references import likely_mixup, reference_problems
from scoring.system import IndicatorSystem, load_system
from service.settings import DEFAULT_SYSTEMS

JINAN = load_system(DEFAULT_SYSTEMS[0])
YEAR = 2024


def _values(*rows: tuple[str, float, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(code, YEAR, value, "value", f"f.xlsx!数据填报!{cell}") for code, value, cell in rows],
        columns=["indicator_code", "year", "value", "status", "location"],
    )


def _last(*rows: tuple[str, int, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_code", "year", "value"])


def _others(*rows: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_code", "value"])


def _with_yoy(share: float | None) -> IndicatorSystem:
    return JINAN.model_copy(update={"method": JINAN.method.model_copy(update={"yoy_warning": share})})


def test_likely_mixups() -> None:
    # 1 150 000 / 310.6 = 3702.5: nearest power of ten 10^4; 亿元 / 10^4 = 万元
    assert likely_mixup("亿元", 1_150_000 / 310.6) == ("“万元”与“亿元”", "万元 vs 亿元")
    assert likely_mixup("万元", 1e4) == ("“元”与“万元”", "元 vs 万元")
    assert likely_mixup("万元", 1e-4) == ("“亿元”与“万元”", "亿元 vs 万元")
    # districts differ in size: 57 691 times the median (10^4.76) is still nearest to 10^4
    assert likely_mixup("亿元", 57_691)[1] == "万元 vs 亿元"
    assert likely_mixup("亿元", 15.3)[1] == "the order of magnitude (about 10x)"
    assert likely_mixup("%", 0.342 / 34.2)[1] == "a fraction (0.342) vs a percentage (34.2)"
    assert likely_mixup("PFLOPS", 10.2) == ("数量级（约 10 倍）", "the order of magnitude (about 10x)")


def test_wan_yuan_against_the_median_of_the_accepted_units() -> None:
    values = _values(("DI-08", 1_150_000, "H12"))
    others = _others(("DI-08", 290.0), ("DI-08", 310.6), ("DI-08", 350.0))  # median 310.6
    [problem] = reference_problems(JINAN, "370102", YEAR, values, _last(), others)
    assert problem.code == "cell.magnitude_vs_median" and problem.severity.value == "warning"
    assert (problem.unit, problem.indicator, problem.year) == ("370102", "DI-08", YEAR)
    assert str(problem.location) == "f.xlsx!数据填报!H12" and problem.location.cell == "H12"
    # 1 150 000 / 310.6 = 3702.51, shown rounded
    assert problem.message_zh == (
        "数值 1150000（单位：亿元）与已接受区县的中位数 310.6 相差约 3703 倍，疑似单位混用：“万元”与“亿元”；"
        "请核对单位后重新填报"
    )
    assert "likely unit mix-up: 万元 vs 亿元" in problem.message_en


def test_a_fraction_for_a_percentage_against_the_median() -> None:
    values = _values(("DI-02", 0.342, "H6"))
    others = _others(("DI-02", 34.0), ("DI-02", 35.5), ("DI-02", 40.0))  # median 35.5; 35.5 / 0.342 = 103.8
    [problem] = reference_problems(JINAN, "370102", YEAR, values, _last(), others)
    assert problem.params["factor"] == "104" and problem.params["mixup_en"].startswith("a fraction")


def test_no_median_from_too_few_or_from_signed_values() -> None:
    values = _values(("DI-08", 1_150_000, "H12"), ("DI-09", 5000.0, "H13"))
    others = _others(
        ("DI-08", 300.0),
        ("DI-08", 310.0),  # two: too few
        ("DI-09", -5.0),
        ("DI-09", 10.0),
        ("DI-09", 12.0),
        ("DI-09", 15.0),  # a growth rate below zero
    )
    assert reference_problems(JINAN, "370102", YEAR, values, _last(), others) == []


def test_ten_times_the_units_own_last_value() -> None:
    values = _values(("DI-03", 52.0, "H7"), ("DI-10", 160.0, "H14"))
    last = _last(("DI-03", 2022, 4.0), ("DI-03", 2023, 5.1), ("DI-10", 2023, 100.0))
    [problem] = reference_problems(JINAN, "370102", YEAR, values, last, _others())
    # against 2023 (the latest): 52 / 5.1 = 10.2 ≥ 9; DI-10 160 / 100 = 1.6: no warning without a threshold
    assert problem.code == "cell.magnitude_vs_last" and problem.indicator == "DI-03"
    assert problem.params["last"] == "5.1" and problem.params["last_year"] == 2023
    assert problem.params["factor"] == "10"


def test_a_value_next_to_zero_is_more_than_a_million_times_off_never_infinitely() -> None:
    # 5e-324 (a denormal number) against the median 310.6 and against last year's 5.1: the ratios overflow to
    # inf; the messages say "more than a million times" and name no factor, no mix-up of 10^324
    values = _values(("DI-08", 5e-324, "H12"), ("DI-03", 5e-324, "H7"))
    others = _others(("DI-08", 290.0), ("DI-08", 310.6), ("DI-08", 350.0))
    last = _last(("DI-03", 2023, 5.1))
    problems = reference_problems(JINAN, "370102", YEAR, values, last, others)
    assert [(p.code, p.indicator) for p in problems] == [
        ("cell.magnitude_vs_median", "DI-08"),
        ("cell.magnitude_vs_last", "DI-03"),
    ]
    for problem in problems:
        assert "factor" not in problem.params
        assert "相差一百万倍以上" in problem.message_zh and "more than a million times" in problem.message_en
        for text in (problem.message_zh, problem.message_en):
            assert "∞" not in text and "inf" not in text and "…" not in text
    assert problems[1].params["mixup_zh"] == "数量级（相差一百万倍以上）"
    assert likely_mixup("PFLOPS", 0.0, -325.4) == (
        "数量级（相差一百万倍以上）",
        "the order of magnitude (more than a million times)",
    )


@pytest.mark.parametrize(("share", "expected"), [(None, []), (0.5, ["DI-10"]), (0.7, [])])
def test_year_over_year_change_beyond_the_systems_threshold(share: float | None, expected: list[str]) -> None:
    values = _values(("DI-10", 160.0, "H14"), ("DI-11", 12.0, "H15"))
    last = _last(("DI-10", 2023, 100.0), ("DI-11", 2023, 10.0))  # +60 % and +20 %
    problems = reference_problems(_with_yoy(share), "370102", YEAR, values, last, _others())
    assert [p.indicator for p in problems] == expected
    if expected:
        assert problems[0].code == "cell.yoy_change"
        assert problems[0].message_zh.startswith(
            "数值 160 比本区县 2023 年已接受的 100 变化 +60.0%，超过指标体系设定的 ±50%"
        )


def test_the_yoy_threshold_is_validated() -> None:
    from pydantic import ValidationError

    from scoring.system.models import Method

    with pytest.raises(ValidationError):
        Method(yoy_warning=0)
    assert Method(yoy_warning=0.5).yoy_warning == 0.5
    assert Method().yoy_warning is None


def test_without_an_accepted_last_value_the_forms_own_earlier_year_stands_in() -> None:
    values = pd.concat(
        [
            _values(("DI-08", 26_804_300, "I16")),  # 2024 in 万元
            _values(("DI-08", 1748.5, "H16")).assign(year=2023),  # 2023 in 亿元, as filled in the same form
        ]
    )
    [problem] = reference_problems(JINAN, "370102", YEAR, values, _last(), _others())
    # 26 804 300 / 1 748.5 = 15 329.9: 10^4.19, nearest 10^4
    assert problem.code == "cell.magnitude_vs_last" and problem.location.cell == "I16"
    assert problem.message_zh.startswith(
        "数值 26804300（单位：亿元）与本区县 2023 年本表填报的 1748.5 相差约 15330 倍，疑似单位混用：“万元”与“亿元”"
    )
    # an accepted last value takes precedence over the form's own year
    # (26 804 300 / 20 000 000 = 1.34: no warning, though the form's 2023 alone would give one)
    last = _last(("DI-08", 2023, 20_000_000.0))
    assert reference_problems(JINAN, "370102", YEAR, values, last, _others()) == []
