"""Remarks (备注): a district form's remark column and a long table's remark column stay with their values —
through reading, the evaluation, the results document and the report's data appendix. A form cell still holding
the system's own hint (the blank form comes with it) is not the district's remark."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import openpyxl

from scoring.evaluate import evaluate
from scoring.io import read_data
from scoring.outputs import results_document
from scoring.system import load_system
from scoring.system.models import IndicatorSystem

REPO = Path(__file__).resolve().parents[2]
FORM = REPO / "sample_inputs" / "jinan" / "forms" / "370102_历下区.xlsx"
LONG = REPO / "sample_inputs" / "jinan" / "long_table.csv"
JINAN = load_system(REPO / "indicators" / "jinan_district_digital.yaml")
REMARK = "2024 年数据为快报数，正式数据 6 月公布"


def form_with_remarks(tmp_path: Path, system: IndicatorSystem) -> Path:
    """The sample form of 历下区 with a remark on DI-02 and, on the first indicator that has one, the system's
    own hint left as it is."""
    path = tmp_path / FORM.name
    shutil.copy(FORM, path)
    book = openpyxl.load_workbook(path)
    sheet = book["数据填报"]
    header = [cell.value for cell in sheet[8]]
    remark_col = header.index("备注") + 1
    hinted = next(node for node in system.indicators if node.remark)
    for row in range(9, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        if code == "DI-02":
            sheet.cell(row, remark_col).value = REMARK
        elif code == hinted.code:
            sheet.cell(row, remark_col).value = hinted.remark
    book.save(path)
    return path


def test_a_forms_remark_stays_with_each_value_of_its_row(tmp_path: Path) -> None:
    dataset = read_data([form_with_remarks(tmp_path, JINAN)], JINAN)
    given = dataset.values[dataset.values["remark"] != ""]
    # the row's remark covers its three years (2022–2024); the hint left in place is nobody's remark
    assert sorted(zip(given["indicator_code"], given["year"], strict=True)) == [
        ("DI-02", 2022),
        ("DI-02", 2023),
        ("DI-02", 2024),
    ]
    assert set(given["remark"]) == {REMARK}


def test_a_long_tables_remark_column_is_kept_per_row(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    lines = LONG.read_text(encoding="utf-8-sig").splitlines()
    rows = [lines[0] + ",备注"] + [
        line + ("," + "统计局口径" if i == 0 else ",") for i, line in enumerate(lines[1:])
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    first = lines[1].split(",")
    dataset = read_data([path], JINAN)
    given = dataset.values[dataset.values["remark"] != ""]
    assert len(given) == 1
    assert (given["unit_code"].iloc[0], given["indicator_code"].iloc[0]) == (first[0], first[1])
    assert int(given["year"].iloc[0]) == int(first[2]) and given["remark"].iloc[0] == "统计局口径"


def test_remarks_go_into_the_evaluation_and_the_results_document_but_not_the_scores(tmp_path: Path) -> None:
    plain = evaluate(JINAN, read_data([LONG], JINAN), 2024)
    dataset = read_data([form_with_remarks(tmp_path, JINAN), LONG], JINAN)  # the form's values come first
    remarked = evaluate(JINAN, dataset, 2024)
    assert remarked.scores.equals(plain.scores)  # a remark explains a value; it never changes a score
    assert list(remarked.remarks.itertuples(index=False, name=None)) == [
        ("370102", "DI-02", year, REMARK) for year in (2022, 2023, 2024)
    ]
    document = results_document(remarked)
    assert document["remarks"] == [
        {"unit_code": "370102", "indicator_code": "DI-02", "year": 2024, "remark": REMARK}
    ]
    assert "remarks" not in results_document(plain)  # data without remarks: the document as before
    schema = json.loads((REPO / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)


def test_the_reports_data_appendix_lists_the_remarks(tmp_path: Path) -> None:
    import io

    from scoring.report import build_report

    remarked = evaluate(JINAN, read_data([form_with_remarks(tmp_path, JINAN), LONG], JINAN), 2024)
    book = openpyxl.load_workbook(io.BytesIO(build_report(remarked, "xlsx")), read_only=True)
    rows = list(book["填报备注"].iter_rows(values_only=True))
    assert rows[0] == ("区县编码", "区县名称", "指标编码", "指标名称", "备注")
    assert rows[1:] == [("370102", "历下区", "DI-02", JINAN.nodes["DI-02"].name, REMARK)]
    html = build_report(remarked, "html").decode("utf-8")
    assert "2024 年填报备注" in html and REMARK in html
