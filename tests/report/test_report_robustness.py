"""附录五 稳健性分析: rank intervals and sensitivity indices, reproducible from the printed seed."""

from __future__ import annotations

import numpy as np

from scoring.analysis.design import UncertaintySettings
from scoring.analysis.uncertainty import uncertainty_analysis_matrix
from scoring.evaluate import Evaluation
from scoring.report.content import ReportOptions
from tests.report.support import open_docx, tables_by_key


def test_the_appendix_shows_the_rank_intervals_of_the_seeded_analysis(
    jinan: Evaluation, jinan_files: dict[str, bytes]
) -> None:
    tables = tables_by_key(open_docx(jinan_files["docx"]))
    options = ReportOptions()
    expected = uncertainty_analysis_matrix(
        jinan.system,
        jinan.raw,
        jinan.not_applicable,
        jinan.year,
        np.random.default_rng(options.robustness_seed),
        UncertaintySettings(replications=options.robustness_runs),
    ).units
    rows = tables["robustness"][1:]
    assert len(rows) == len(expected) == 14
    for row, unit in zip(rows, expected.itertuples(), strict=True):
        assert row[1] == str(int(unit.nominal_rank))
        assert row[3] == f"{int(unit.rank_q05)}—{int(unit.rank_q95)}"
    sensitivity = tables["sensitivity"][1:]
    assert sorted(r[0] for r in sensitivity) == sorted(["权重", "标准化方法", "汇总方法", "缺失值处理"])
    first_order = [float(r[2]) for r in sensitivity]
    assert first_order == sorted(first_order, reverse=True)  # the assumption that matters most comes first
