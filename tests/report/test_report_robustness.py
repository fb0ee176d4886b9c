"""附录五 稳健性分析: rank intervals and sensitivity indices, reproducible from the printed seed."""

from __future__ import annotations

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
