"""Writing an evaluation: a long table as CSV, JSON or XLSX (the XLSX adds a readable wide summary)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.evaluate import Evaluation

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers pass unchanged.

    Leading spaces do not hide a formula (some spreadsheets trim them when they import a CSV)."""
    if isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers are escaped with :func:`escape_text`."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_text)
    out.columns = [escape_text(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, target: str | Path) -> None:
    """``frame`` as CSV for Excel: UTF-8 with BOM, text escaped (:func:`escape_frame`), and every field that
    holds a separator, a quote, a CR or an LF quoted. Rows end in CRLF (RFC 4180): the csv module quotes a
    field holding any character of the line terminator, so a bare CR inside a text cannot start a new row
    in which ``=1+1`` would run."""
    escape_frame(frame).to_csv(
        target, index=False, encoding="utf-8-sig", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )


def results_table(evaluation: Evaluation) -> pd.DataFrame:
    """The long table of the evaluated year plus, on the composite rows, each unit's TOPSIS closeness and its
    rank under TOPSIS (the alternative composite)."""
    table = evaluation.long_table()
    topsis = evaluation.topsis.xs(evaluation.year, level="year")
    topsis_rank = topsis.rank(method="min", ascending=False).astype("Int64")
    is_composite = table["node_code"] == evaluation.composite
    table["topsis"] = np.where(is_composite, table["unit_code"].map(topsis), np.nan)
    table["topsis_rank"] = table["unit_code"].map(topsis_rank).where(is_composite)
    return table


def summary_table(evaluation: Evaluation) -> pd.DataFrame:
    """One row per unit: composite score, rank, tier, change, then every dimension's score (Chinese headers)."""
    system = evaluation.system
    year = evaluation.year
    scores = evaluation.scores.xs(year, level="year")
    ranks = evaluation.ranks.xs(year, level="year")
    composite = system.composite.code
    dimensions = [n for n, depth, _ in system.walk() if depth > 0 and n.children]
    frame = pd.DataFrame(
        {
            "排名": ranks[composite].astype("Int64"),
            "区县编码": scores.index,
            "区县名称": [system.unit_names.get(u, u) for u in scores.index],
            f"{system.composite.name}": scores[composite].round(2),
            "梯队": evaluation.tiers.xs(year, level="year"),
            "得分变化": evaluation.score_change.xs(year, level="year")[composite].round(2),
            "位次变化": evaluation.rank_change.xs(year, level="year")[composite].astype("Int64"),
        }
    )
    for node in dimensions:
        frame[f"{node.code} {node.name}"] = scores[node.code].round(2)
    return frame.sort_values(["排名", "区县编码"]).reset_index(drop=True)


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars, NaN and pandas' NA turned into plain JSON values (NaN and NA → None)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [jsonable(row) for row in frame.astype(object).to_dict(orient="records")]


def results_document(evaluation: Evaluation) -> dict[str, Any]:
    """The JSON results (schemas/results.schema.json): system, year, method, results, weights, flags, log, and
    the 备注 of the year's values when the data gave any (``remarks``; left out when none, so documents of data
    without remarks are as before), and the values declared unavailable with their reasons (``unavailable``:
    数据缺失说明, scored as missing; left out when none)."""
    system = evaluation.system
    document = {
        "system": {
            "id": system.id,
            "name": system.name,
            "version": system.version,
            "hash": system.content_hash,
        },
        "year": evaluation.year,
        "method": system.method.model_dump(mode="json"),
        "results": records(results_table(evaluation)),
        "weights": records(evaluation.weights[evaluation.weights["year"] == evaluation.year]),
        "attainment": records(evaluation.attainment[evaluation.attainment["year"] == evaluation.year]),
        "flags": records(evaluation.flags[evaluation.flags["year"] == evaluation.year])
        if len(evaluation.flags)
        else [],
        "log": [{"stage": s.stage, "method": s.method, "detail": jsonable(s.detail)} for s in evaluation.log],
    }
    remarks = evaluation.remarks[evaluation.remarks["year"] == evaluation.year]
    if len(remarks):
        document["remarks"] = records(remarks.reset_index(drop=True))
    unavailable = evaluation.unavailable[evaluation.unavailable["year"] == evaluation.year]
    if len(unavailable):
        document["unavailable"] = records(unavailable.reset_index(drop=True))
    return document


def write_results(evaluation: Evaluation, path: str | Path) -> Path:
    """Write by extension: ``.csv`` (long table, UTF-8 with BOM so Excel shows Chinese), ``.json``, ``.xlsx``
    (sheets 汇总, 结果明细, 权重, 目标完成度, 原始数据, 标准化值, each set up to print: A4, fitted to the page
    width, header row repeated, page numbers; numbers at full precision shown with two to four decimals)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(results_table(evaluation), path)
    elif suffix == ".json":
        path.write_text(
            json.dumps(results_document(evaluation), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    elif suffix == ".xlsx":
        _write_xlsx(evaluation, path)
    else:
        raise ValueError(f"unsupported output format {suffix!r}: use .csv, .json or .xlsx")
    return path


def _write_xlsx(evaluation: Evaluation, path: Path) -> None:
    year = evaluation.year
    sheets = {
        "汇总": summary_table(evaluation),
        "结果明细": results_table(evaluation),
        "权重": evaluation.weights[evaluation.weights["year"] == year],
        "目标完成度": evaluation.attainment[evaluation.attainment["year"] == year],
        "原始数据": evaluation.raw.xs(year, level="year").reset_index(),
        "标准化值": evaluation.normalised.xs(year, level="year").round(4).reset_index(),
    }
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        # numbers keep full precision; shown with two to four decimals (1.99999999999999 reads 2.00)
        number = writer.book.add_format({"num_format": "0.00##"})
        whole = writer.book.add_format({"num_format": "0"})  # a float column of whole numbers (target_year)
        for name, frame in sheets.items():
            frame = escape_frame(frame)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes(1, 0)
            widths = []
            for i, column in enumerate(frame.columns):
                shown = frame[column].head(200)
                decimal = pd.api.types.is_float_dtype(frame[column])
                texts = [f"{v:.4f}" for v in shown] if decimal else [str(v) for v in shown]
                width = min(max(max([_size(str(column))] + [_size(t) for t in texts]) + 2, 8), 40)
                values = frame[column].dropna()
                integral = decimal and bool((values == values.round()).all())
                sheet.set_column(i, i, width, (whole if integral else number) if decimal else None)
                widths.append(width)
            keys = next((k for k, c in enumerate(frame.columns) if c not in KEY_COLUMNS), len(frame.columns))
            _print_setup(sheet, len(frame), widths, name, keys)


# Printing the results workbook on A4 (0.5 in side margins): a sheet's columns (pixels, 7 a character) up to a
# portrait page's width print portrait, wider landscape; below 55 % on one page they take more pages across
PORTRAIT_PX = 698
LANDSCAPE_PX = 1026
MIN_PRINT_SCALE = 0.55
KEY_COLUMNS = ("year", "unit_code", "unit_name")  # repeated on every page across


def _print_setup(sheet: Any, rows: int, widths: list[int], name: str, keys: int) -> None:
    """A4, the table fitted to the page width (as many pages down as it takes, more pages across when it would
    shrink below 55 %), landscape when wider than a portrait page, its header row repeated on every page and
    its first ``keys`` columns (year, unit) on every page across, the sheet's name in the page header and page numbers in the
    footer."""
    width = sum(w * 7 + 5 for w in widths)
    landscape = width > PORTRAIT_PX
    page = LANDSCAPE_PX if landscape else PORTRAIT_PX
    across = max(1, math.ceil(width * MIN_PRINT_SCALE / page))
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.print_area(0, 0, rows, max(len(widths) - 1, 0))
    sheet.fit_to_pages(across, 0)
    sheet.repeat_rows(0)
    if across > 1 and keys:
        sheet.repeat_columns(0, keys - 1)  # the leading year and unit columns
    sheet.set_header(f"&R&9{name}", {"margin": 0.3})
    sheet.set_footer("&C&9第 &P 页，共 &N 页 / page &P of &N", {"margin": 0.3})


def _size(text: str) -> int:
    """Display width in half-width characters (a CJK character counts two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
