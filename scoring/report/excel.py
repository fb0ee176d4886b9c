"""The report as an Excel workbook (.xlsx, xlsxwriter): the numbers behind every chapter, at full precision.

Sheets: 摘要, 全市概况, 综合排名, one per top-level dimension, 目标完成度, 完成度明细, 年度变化, 区县画像,
原始数据, 标准化得分, 权重与方法, 指标说明. Headers are frozen, numbers carry number formats (scores ``0.00``,
shares ``0.0%``, weights ``0.0000``), columns are sized to their content, charts are native Excel charts, and
every text cell is written as text and escaped (:func:`scoring.outputs.escape_text`) so that nothing a
district typed can run as a formula.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from scoring.outputs import escape_text
from scoring.report.analysis import DIRECTION_TEXT, NO_DATA, NOT_MET, STATUSES, ReportData
from scoring.report.charts import OKABE_ITO, STATUS_COLOURS
from scoring.report.content import FLAG_TEXT, WEIGHTING_TEXT
from scoring.report.model import Document

FORMATS: dict[str, dict[str, Any]] = {
    "text": {},
    "score": {"num_format": "0.00"},
    "signed": {"num_format": "+0.00;-0.00;0.00"},
    "rank": {"num_format": "0"},
    "int": {"num_format": "0"},
    "percent": {"num_format": "0.0%"},
    "weight": {"num_format": "0.0000"},
    "value": {"num_format": "General"},
    "decimal": {"num_format": "0.00"},  # averages and scheduled values are computed: two decimals
}
NO_DATE = datetime(1980, 1, 1)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header, values (one per row) and how to show them."""

    header: str
    values: Sequence[Any]
    kind: str = "text"


class _Book:
    """An xlsxwriter workbook with the report's formats and a writer for column-wise tables."""

    def __init__(self, workbook: Any):
        self.workbook = workbook
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.formats = {kind: workbook.add_format(spec) for kind, spec in FORMATS.items()}
        self.names: set[str] = set()

    def sheet(self, name: str) -> Any:
        clean = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        candidate, k = clean, 1
        while candidate in self.names:
            k += 1
            candidate = f"{clean[:28]}_{k}"
        self.names.add(candidate)
        return self.workbook.add_worksheet(candidate)

    def table(self, sheet: Any, columns: list[Column], first_row: int = 0, freeze: int = 1) -> int:
        """Write a table at ``first_row`` with a frozen header; returns the row after it."""
        for c, column in enumerate(columns):
            sheet.write_string(first_row, c, str(escape_text(column.header)), self.header)
            fmt = self.formats[column.kind]
            for r, value in enumerate(column.values, start=first_row + 1):
                self.cell(sheet, r, c, value, column.kind, fmt)
            sheet.set_column(c, c, _width(column))
        if first_row == 0 and freeze:
            sheet.freeze_panes(1, freeze)
        n_rows = max((len(c.values) for c in columns), default=0)
        if columns:
            sheet.autofilter(first_row, 0, first_row + n_rows, len(columns) - 1)
        return first_row + n_rows + 1

    def cell(self, sheet: Any, row: int, col: int, value: Any, kind: str, fmt: Any) -> None:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None, fmt)
        elif kind == "text" or isinstance(value, str):
            sheet.write_string(row, col, str(escape_text(str(value))), fmt)
        else:
            sheet.write_number(row, col, float(value), fmt)


def _width(column: Column) -> float:
    def size(value: Any) -> int:
        text = value if isinstance(value, str) else f"{value:.2f}" if isinstance(value, float) else str(value)
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    sample = [column.header, *list(column.values)[:200]]
    return float(min(max(max(size(v) for v in sample) + 2, 8), 60))


