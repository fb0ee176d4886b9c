"""附录五 稳健性分析: rank intervals and sensitivity indices, reproducible from the printed seed."""

from __future__ import annotations

import io

import openpyxl
import pytest

from scoring.analysis.design import DEFAULT_UNCERTAINTY
from scoring.analysis.uncertainty import uncertainty_analysis_matrix
from scoring.evaluate import Evaluation
from scoring.report.options import ReportOptions
from tests.report.support import open_docx, tables_by_key


def test_the_appendix_shows_the_rank_intervals_of_the_seeded_analysis(
    jinan: Evaluation, jinan_files: dict[str, bytes]
) -> None:
    document = open_docx(jinan_files["docx"])
    tables = tables_by_key(document)
    design = ReportOptions().robustness
    assert design is DEFAULT_UNCERTAINTY  # the one design the CLI and the dashboard use too
    expected = uncertainty_analysis_matrix(
        jinan.system, jinan.raw, jinan.not_applicable, jinan.year, design.generator(), design
    ).units
    rows = tables["robustness"][1:]
    assert len(rows) == len(expected) == 14
    for row, unit in zip(rows, expected.itertuples(), strict=True):
        assert row[1] == str(int(unit.nominal_rank))
        assert row[3] == f"{int(unit.rank_q05)}—{int(unit.rank_q95)}"
    sensitivity = tables["sensitivity"][1:]
    assert sorted(r[0] for r in sensitivity) == sorted(
        ["权重", "标准化方法", "汇总方法", "缺失值处理", "异常值处理", "阈值与目标值", "剔除单项指标"]
    )
    # a negative estimate (sampling error) reads ≈0, explained under the table, never as a negative index
    assert not any(cell.startswith(("-", "−")) for r in sensitivity for cell in r[2:])
    first_order = [0.0 if r[2] == "≈0" else float(r[2]) for r in sensitivity]
    assert first_order == sorted(first_order, reverse=True)  # the assumption that matters most comes first
    if "≈0" in {c for r in sensitivity for c in r[2:]}:
        assert any(
            p.text.startswith("敏感性指数在 0 到 1 之间") and "“≈0”" in p.text for p in document.paragraphs
        )
    # the seed printed is the design's, so a reader can reproduce the table
    assert any(f"随机种子 {DEFAULT_UNCERTAINTY.seed}" in p.text for p in document.paragraphs)


def test_the_workbook_sheet_holds_the_same_analysis_at_full_precision(
    jinan: Evaluation, jinan_files: dict[str, bytes]
) -> None:
    design = ReportOptions().robustness
    assert design is not None
    result = uncertainty_analysis_matrix(
        jinan.system, jinan.raw, jinan.not_applicable, jinan.year, design.generator(), design
    )
    sheet = openpyxl.load_workbook(io.BytesIO(jinan_files["xlsx"]))["稳健性分析"]
    header, *body = list(sheet.iter_rows(values_only=True))
    assert header[:6] == ("区县编码", "区县名称", "排名", "中位排名", "5% 分位排名", "95% 分位排名")
    units = result.units
    for row, unit in zip(body[:14], units.itertuples(), strict=True):
        assert row[0] == unit.unit_code
        assert row[2:6] == pytest.approx(
            (int(unit.nominal_rank), unit.median_rank, unit.rank_q05, unit.rank_q95), abs=1e-12
        )
        if "tier_flip" in units.columns:
            assert row[6] == pytest.approx(unit.tier_flip, abs=1e-15)
    # then, after a blank row, the sensitivity indices unrounded
    assert body[14] == (None,) * len(header)
    sensitivity = result.sensitivity.sort_values("first_order", ascending=False)
    assert body[15][:4] == ("假设", "取值", "一阶指数", "总效应指数")
    indices = [(r[2], r[3]) for r in body[16 : 16 + len(sensitivity)]]
    expected = zip(sensitivity["first_order"], sensitivity["total_effect"], strict=True)
    assert indices == [pytest.approx(pair, abs=1e-12) for pair in expected]
    table = body[16 : 16 + len(sensitivity)]
    assert {r[4] for r in table} == {result.replications} and {r[5] for r in table} == {design.seed}
    # a negative estimate keeps its value and prints ≈0 (the report's word), explained under the table
    assert sheet.cell(18, 3).number_format == '0.0000;"≈0"' == sheet.cell(18, 4).number_format
    negative = bool((sensitivity[["first_order", "total_effect"]] < 0).any().any())
    note = [r[0] for r in body[16 + len(sensitivity) :] if r[0]]
    assert note == (
        ["“≈0”：抽样估计值略小于 0（估计误差所致，指数本身不小于 0），表示该项假设对排名几乎没有影响。"]
        if negative
        else []
    )
