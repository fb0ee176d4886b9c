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
from scoring.report.language import _, current
from scoring.report.maps import layout, map_nodes
from scoring.system.geometry import REASON_POINT, REASONS

if TYPE_CHECKING:
    from scoring.analysis.report_data import ReportData
    from scoring.report.chapter import Writer
    from scoring.report.model import Document
    from scoring.report.options import ReportOptions

SHEET = _("地图")  # the sheet's name in the Chinese edition (the English edition translates it)


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    shown = layout(data)
    if not shown.drawable:
        return
    w.section_heading(_("得分空间分布"), "maps")
    source = shown.source or _("单位名单指定的边界文件 {file}", file=shown.file)
    text = _(
        "以下各图按得分为各区县着色（颜色越亮得分越高，色阶按图中得分的最小值至最大值伸展），先综合得分，后各维度。边界来源：{source}；地图为示意图，不作为权属界线依据。",
        source=source,
    )
    w.paragraphs([text])
    nodes = map_nodes(data)
    for part, (_code, name) in enumerate(nodes, start=1):
        w.figure(f"map:{part}", _("{year} 年{name}得分分布图", year=data.year, name=name))
        if part == 1 and shown.unlisted:
            rows = [
                [
                    data.name(code),
                    code,
                    _("以点标注") if reason == REASON_POINT else _("未绘制"),
                    REASONS[reason][0 if current() == "zh" else 1],
                ]
                for code, reason in shown.unlisted.items()
            ]
            w.table(
                "map_unlisted",
                _("未以边界绘制的单元"),
                [_("单元"), _("编码"), _("地图表示"), _("原因")],
                rows,
                align="llll",
                note=_(
                    "功能区（如高新区、起步区）按园区管理，没有官方的行政区划边界，与所在行政区在地域上重叠，"
                    "故以点标注或在此列出；其得分见排名表。"
                ),
            )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    shown = layout(data)
    if not shown.drawable:
        return
    sheet = book.sheet(_(SHEET))
    codes = list(data.ranking.index)
    drawn = {s.code for s in shown.shapes}

    def shown_as(code: str) -> str:
        if code in drawn:
            return _("边界")
        return _("点") if shown.unlisted.get(code) == REASON_POINT else _("未绘制")

    nodes = map_nodes(data)
    columns = [
        Column(_("区县编码"), codes),
        Column(_("区县名称"), [data.name(c) for c in codes]),
        Column(_("地图表示"), [shown_as(c) for c in codes]),
        Column(
            _("原因"),
            [
                REASONS[shown.unlisted[c]][0 if current() == "zh" else 1] if c in shown.unlisted else ""
                for c in codes
            ],
        ),
        Column(_("经度"), [_coordinate(shown.points, c, 0) for c in codes], "decimal"),
        Column(_("纬度"), [_coordinate(shown.points, c, 1) for c in codes], "decimal"),
    ]
    columns += [
        Column(_("{name}得分", name=name), list(data.ranking[column]), "score") for column, name in nodes
    ]
    after = book.table(sheet, columns, freeze=2)
    sheet.write(
        after + 1, 0, _("边界来源：{value}（示意图，不作为权属界线依据）", value=shown.source or shown.file)
    )
    keys = [f.chart for f in document.figures if f.chart.startswith("map:")]
    if not keys:  # a report without charts
        return
    from scoring.report.charts import png_size, render_charts

    row = after + 3
    for key, png in render_charts(data, keys).items():
        _code, name = nodes[int(key.split(":", 1)[1]) - 1]
        sheet.write(row, 0, _("{year} 年{name}得分分布图", year=data.year, name=name), book.title)
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