def to_xlsx(data: ReportData, document: Document, created: datetime | None = None) -> bytes:
    """The workbook as bytes. ``created`` goes into the file properties (default 1980-01-01, so the same
    evaluation gives the same bytes)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties(
        {
            "title": document.cover.title,
            "subject": data.system.name,
            "author": "digiscore",
            "created": created or NO_DATE,
        }
    )
    book = _Book(workbook)
    for write in SHEETS:
        write(book, data, document)
    workbook.close()
    return buffer.getvalue()


def _summary(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("摘要")
    sheet.set_column(0, 0, 110)
    sheet.write_string(0, 0, str(escape_text(document.cover.title)), book.title)
    for i, line in enumerate(document.cover.lines, start=1):
        sheet.write_string(i, 0, str(escape_text(line)))
    row = len(document.cover.lines) + 2
    from scoring.report import narrative

    for sentence in narrative.summary(data):
        sheet.write_string(row, 0, str(escape_text(sentence)), book.wrap)
        row += 1
    row += 1
    ranked = data.ranking[data.ranking["rank"].notna()]
    labels: list[Any] = ["评价单元数", "维度数", "指标数", "综合指数全市平均"]
    values: list[Any] = [
        len(data.ranking),
        len(data.dimensions),
        len(data.system.indicators),
        float(data.city_mean.loc[data.year, data.composite]),
    ]
    kinds = ["int", "int", "int", "score"]
    if len(ranked):
        labels += [f"最高分（{ranked['unit_name'].iloc[0]}）", f"最低分（{ranked['unit_name'].iloc[-1]}）"]
        values += [float(ranked["score"].iloc[0]), float(ranked["score"].iloc[-1])]
        kinds += ["score", "score"]
    for name, count in data.tier_counts.get(data.year, {}).items():
        labels.append(f"梯队：{name}")
        values.append(count)
        kinds.append("int")
    sheet.write_string(row, 0, "主要数据", book.header)
    sheet.write_string(row, 1, "数值", book.header)
    sheet.set_column(1, 1, 14)
    for i, (label, value, kind) in enumerate(zip(labels, values, kinds, strict=True), start=row + 1):
        sheet.write_string(i, 0, str(escape_text(label)))
        book.cell(sheet, i, 1, value, kind, book.formats[kind])


def _city(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("全市概况")
    dims = list(data.dimensions)
    columns = [
        Column("年份", list(data.years), "int"),
        Column(data.system.composite.name, list(data.city_mean[data.composite]), "score"),
    ]
    columns += [Column(d.name, list(data.city_mean[d.code]), "score") for d in dims]
    end = book.table(sheet, columns, freeze=0)
    sheet.freeze_panes(1, 0)
    chart = book.workbook.add_chart({"type": "line"})
    for j in range(1, len(columns)):
        colour = "#000000" if j == 1 else OKABE_ITO[(j - 2) % len(OKABE_ITO)]
        chart.add_series(
            {
                "name": ["全市概况", 0, j],
                "categories": ["全市概况", 1, 0, len(data.years), 0],
                "values": ["全市概况", 1, j, len(data.years), j],
                "line": {"color": colour, "width": 2.5 if j == 1 else 1.5},
                "marker": {
                    "type": "circle",
                    "size": 5,
                    "fill": {"color": colour},
                    "border": {"color": colour},
                },
            }
        )
    chart.set_title({"name": "全市平均得分"})
    chart.set_y_axis({"name": "得分", "num_format": "0"})
    sheet.insert_chart(0, len(columns) + 1, chart, {"x_scale": 1.3, "y_scale": 1.1})
    if not data.targets:
        return
    start = max(end + 1, 18)
    targets = list(data.targets)
    columns = [
        Column("指标编码", [t.code for t in targets]),
        Column("指标", [t.name for t in targets]),
        Column("单位", [t.unit for t in targets]),
        Column("目标值", [t.target for t in targets], "value"),
        Column("目标年份", [t.target_year for t in targets], "int"),
    ]
    columns += [
        Column(f"{y} 年全市平均", [t.city_values.get(y) for t in targets], "decimal") for y in data.years
    ]
    columns += [
        Column(f"{data.year} 年序时进度应达", [t.expected for t in targets], "decimal"),
        Column("完成度", [t.city_attainment for t in targets], "percent"),
        Column("状态", [t.city_status for t in targets]),
    ]
    book.table(sheet, columns, first_row=start)


def _ranking(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("综合排名")
    frame = data.ranking
    columns = [
        Column("排名", list(frame["rank"]), "rank"),
        Column("区县编码", list(frame.index)),
        Column("区县名称", list(frame["unit_name"])),
        Column("综合得分", list(frame["score"]), "score"),
        Column("梯队", list(frame["tier"])),
        Column("得分变化", list(frame["score_change"]), "signed"),
        Column("上年排名", list(frame["previous_rank"]), "rank"),
        Column("位次变化", list(frame["rank_change"]), "int"),
        Column("TOPSIS 贴近度", list(frame["topsis"]), "weight"),
    ]
    columns += [Column(d.name, list(frame[d.code]), "score") for d in data.dimensions]
    book.table(sheet, columns, freeze=3)
    n = len(frame)
    first_dim = 9
    sheet.conditional_format(
        1,
        first_dim,
        n,
        first_dim + len(data.dimensions) - 1,
        {"type": "2_color_scale", "min_color": "#F7FBFF", "max_color": "#6BAED6"},
    )
    _bar_chart(
        book,
        sheet,
        "综合排名",
        n,
        category_col=2,
        value_col=3,
        title=f"{data.year} 年综合得分",
        at_col=len(columns) + 1,
    )


def _bar_chart(
    book: _Book, sheet: Any, name: str, n: int, category_col: int, value_col: int, title: str, at_col: int
) -> None:
    chart = book.workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": title,
            "categories": [name, 1, category_col, n, category_col],
            "values": [name, 1, value_col, n, value_col],
            "fill": {"color": OKABE_ITO[0]},
            "data_labels": {"value": True, "num_format": "0.00"},
        }
    )
    chart.set_title({"name": title})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": "0"})
    chart.set_legend({"none": True})
    sheet.insert_chart(1, at_col, chart, {"x_scale": 1.4, "y_scale": max(1.0, n * 22 / 288)})


def _dimensions(book: _Book, data: ReportData, document: Document) -> None:
    scores = data.evaluation.scores.xs(data.year, level="year")
    ranks = data.evaluation.ranks.xs(data.year, level="year")
    changes = data.evaluation.score_change.xs(data.year, level="year")
    for dim in data.dimensions:
        name = f"{dim.code} {dim.name}"
        sheet = book.sheet(name)
        sheet_name = sheet.get_name()
        units = (
            data.ranking.assign(
                _r=ranks[dim.code].reindex(data.ranking.index).fillna(np.inf), _c=data.ranking.index
            )
            .sort_values(["_r", "_c"])
            .index
        )
        children = list(dim.children or [])
        columns = [
            Column("排名", [ranks.at[u, dim.code] for u in units], "rank"),
            Column("区县编码", list(units)),
            Column("区县名称", [data.name(str(u)) for u in units]),
            Column(f"{dim.name}得分", [scores.at[u, dim.code] for u in units], "score"),
            Column("得分变化", [changes.at[u, dim.code] for u in units], "signed"),
        ]
        columns += [
            Column(f"{c.code} {c.name}", [scores.at[u, c.code] for u in units], "score") for c in children
        ]
        book.table(sheet, columns, freeze=3)
        _bar_chart(book, sheet, sheet_name, len(units), 2, 3, f"{dim.name}得分", len(columns) + 1)


def _targets(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("目标完成度")
    targets = list(data.targets)
    columns = [
        Column("指标编码", [t.code for t in targets]),
        Column("指标", [t.name for t in targets]),
        Column("单位", [t.unit for t in targets]),
        Column("方向", [DIRECTION_TEXT[t.direction] for t in targets]),
        Column("目标值", [t.target for t in targets], "value"),
        Column("目标年份", [t.target_year for t in targets], "int"),
        Column("基期值", [t.baseline for t in targets], "value"),
        Column("基期年份", [t.baseline_year for t in targets], "int"),
        Column("目标来源", [t.source for t in targets]),
        Column(f"{data.year} 年序时进度应达", [t.expected for t in targets], "decimal"),
    ]
    columns += [Column(s, [t.counts[s] for t in targets], "int") for s in STATUSES]
    columns += [Column("平均完成度", [t.mean_attainment for t in targets], "percent")]
    book.table(sheet, columns, freeze=2)
    if targets:
        chart = book.workbook.add_chart({"type": "bar", "subtype": "stacked"})
        first = 10
        for j, status in enumerate(STATUSES):
            chart.add_series(
                {
                    "name": ["目标完成度", 0, first + j],
                    "categories": ["目标完成度", 1, 1, len(targets), 1],
                    "values": ["目标完成度", 1, first + j, len(targets), first + j],
                    "fill": {"color": STATUS_COLOURS[status]},
                }
            )
        chart.set_title({"name": f"{data.year} 年各指标目标完成情况（单元数）"})
        chart.set_y_axis({"reverse": True})
        sheet.insert_chart(
            len(targets) + 3, 1, chart, {"x_scale": 1.8, "y_scale": max(1.0, len(targets) * 22 / 288)}
        )
    detail = book.sheet("完成度明细")
    table = data.evaluation.attainment
    table = table[table["year"] == data.year]
    nodes = data.system.nodes
    statuses = [
        NO_DATA if pd.isna(v) else (s if isinstance(s, str) else NOT_MET)
        for v, s in zip(table["value"], table["status"], strict=True)
    ]
    book.table(
        detail,
        [
            Column("区县编码", list(table["unit_code"])),
            Column("区县名称", [data.name(str(u)) for u in table["unit_code"]]),
            Column("指标编码", list(table["indicator_code"])),
            Column("指标", [nodes[str(c)].name for c in table["indicator_code"]]),
            Column("数值", list(table["value"]), "value"),
            Column("目标值", list(table["target"]), "value"),
            Column("目标年份", list(table["target_year"]), "int"),
            Column("序时进度应达", list(table["expected"]), "decimal"),
            Column("完成度", list(table["attainment"]), "percent"),
            Column("状态", statuses),
        ],
        freeze=2,
    )


def _change(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("年度变化")
    if data.previous_year is None or not len(data.change):
        sheet.write_string(0, 0, f"数据中没有 {data.year - 1} 年的评价结果，不作年度比较。")
        return
    frame = data.ranking
    change = data.change.reindex(frame.index)
    dims = data.parts
    columns = [
        Column("区县编码", list(frame.index)),
        Column("区县名称", list(frame["unit_name"])),
        Column("上年排名", list(frame["previous_rank"]), "rank"),
        Column("本年排名", list(frame["rank"]), "rank"),
        Column("位次变化", list(frame["rank_change"]), "int"),
        Column("上年得分", list(frame["previous_score"]), "score"),
        Column("本年得分", list(frame["score"]), "score"),
        Column("得分变化", list(frame["score_change"]), "signed"),
    ]
    columns += [Column(f"Δ{d.name}", list(change[d.code]), "signed") for d in dims]
    columns.append(
        Column(
            "主要因素", [data.system.nodes[d].name if isinstance(d, str) else None for d in change["driver"]]
        )
    )
    book.table(sheet, columns, freeze=2)
    n = len(frame)
    chart = book.workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for j in range(len(dims)):
        col = 8 + j
        chart.add_series(
            {
                "name": ["年度变化", 0, col],
                "categories": ["年度变化", 1, 1, n, 1],
                "values": ["年度变化", 1, col, n, col],
                "fill": {"color": OKABE_ITO[j % len(OKABE_ITO)]},
            }
        )
    chart.set_title({"name": f"得分变化的维度分解（较 {data.previous_year} 年）"})
    chart.set_y_axis({"reverse": True})
    sheet.insert_chart(n + 3, 1, chart, {"x_scale": 1.8, "y_scale": max(1.0, n * 22 / 288)})


def _profiles(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("区县画像")
    rows: list[tuple[Any, ...]] = []
    for p in data.profiles:
        for kind, items in (("优势", p.strengths), ("短板", p.weaknesses)):
            rows.extend(
                (
                    p.unit_code,
                    p.name,
                    p.rank,
                    kind,
                    i.code,
                    i.name,
                    i.value,
                    i.unit,
                    i.score,
                    i.rank,
                    i.ranked,
                    i.mean,
                )
                for i in items
            )
    headers = [
        ("区县编码", "text"),
        ("区县名称", "text"),
        ("综合排名", "rank"),
        ("类型", "text"),
        ("指标编码", "text"),
        ("指标", "text"),
        ("数值", "value"),
        ("单位", "text"),
        ("得分", "score"),
        ("指标排名", "rank"),
        ("参与排名单元数", "int"),
        ("全市平均得分", "score"),
    ]
    columns = [Column(h, [r[i] for r in rows], kind) for i, (h, kind) in enumerate(headers)]
    book.table(sheet, columns, freeze=2)


def _matrix(book: _Book, data: ReportData, name: str, frame: pd.DataFrame, kind: str) -> None:
    sheet = book.sheet(name)
    nodes = data.system.nodes
    index = frame.index
    columns = [
        Column("年份", list(index.get_level_values("year")), "int"),
        Column("区县编码", list(index.get_level_values("unit_code"))),
        Column("区县名称", [data.name(str(u)) for u in index.get_level_values("unit_code")]),
    ]
    for code in frame.columns:
        unit = nodes[code].unit
        header = f"{code} {nodes[code].name}" + (f"（{unit}）" if unit and kind == "value" else "")
        columns.append(Column(header, list(frame[code]), kind))
    book.table(sheet, columns, freeze=3)


def _raw(book: _Book, data: ReportData, document: Document) -> None:
    _matrix(book, data, "原始数据", data.evaluation.raw, "value")


def _normalised(book: _Book, data: ReportData, document: Document) -> None:
    _matrix(book, data, "标准化得分", data.evaluation.normalised, "score")


def _weights(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("权重与方法")
    nodes = data.system.nodes
    w = data.weights
    end = book.table(
        sheet,
        [
            Column("上级", list(w["parent"])),
            Column("节点编码", list(w["child"])),
            Column("节点名称", [nodes[str(c)].name for c in w["child"]]),
            Column("权重", list(w["weight"]), "weight"),
            Column("综合权重", list(w["overall"]), "weight"),
            Column("赋权方法", [WEIGHTING_TEXT.get(str(m), str(m)) for m in w["method"]]),
        ],
        freeze=0,
    )
    sheet.freeze_panes(1, 0)
    method = data.system.method
    settings = [
        ("标准化（默认）", method.normalise),
        ("得分区间", f"[{method.scale[0]:g}, {method.scale[1]:g}]"),
        ("合成方法（默认）", method.aggregate),
        ("赋权方法（默认）", WEIGHTING_TEXT.get(method.weighting, method.weighting)),
        ("缺失值处理", method.missing),
        ("异常值处理", method.treat),
        ("跨年可比", method.comparability),
        ("完成度上限", f"{method.attainment_cap:g}"),
        ("指标体系版本", data.system.version),
    ]
    row = end + 1
    sheet.write_string(row, 0, "方法设置", book.header)
    sheet.write_string(row, 1, "取值", book.header)
    for i, (label, value) in enumerate(settings, start=row + 1):
        sheet.write_string(i, 0, label)
        sheet.write_string(i, 1, str(escape_text(value)))
    row += len(settings) + 2
    if data.ahp:
        book.table(
            sheet,
            [
                Column("AHP 节点", [c.node_code for c in data.ahp]),
                Column("下级节点", ["、".join(c.children) for c in data.ahp]),
                Column("λmax", [c.lambda_max for c in data.ahp], "weight"),
                Column("CI", [c.ci for c in data.ahp], "weight"),
                Column("RI", [c.ri for c in data.ahp], "score"),
                Column("CR", [c.cr for c in data.ahp], "weight"),
                Column("一致性检验", ["通过" if c.passed else "未通过" for c in data.ahp]),
            ],
            first_row=row,
        )


def _definitions(book: _Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("指标说明")
    system = data.system
    indicators = system.indicators
    book.table(
        sheet,
        [
            Column("维度", [system.nodes[system.path(i.code)[1]].name for i in indicators]),
            Column("指标编码", [i.code for i in indicators]),
            Column("指标", [i.name for i in indicators]),
            Column("单位", [i.unit for i in indicators]),
            Column("方向", [DIRECTION_TEXT[i.direction] for i in indicators]),
            Column("标准化方法", [system.normalise_method(i) for i in indicators]),
            Column("下阈值", [i.goalposts[0] if i.goalposts else None for i in indicators], "value"),
            Column("上阈值", [i.goalposts[1] if i.goalposts else None for i in indicators], "value"),
            Column("定义", [i.definition for i in indicators]),
            Column("数据来源", [i.source for i in indicators]),
            Column("说明", [i.remark for i in indicators]),
        ],
        freeze=3,
    )
    if len(data.flags):
        flags = book.sheet("数据处理标记")
        f = data.flags
        book.table(
            flags,
            [
                Column("区县编码", list(f["unit_code"])),
                Column("区县名称", [data.name(str(u)) for u in f["unit_code"]]),
                Column("节点", list(f["node_code"])),
                Column("标记", [FLAG_TEXT.get(str(x), str(x)) for x in f["flag"]]),
            ],
        )


SHEETS: tuple[Callable[[_Book, ReportData, Document], None], ...] = (
    _summary,
    _city,
    _ranking,
    _dimensions,
    _targets,
    _change,
    _profiles,
    _raw,
    _normalised,
    _weights,
    _definitions,
)
