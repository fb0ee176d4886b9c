"""Hostile data files at the engine level (issue 10): the real extent of a sheet, capped problems,
implausible values, the DTD check over a whole part, and CSV output that quotes what it must."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.io import read_bytes
from scoring.io.checks import factor_text
from scoring.io.extent import MalformedSheet, scan_extent, walk_extent
from scoring.io.form import format_number
from scoring.io.safety import UploadLimits, check_upload
from scoring.outputs import escape_text, write_csv
from scoring.problems import (
    MORE,
    Location,
    Problem,
    ProblemLog,
    Severity,
    SubmissionError,
    cap_problems,
    problem_count,
)
from scoring.system import load_system
from scoring.system.models import IndicatorSystem
from tests.hostile import corpus

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def jinan() -> IndicatorSystem:
    return load_system(REPO / "indicators" / "jinan_district_digital.yaml")


def sheet_xml(cells: str) -> list[bytes]:
    """A worksheet's XML in chunks of 7 bytes: every tag is split somewhere."""
    data = ("<worksheet><sheetData>" + cells + "</sheetData></worksheet>").encode()
    return [data[i : i + 7] for i in range(0, len(data), 7)]


# ------------------------------------------------------------------------------------------- extent


def test_the_extent_comes_from_the_cells_not_from_the_dimension() -> None:
    extent = scan_extent(sheet_xml('<row r="1"><c r="A1"/><c r="d2"/></row><row r="9"><c r="B9"/></row>'))
    assert (extent.cells, extent.rows, extent.columns, extent.area) == (3, 9, 4, 36)
    assert (extent.row_ref, extent.column_ref) == ("B9", "D2")
    far = scan_extent(sheet_xml('<row r="1"><c r="A1"/><c r="XFD1048576"/></row>'))
    assert (far.rows, far.columns, far.far_cell) == (1_048_576, 16_384, "XFD1048576")


def test_quoted_brackets_and_single_quotes_do_not_hide_a_reference() -> None:
    extent = scan_extent(sheet_xml("""<row r="1"><c a='>' s=">" r='C7'><v>1</v></c></row>"""))
    assert (extent.rows, extent.columns) == (7, 3)
    # a '<' inside a value is not XML; no writer makes one, and the scan will not guess around it
    with pytest.raises(MalformedSheet):
        scan_extent(sheet_xml("""<row r="1"><c a='<' r="XFD9"/></row>"""))


def test_cells_without_a_reference_are_walked_in_document_order() -> None:
    xml = sheet_xml('<row r="2"><c><v>1</v></c><c/><c r="E2"/><c/></row><row><c/></row>')
    assert scan_extent(xml).needs_walk
    extent = walk_extent(xml, max_cells=100)
    # row 2: A, B, E, F; then row 3: A
    assert (extent.cells, extent.rows, extent.columns) == (5, 3, 6)


@pytest.mark.parametrize(
    "cells",
    [
        '<c r="A0"/>',  # row 0
        '<c r="AAAA1"/>',  # beyond column XFD
        '<c r="1A"/>',
        '<c r="A1" r="XFD1"/>',  # two references: which one a reader takes is its business
    ],
)
def test_malformed_references_are_refused(cells: str) -> None:
    with pytest.raises(MalformedSheet):
        scan_extent(sheet_xml(f'<row r="1">{cells}</row>'))


def test_far_cells_are_refused_before_any_reader_naming_sheet_and_cell(jinan: IndicatorSystem) -> None:
    for content in (corpus.far_cell(), corpus.far_cell(dimension=None)):
        [problem] = check_upload(content, "far.xlsx")
        assert problem.code == "upload.far_cell"
        assert str(problem.location) == "far.xlsx!2024!XFD1048576"
        assert "XFD1048576" in problem.message_zh and "“2024”" in problem.message_zh
        assert "sheet '2024'" in problem.message_en
        with pytest.raises(SubmissionError) as refused:
            read_bytes(content, "far.xlsx", jinan)  # the reader checks too: calamine never sees it
        assert refused.value.problems[0].code == "upload.far_cell"
    [sparse] = check_upload(corpus.sparse_sheet(), "sparse.xlsx")
    # inside the row and column limits, but A1:BXW199999 is 399 798 001 cells
    assert (sparse.code, sparse.params["cells"], sparse.location.cell) == (
        "upload.far_cell",
        199_999 * 1_999,
        "BXW199999",
    )


