"""The maps of the report: a choropleth of the composite and of each dimension, the units not drawn as
boundaries listed with the reason, and the boundaries' source; the workbook's 地图 sheet.

Written only when the unit list names a boundary file (``geometry:``, :mod:`scoring.system.geometry`): a system
without one has no map section. The section is part of the chapter 区域差异分析 (one call each in
:mod:`scoring.report.chapters.disparity`), between the sources of disparity and the evaluation by class.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from scoring.report.excel import Book, Column
from scoring.report.maps import layout, map_nodes
from scoring.system.geometry import REASON_POINT, REASONS

if TYPE_CHECKING:
    from scoring.analysis.report_data import ReportData
    from scoring.report.chapter import Writer
    from scoring.report.model import Document
    from scoring.report.options import ReportOptions

SHEET = "地图"


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    shown = layout(data)
    if not shown.drawable:
        return
    w.section_heading("得分空间分布", "maps")
    source = shown.source or f"单位名单指定的边界文件 {shown.file}"
    text = (
        f"以下各图按得分为各区县着色（颜色越亮得分越高，色阶按图中得分的最小值至最大值伸展），"
        f"先综合得分，后各维度。边界来源：{source}；地图为示意图，不作为权属界线依据。"
    )
    w.paragraphs([text])
    nodes = map_nodes(data)
    for part, (_, name) in enumerate(nodes, start=1):
        w.figure(f"map:{part}", f"{data.year} 年{name}得分分布图")
        if part == 1 and shown.unlisted:
            rows = [
                [
                    data.name(code),
                    code,
                    "以点标注" if reason == REASON_POINT else "未绘制",
                    REASONS[reason][0],
                ]
                for code, reason in shown.unlisted.items()
            ]
            w.table(
                "map_unlisted",
                "未以边界绘制的单元",
                ["单元", "编码", "地图表示", "原因"],
                rows,
                align="llll",
                note="功能区（如高新区、起步区）按园区管理，没有官方的行政区划边界，与所在行政区在地域上重叠，"
                "故以点标注或在此列出；其得分见排名表。",
            )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    shown = layout(data)
    if not shown.drawable:
        return
    sheet = book.sheet(SHEET)
    codes = list(data.ranking.index)
    drawn = {s.code for s in shown.shapes}

    def shown_as(code: str) -> str:
        if code in drawn:
            return "边界"
        return "点" if shown.unlisted.get(code) == REASON_POINT else "未绘制"

    nodes = map_nodes(data)
    columns = [
        Column("区县编码", codes),
        Column("区县名称", [data.name(c) for c in codes]),
        Column("地图表示", [shown_as(c) for c in codes]),
        Column("原因", [REASONS[shown.unlisted[c]][0] if c in shown.unlisted else "" for c in codes]),
        Column("经度", [_coordinate(shown.points, c, 0) for c in codes], "decimal"),
        Column("纬度", [_coordinate(shown.points, c, 1) for c in codes], "decimal"),
    ]
    columns += [Column(f"{name}得分", list(data.ranking[column]), "score") for column, name in nodes]
    after = book.table(sheet, columns, freeze=2)
    sheet.write(after + 1, 0, f"边界来源：{shown.source or shown.file}（示意图，不作为权属界线依据）")
    keys = [f.chart for f in document.figures if f.chart.startswith("map:")]
    if not keys:  # a report without charts
        return
    from scoring.report.charts import png_size, render_charts

    row = after + 3
    for key, png in render_charts(data, keys).items():
        _, name = nodes[int(key.split(":", 1)[1]) - 1]
        sheet.write(row, 0, f"{data.year} 年{name}得分分布图", book.title)
        row += 1
        width, height = png_size(png)
        scale = 640 / width
        sheet.insert_image(
            row, 0, f"{key}.png", {"image_data": io.BytesIO(png), "x_scale": scale, "y_scale": scale}
        )
        book.drawing(sheet, row, 0, width * scale, height * scale)
        row += math.ceil(height * scale / 20) + 2


def _coordinate(points: dict[str, tuple[float, float]], code: str, i: int) -> float | None:
    point = points.get(code)
    return point[i] if point is not None else None
