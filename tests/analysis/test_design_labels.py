"""Assumptions of the uncertainty analysis and their levels are named from the method records, once, for the
report, the dashboard and the API."""

from __future__ import annotations

from scoring.analysis.design import factor_label, level_labels


def test_levels_are_named_by_their_method_records() -> None:
    # the sensitivity table's levels column, as the analysis writes it
    assert level_labels("aggregation", "arithmetic, geometric") == "加权算术平均、加权几何平均"
    assert level_labels("aggregation", "arithmetic, geometric", "en") == (
        "weighted arithmetic mean, weighted geometric mean"
    )
    assert level_labels("missing", ("renormalise", "group_mean")) == "权重按比例重新分配、同组均值插补"


def test_levels_that_are_no_method_and_unknown_names() -> None:
    assert level_labels("weights", "nominal, uniform") == "系统设定、均匀扰动"
    assert level_labels("normalisation", "mixed, zscore", "en") == (
        "as set by the system (several methods), z-score"
    )
    assert level_labels("normalisation", "nosuch") == "nosuch"  # shown as given, never dropped
    assert factor_label("missing", "en") == "Missing data" and factor_label("other") == "other"


def test_the_exclusion_levels_are_one_phrase() -> None:
    # the sensitivity table writes the 84 indicators of the composite compactly; a tuple of codes counts them
    from scoring.analysis.settings import level_labels

    assert level_labels("exclusion", "all, leave_one_out:84") == "全部指标、逐一剔除 84 项指标之一"
    assert (
        level_labels("exclusion", ("all", "a1", "a2"), "en")
        == "all indicators, or one of 2 indicators left out"
    )
