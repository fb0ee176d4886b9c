"""Derived indicators (docs/methods.md "Derived indicators"): ``formula:`` over collected components.

Each number below is computed by hand in the comment next to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from scoring.evaluate import evaluate
from scoring.io import read_data, write_template
from scoring.problems import SystemDefinitionError
from scoring.system.formula import FormulaError, formula_words, parse_formula
from tests.conftest import NA, build_dataset, build_system

SYSTEM = """
    method: {normalise: minmax}
    components:
      - {code: 常住人口, name: 常住人口, unit: 万人, valid: [0, null]}
      - {code: 5G基站数, name: 5G基站数, unit: 个, valid: [0, null]}
      - {code: GDP, name: 地区生产总值, unit: 亿元}
    tree:
      - code: D1
        name: d1
        weight: 1
        children:
          - {code: DI-01, name: 每万人5G基站数, unit: 个/万人, weight: 1, formula: "{5G基站数} / {常住人口} × 10000"}
          - {code: DI-07, name: 核心产业增加值占GDP比重, unit: "%", weight: 1, formula: "CORE / GDP * 100"}
          - {code: CORE, name: 核心产业增加值, unit: 亿元, weight: 1}
"""


def test_formula_parses_braced_and_bare_codes_without_eval() -> None:
    formula = parse_formula("{5G基站数} / {常住人口} × 10000")
    assert formula.codes == ("5G基站数", "常住人口")
    assert formula.divisors() == ["常住人口"]
    value, zero = formula.evaluate(
        {"5G基站数": np.array([1200.0, 5.0]), "常住人口": np.array([600000.0, 0.0])}
    )
    # 1200 / 600000 × 10000 = 20; 5 / 0 → no value, flagged
    assert value[0] == pytest.approx(20.0, abs=1e-12) and np.isnan(value[1])
    assert zero.tolist() == [False, True]


def test_formula_words_name_the_codes() -> None:
    names = {"C-5G": "5G基站数", "C-POP": "常住人口", "GDP": "地区生产总值"}
    assert formula_words("{C-5G} / {C-POP} * 10000", names) == "5G基站数 ÷ 常住人口 × 10000"
    assert formula_words("(X + GDP)/2", names) == "(X + 地区生产总值) ÷ 2"  # a code without a name stays


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('x')",
        "a ** 2",
        "a if b else c",
        "f(a)",
        "a.b",
        "[a]",
        "a / ",
        "{a",
        "1 + 2",
        "a % 2",
    ],
)
def test_formula_refuses_anything_but_arithmetic_over_codes(text: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(text)


def test_derived_values_flags_and_parts() -> None:
    system = build_system(SYSTEM)
    assert [n.code for n in system.collected] == ["CORE", "常住人口", "5G基站数", "GDP"]
    data = build_dataset(
        {
            2024: {
                "U1": {"常住人口": 50, "5G基站数": 100, "GDP": 400, "CORE": 40},
                "U2": {"常住人口": 80, "5G基站数": 240, "GDP": 1000, "CORE": 50},
                "U3": {"常住人口": 20, "5G基站数": 80, "GDP": 200, "CORE": 30},
            }
        }
    )
    evaluation = evaluate(system, data, 2024)
    raw = evaluation.raw.xs(2024, level="year")
    # DI-01: 100/50·10⁴ = 20 000, 240/80·10⁴ = 30 000, 80/20·10⁴ = 40 000
    assert raw["DI-01"].tolist() == pytest.approx([20000, 30000, 40000], abs=1e-9)
    # DI-07: 40/400·100 = 10, 50/1000·100 = 5, 30/200·100 = 15
    assert raw["DI-07"].tolist() == pytest.approx([10, 5, 15], abs=1e-12)
    # min-max of DI-07: U1 (10 − 5)/(15 − 5)·100 = 50
    assert evaluation.scores.loc[(2024, "U1"), "DI-07"] == pytest.approx(50.0, abs=1e-12)
    flags = evaluation.flags
    assert set(flags[flags["flag"] == "derived"]["node_code"]) == {"DI-01", "DI-07"}
    table = evaluation.explain("U1")
    row = table.set_index("node_code").loc["DI-07"]
    assert row["formula"] == "CORE / GDP * 100"
    assert row["parts"] == "CORE = 40；GDP = 400"
    assert evaluation.log[0].stage == "derive"


def test_zero_divisor_and_missing_part_are_named_and_na_carries_over() -> None:
    system = build_system(SYSTEM)
    data = build_dataset(
        {
            2024: {
                "U1": {"常住人口": 0, "5G基站数": 100, "GDP": 400, "CORE": 40},
                "U2": {"常住人口": 80, "5G基站数": None, "GDP": 1000, "CORE": 50},
                "U3": {"常住人口": 20, "5G基站数": 80, "GDP": NA, "CORE": 30},
            }
        }
    )
    evaluation = evaluate(system, data, 2024)
    raw = evaluation.raw.xs(2024, level="year")
    assert raw["DI-01"].isna().tolist() == [True, True, False]
    by_unit = {(p.code, p.unit): p for p in evaluation.problems}
    zero = by_unit[("pipeline.derived_zero_division", "U1")]
    assert zero.indicator == "DI-01" and "常住人口" in zero.message_zh and "常住人口" in zero.message_en
    missing = by_unit[("pipeline.derived_missing_part", "U2")]
    assert missing.params["components"] == "5G基站数"
    # GDP marked 不适用 → DI-07 不适用 for U3 (its weight goes to the others, no problem raised)
    assert bool(evaluation.not_applicable.loc[(2024, "U3"), "DI-07"])
    assert ("pipeline.derived_missing_part", "U3") not in by_unit


@pytest.mark.parametrize(
    ("formula", "needle"),
    [("{nowhere} / GDP", "nowhere"), ("DI-01 / GDP", "derived"), ("GDP **", "parse")],
)
def test_loader_refuses_a_bad_formula_at_its_path(formula: str, needle: str) -> None:
    body = SYSTEM.replace('"CORE / GDP * 100"', f'"{formula}"').replace("DI-01 / GDP", "{DI-01} / GDP")
    with pytest.raises(SystemDefinitionError) as caught:
        build_system(body)
    (problem,) = caught.value.problems
    assert problem.location.cell == "tree[0].children[1].formula"
    assert needle in problem.message_en


def test_a_system_without_formulas_collects_its_indicators() -> None:
    system = build_system("""
        tree:
          - {code: X, name: x, weight: 1}
    """)
    assert system.components == [] and system.collected == system.indicators and not system.derived


def test_form_collects_components_once_and_scores_the_derived_indicator(tmp_path: Path) -> None:
    system = build_system(SYSTEM)
    path = tmp_path / "U1.xlsx"
    write_template(system, "U1", path, [2024])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["数据填报"]
    rows = {str(sheet.cell(row, 1).value): row for row in range(9, 13)}
    # collected rows only: CORE, then the components (base data) — no row for DI-01 or DI-07
    assert list(rows) == ["CORE", "常住人口", "5G基站数", "GDP"]
    assert sheet.cell(rows["GDP"], 2).value == "基础数据"
    assert sheet.cell(rows["GDP"], 3).value == "地区生产总值（用于计算 DI-07）"
    assert sheet.cell(rows["常住人口"], 4).value == "万人"
    for code, value in {"CORE": 40, "常住人口": 50, "5G基站数": 100, "GDP": 400}.items():
        sheet.cell(rows[code], 7).value = value
    workbook.save(path)
    instructions = " ".join(str(c.value) for c in openpyxl.load_workbook(path)["填报说明"]["A"])
    # the formulas as officials say them: names, ÷ and × (braced and bare codes alike), no code syntax
    assert "DI-01 每万人5G基站数 = 5G基站数 ÷ 常住人口 × 10000" in instructions
    assert "DI-07 核心产业增加值占GDP比重 = 核心产业增加值 ÷ 地区生产总值 × 100" in instructions
    assert "{" not in instructions
    dataset = read_data([path], system)
    assert not dataset.problems
    raw = evaluate(system, dataset, 2024).raw
    # 100 / 50 × 10000 = 20 000; 40 / 400 × 100 = 10
    assert raw.loc[(2024, "U1"), ["DI-01", "DI-07"]].tolist() == pytest.approx([20000, 10], abs=1e-9)