def test_the_cell_limit_counts_the_used_range_and_the_cells() -> None:
    rows = corpus._long_table_rows([1.0] * 9)  # 10 rows × 4 columns = 40 cells
    content = corpus.workbook(rows, dimension="A1:D10")
    assert check_upload(content, "t.xlsx", UploadLimits(max_cells=40)) == []
    [problem] = check_upload(content, "t.xlsx", UploadLimits(max_cells=39))
    assert (problem.code, problem.params["count"], problem.params["limit"]) == ("upload.sheet_cells", 40, 39)
    # two cells, A1 and D10, but a reader builds the 40 cells between them
    sparse = corpus.workbook([[("A1", "unit_code")], [("D10", 1.0)]], dimension="A1")
    [far] = check_upload(sparse, "s.xlsx", UploadLimits(max_cells=39))
    assert (far.code, far.params["cells"], far.location.cell) == ("upload.far_cell", 40, "D10")
    # a CSV: lines × its longest line's fields (the reader pads to a rectangle)
    [wide] = check_upload(b"a,b\n1,2,3,4,5\n6\n", "w.csv", UploadLimits(max_cells=14))
    assert (wide.code, wide.params["count"]) == ("upload.too_many_cells", 15)


def test_a_doctype_after_a_long_comment_is_found() -> None:
    [problem] = check_upload(corpus.doctype_after_comment(), "d.xlsx")
    assert problem.code == "upload.unsafe_xml"
    # split across two chunks of the stream
    [split] = check_upload(corpus.doctype_after_comment(65_536 - 60), "d.xlsx")
    assert split.code == "upload.unsafe_xml"


# --------------------------------------------------------------------------------------- capped problems


def test_a_log_lists_the_first_problems_of_a_code_and_counts_the_rest() -> None:
    log = ProblemLog(per_code=2)
    for i in range(5):
        log.add(Problem("data.duplicate", location=Location(file="a.csv", cell=f"D{i + 2}")))
    log.add(Problem("cell.not_applicable", Severity.INFO))
    listed = log.problems()
    assert [p.code for p in listed] == ["data.duplicate", "data.duplicate", "cell.not_applicable", MORE]
    summary = listed[-1]
    assert (summary.severity, str(summary.location), summary.params["total"]) == (Severity.ERROR, "a.csv", 3)
    assert summary.message_zh.startswith("另有 3 处同类问题未逐一列出")
    assert summary.message_en.startswith("3 more problems of the same kind are not listed")
    assert problem_count(listed) == 6 and problem_count(listed, Severity.ERROR) == 5
    assert cap_problems(listed, per_code=2) == listed  # merging a capped list changes nothing


def test_the_summary_groups_digits_as_the_issue_writes_them() -> None:
    log = ProblemLog(per_code=7)
    log.count("data.duplicate", Severity.ERROR, 199_990, "x.csv")
    assert log.problems()[0].message_zh.startswith("另有 199 990 处同类问题")


def test_a_table_of_duplicates_gives_a_short_list(jinan: IndicatorSystem) -> None:
    dataset = read_bytes(corpus.duplicate_rows_csv(1_000), "dup.csv", jinan)
    duplicates = [p for p in dataset.problems if p.code == "data.duplicate"]
    [more] = [p for p in dataset.problems if p.code == MORE]
    # 1 000 equal rows: the first is kept, 999 repeat it; 200 listed and 799 counted
    assert len(duplicates) == 200 and more.params["total"] == 799
    assert duplicates[0].location.cell == "D3" and "dup.csv!D2" in duplicates[0].message_zh
    assert problem_count(dataset.problems, Severity.ERROR) == 999


