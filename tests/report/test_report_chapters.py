"""The report is an ordered list of chapter modules; labels and formulas come from one lookup."""

from __future__ import annotations

import pytest

from scoring.analysis.report_data import ReportData, analyse
from scoring.evaluate import Evaluation
from scoring.report import math
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.chapters import CHAPTERS
from scoring.report.content import build_document
from scoring.report.methods_text import formula, method_formula, method_label
from scoring.report.model import Heading, Table
from scoring.report.options import ReportOptions
from scoring.system.load import AHP_MAX_CR


def test_chapters_are_in_the_order_users_expect() -> None:
    assert [c.title for c in CHAPTERS] == [
        "摘要",
        "评价体系与方法",
        "全市总体情况",
        "区县综合排名与梯队",
        "分维度评价",
        "目标完成度",
        "年度变化",
        "区县画像",
        "协同发展分析",  # issue 14 item 8: the three analysis chapters before 问题与建议
        "障碍因子诊断",
        "区域差异分析",
        "问题与建议",
        "附录",
        "稳健性分析",
        "指标体系版本变化",  # issue 14 item 7: 附录六, only when the previous round used another version
    ]
    assert len({c.key for c in CHAPTERS}) == len(CHAPTERS)


def test_a_new_chapter_is_one_entry_in_the_list(small: Evaluation) -> None:
    def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
        w.chapter_heading("试点专题", "pilot")
        w.table("pilot", "试点单元", ["区县"], [[data.name(u)] for u in data.units])

    data = analyse(small)
    options = ReportOptions(charts=False)
    first_nine = build_document(data, options, CHAPTERS[:9])
    extended = build_document(data, options, (*CHAPTERS[:9], Chapter("pilot", "试点专题", blocks)))
    # numbered after 问题与建议 (the ninth chapter), its table after every table before it
    assert extended.headings[-1] == Heading("十、试点专题", 1, "pilot")
    n_tables = sum(isinstance(b, Table) for b in first_nine.blocks)
    assert extended.tables["pilot"].caption == f"表 {n_tables + 1}  试点单元"
    assert len(extended.tables["pilot"].rows) == 3
    assert extended.blocks[: len(first_nine.blocks)] == first_nine.blocks


def test_method_labels_and_formulas_come_from_one_lookup() -> None:
    assert method_label("weighting", "entropy") == "熵权法"
    assert method_label("weighting", "entropy", "en") == "entropy weights"
    assert method_label("weighting", "no_such_method") == "no_such_method"
    # the scale [0, 100] goes into the min-max formula; 'goalposts' is an alias of 'goalpost'
    # formulas are LaTeX-subset sources (typeset as Word equations and MathML); the scale [0, 100] goes into the
    # min-max formula, written y = 100·r rather than y = 0 + (100 − 0)·r
    text, _ = method_formula("normalise", "minmax", lo=0.0, hi=100.0)
    assert text.startswith(r"y = 100·r，\quad r = \frac{x − x_{\min}}{x_{\max} − x_{\min}}")
    assert math.text(text).startswith("y = 100·r， r = (x − xₘᵢₙ)/(xₘₐₓ − xₘᵢₙ)")
    text, _ = method_formula("normalise", "minmax", lo=1.0, hi=5.0)
    assert text.startswith("y = 1 + (5 − 1)·r")
    assert method_formula("normalise", "goalposts", lo=0.0, hi=1.0) == method_formula(
        "normalise", "goalpost", lo=0.0, hi=1.0
    )
    assert method_formula("normalise", "unknown") == ("unknown", "")
    text, _ = method_formula("weighting", "combined", alpha=0.5)
    assert text.endswith("α = 0.5")


@pytest.mark.parametrize("name", ["ahp_check"])
def test_the_ahp_limit_is_the_loaders(name: str) -> None:
    _, where = formula(name)
    assert where == f"CR < {AHP_MAX_CR:g} 为通过一致性检验。" == "CR < 0.1 为通过一致性检验。"
    text, _ = method_formula("weighting", "ahp")
    assert math.text(text) == "Aw = λₘₐₓw， CR = CI/RI < 0.1"


def test_a_value_with_its_unit() -> None:
    # a space before a Latin unit, none before a Chinese unit or %
    assert fmt.with_unit("2005", "PFLOPS") == "2005 PFLOPS"
    assert fmt.with_unit("35", "家") == "35家"
    assert fmt.with_unit("91.8", "%") == "91.8%"
    # English units (scoring.system.measures): 亿元, 个, 个/万人
    assert fmt.with_unit("12.5", "100 million yuan") == "12.5 (100 million yuan)"
    assert fmt.with_unit("33", "number") == "33"
    assert fmt.with_unit("38.5", "number per 10 000 persons") == "38.5 per 10 000 persons"


def test_a_number_keeps_its_digit_groups_on_one_line() -> None:
    assert (
        fmt.unbroken("50 000 base stations, 10 000 persons")
        == "50\u00a0000 base stations, 10\u00a0000 persons"
    )
    assert fmt.unbroken("9 415 000") == "9\u00a0415\u00a0000"
    assert fmt.unbroken("2 2025 12 EFLOPS") == "2 2025 12 EFLOPS"  # not groups of three: separate numbers
    assert fmt.with_unit("3", None) == "3"
