"""障碍因子诊断: obstacle degrees (障碍度模型) per unit — the dimensions' obstacle degrees, the main obstacle
dimension and the indicators that hold the unit back most — and the city's common obstacles; the workbook's
障碍因子 sheet. Numbers from :mod:`scoring.analysis.obstacles` through ``ReportData.regional``."""

from __future__ import annotations

from scoring.analysis.report_data import ReportData
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column
from scoring.report.language import _, problem_message
from scoring.report.model import Document, Formula
from scoring.report.options import ReportOptions

LISTED = 3  # indicator obstacles per unit in the report's table (the API and the workbook give five)
COMMON = 5  # common obstacles named in the text


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("障碍因子诊断"), "obstacles")
    regional = data.regional
    result = regional.obstacles
    if result is None:
        w.paragraphs([_("{message}。", message=problem_message(regional.skipped["obstacles"]))])
        return
    nodes = data.system.nodes
    w.paragraphs(
        [
            _(
                "障碍度模型以指标的综合权重为因子贡献度、以指标得分与满分的差距为偏离度，计算各指标对单元综合发展的"
                "阻碍程度；维度的障碍度是其下各指标障碍度之和。"
            )
        ]
    )
    w.add(Formula(r"O_{ij} = \frac{F_j I_{ij}}{\sum_k {F_k I_{ik}}} × 100%"))
    w.add(
        Formula(
            _(r"I_{ij} = \frac{b_j − y_{ij}}{b_j − a_j}，\quad U_{id} = \sum_{j \in d} {O_{ij}}"),
            _(
                "⟦F_j⟧ 为指标 ⟦j⟧ 的综合权重（自综合指数起各级权重之积），⟦y_{ij}⟧ 为单元 ⟦i⟧ 的得分，"
                "⟦[a_j, b_j]⟧ 为其标准化方法的得分区间，⟦O_{ij}⟧ 为障碍度，⟦U_{id}⟧ 为维度 ⟦d⟧ 的障碍度。"
            ),
        )
    )
    common = result.frequency().head(COMMON)
    n_units = len(result.indicators)
    w.paragraphs(
        [
            _("{year} 年出现在最多单元前五位障碍因子中的指标是：", year=data.year)
            + _("；").join(
                _(
                    "{name}（{units}/{n_units} 个单元，平均障碍度 {value}）",
                    name=nodes[str(code)].name,
                    units=int(r["units"]),
                    n_units=n_units,
                    value=fmt.percent(float(r["mean"]) / 100),
                )
                for code, r in common.iterrows()
            )
            + _("。")
        ]
    )
    dims = list(result.dimensions.columns)
    rows = []
    top = result.top
    for unit in data.units:
        if unit not in result.dimensions.index:
            continue
        main = result.main_dimension(unit)
        listed = top[(top["unit_code"] == unit) & (top["order"] <= LISTED)]
        rows.append(
            [data.name(unit)]
            + [fmt.percent(result.dimensions.at[unit, d] / 100) for d in dims]
            + [
                nodes[main].name if main else "",
                _("；").join(
                    f"{nodes[str(r.indicator_code)].name} {fmt.percent(float(r.obstacle) / 100)}"
                    for r in listed.itertuples()
                ),
            ]
        )
    w.table(
        "obstacles",
        _("{year} 年各单元障碍度", year=data.year),
        [
            _("区县"),
            *(nodes[d].name for d in dims),
            _("主要障碍维度"),
            _("前 {LISTED} 位障碍指标", LISTED=LISTED),
        ],
        rows,
        align="l" + "r" * len(dims) + "ll",
        note=_("按综合排名排列；维度障碍度之和为 100%。"),
        compact=True,
    )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    result = data.regional.obstacles
    if result is None:
        return
    nodes = data.system.nodes
    sheet = book.sheet(_("障碍因子"))
    # the dimensions' table (one row per unit) above the top five (five rows per unit), so that the long table
    # comes last and its header can repeat on every printed page
    dims = list(result.dimensions.columns)
    units = [str(u) for u in result.dimensions.index]
    columns = [Column(_("区县编码"), units), Column(_("区县名称"), [data.name(u) for u in units])]
    columns += [Column(nodes[d].name, list(result.dimensions[d] / 100), "percent") for d in dims]
    end = book.table(sheet, columns, freeze=0)
    top = result.top
    columns = [
        Column(_("区县编码"), list(top["unit_code"])),
        Column(_("区县名称"), [data.name(str(u)) for u in top["unit_code"]]),
        Column(_("位次"), list(top["order"]), "int"),
        Column(_("指标编码"), list(top["indicator_code"])),
        Column(_("指标名称"), [nodes[str(c)].name for c in top["indicator_code"]]),
        Column(_("障碍度"), list(top["obstacle"] / 100), "percent"),
    ]
    book.table(sheet, columns, first_row=end + 1)


CHAPTER = Chapter("obstacles", "障碍因子诊断", blocks, sheets)