# ---------------------------------------------------------------------------------- implausible values


def test_values_beyond_a_sane_magnitude_are_errors_showing_the_text(jinan: IndicatorSystem) -> None:
    dataset = read_bytes(corpus.values_csv(["1e308", "1.8e308", "-2e15", "1e15", "50"]), "v.csv", jinan)
    found = {p.location.cell: p for p in dataset.problems}
    assert found["D2"].code == "cell.implausible" and "“1e308”" in found["D2"].message_zh
    assert found["D3"].code == "cell.implausible" and "'1.8e308'" in found["D3"].message_en
    assert found["D4"].code == "cell.implausible"
    assert found["D5"].code != "cell.implausible"  # 1e15 itself is allowed (but out of DI-04's range)
    values = dataset.values.set_index("location")["value"]
    assert np.isnan(values["v.csv!D2"]) and values["v.csv!D6"] == 50


def test_36_values_of_1e308_are_36_errors(jinan: IndicatorSystem) -> None:
    dataset = read_bytes(corpus.huge_values_csv(), "h.csv", jinan)
    assert sum(p.code == "cell.implausible" for p in dataset.problems) == 36


def test_an_infinite_number_cell_is_implausible(jinan: IndicatorSystem) -> None:
    dataset = read_bytes(corpus.infinite_number_cell(), "inf.xlsx", jinan)
    [problem] = [p for p in dataset.problems if p.code == "cell.implausible"]
    assert problem.location.cell == "D2" and "±∞" in problem.message_zh


def test_a_denormal_value_is_a_warning_not_a_crash(jinan: IndicatorSystem) -> None:
    dataset = read_bytes(corpus.denormal_values_csv(), "d.csv", jinan)
    [warning] = [p for p in dataset.problems if p.code == "cell.wrong_magnitude"]
    # 5e-324 against the median 65 of 50, 60, 70, 80: a ratio of 1.3e325 overflows to inf; no factor is said,
    # only that it is more than a million times off, in the indicator's own unit (DI-10 in 家)
    assert warning.location.cell == "D2" and "factor" not in warning.params
    assert "与其他区县的中位数 65 相差一百万倍以上" in warning.message_zh
    assert "按“家”填写" in warning.message_zh
    assert "more than a million times off the other units' median 65" in warning.message_en
    for text in (warning.message_zh, warning.message_en):
        assert "∞" not in text and "inf" not in text and "…" not in text
    assert factor_text(float("inf")) is None and factor_text(float("nan")) is None
    assert factor_text(1e6) is None and factor_text(999_999.4) == format_number(999_999)
    assert factor_text(250.4) == "250" and factor_text(2.54) == "2.5"
    assert format_number(float("inf")) == "inf" and format_number(float("nan")) == "nan"


# ------------------------------------------------------------------------------------------ csv output


def test_csv_output_quotes_cr_lf_quotes_and_separators(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["a\r=1+1", "b\n=2", 'q"z', "c,d", "=3", " =4", "plain"], "n": range(7)})
    path = tmp_path / "out.csv"
    write_csv(frame, path)
    text = path.read_bytes().decode("utf-8-sig")
    assert text.split("\r\n")[1:8] == [
        '"a\r=1+1",0',
        '"b\n=2",1',
        '"q""z",2',
        '"c,d",3',
        "'=3,4",
        "' =4,5",
        "plain,6",
    ]
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["name"].tolist()[:2] == ["a\r=1+1", "b\n=2"]  # one cell each, nothing spilled onto a row
    assert escape_text(" \u3000+1") == "' \u3000+1" and escape_text(5) == 5


def test_the_corpus_is_small() -> None:
    # the hostile cases are small files: their danger is in what a reader would make of them
    assert len(corpus.far_cell()) < 2_000 and len(corpus.sparse_sheet()) < 2_000
    assert zipfile.is_zipfile(io.BytesIO(corpus.doctype_after_comment()))
