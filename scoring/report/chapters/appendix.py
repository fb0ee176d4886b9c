"""附录: 附录一 指标解释, 附录二 权重, 附录三 原始数据, 附录四 数据处理标记; the workbook's 原始数据, 标准化得分,
权重与方法 (weights, method settings, AHP checks), 指标说明 and 数据处理标记 sheets.

The appendix is one chapter because the workbook orders its sheets differently from the Word parts (the data
first, then the weights and the definitions), and both orders are what users know."""

from __future__ import annotations

import pandas as pd

from scoring.analysis.report_data import ReportData
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column
from scoring.report.labels import COMPARABILITY_TEXT, DIRECTION_TEXT, FLAG_TEXT
from scoring.report.language import _
from scoring.report.methods_text import method_label
from scoring.report.model import Document, Heading
from scoring.report.options import ReportOptions
from scoring.system.formula import formula_words
from scoring.system.models import IndicatorSystem, Node


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    system = data.system
    w.add(Heading(_("附录"), 1, "appendix"))
    w.heading(_("附录一  指标解释"), 2, "appendix-definitions")
    rows = []
    for i in system.indicators:
        note = (i.remark or "").replace("⚠", "").strip()  # the form's warning mark, not for the report
        for target in i.all_targets:
            if target.note:
                note = _("{note} 目标说明：{note2}", note=note, note2=target.note).strip()
        if i.formula:
            note = _(
                "{note} 计算公式：{name} = {system}",
                note=note,
                name=i.name,
                system=formula_words(i.formula, {n.code: n.name for n in system.collected}),
            ).strip()
        rows.append([i.code, i.name, i.unit or "", i.definition or "", i.source or "", note])
    w.table(
        "definitions",
        _("指标解释与数据来源"),
        [_("编码"), _("指标"), _("单位"), _("定义"), _("数据来源"), _("说明")],
        rows,
        compact=True,
    )
    w.heading(_("附录二  权重"), 2, "appendix-weights")
    composite = system.composite.code
    rows = [
        [
            system.nodes[composite].name if str(r.parent) == composite else str(r.parent),
            f"{r.child} {system.nodes[str(r.child)].name}",
            fmt.weight(float(r.weight)),
            fmt.weight(float(r.overall)),
            method_label("weighting", str(r.method)),
        ]
        for r in data.weights.itertuples()
    ]
    w.table(
        "weights",
        _("{year} 年各级权重", year=data.year),
        [_("上级"), _("节点"), _("权重"), _("综合权重"), _("赋权方法")],
        rows,
        align="llrrl",
    )
    w.heading(_("附录三  原始数据"), 2, "appendix-raw")
    raw = data.evaluation.raw.xs(data.year, level="year")
    for dim in data.dimensions:
        codes = [n.code for n in _leaves(dim)]
        rows = [[data.name(str(u))] + [fmt.value(raw.at[u, c]) for c in codes] for u in data.ranking.index]
        w.table(
            f"raw:{dim.code}",
            _("{year} 年原始数据：{name}", year=data.year, name=dim.name),
            [_("区县"), *codes],
            rows,
            align="l" + "r" * len(codes),
            note=_("；").join(
                _("{c} {name}（{value}）", c=c, name=system.nodes[c].name, value=system.nodes[c].unit or "—")
                for c in codes
            )
            + _("。"),
            compact=True,
        )
    remarks = year_remarks(data)
    if remarks:
        w.table(
            "remarks",
            _("{year} 年填报备注", year=data.year),
            [_("区县"), _("指标"), _("备注")],
            [
                [data.name(unit), f"{code} {_collected_name(system, code)}", text]
                for unit, code, text in remarks
            ],
            compact=True,
        )
    unavailable = year_unavailable(data)
    if unavailable:
        w.table(
            "unavailable",
            _("{year} 年数据缺失说明", year=data.year),
            [_("区县"), _("指标"), _("缺失原因")],
            [
                [data.name(unit), f"{code} {_collected_name(system, code)}", reason]
                for unit, code, reason in unavailable
            ],
            note=_(
                "以上数值经评价办公室审核认可原因，按缺失处理（按指标体系规定插补或在同一维度内重新分配权重）。"
            ),
            compact=True,
        )
    # a derived value is flagged for every unit: said once under the table, not listed cell by cell
    listed = data.flags[data.flags["flag"] != "derived"] if len(data.flags) else data.flags
    derived = (
        sorted(set(data.flags.loc[data.flags["flag"] == "derived", "node_code"])) if len(data.flags) else []
    )
    if len(listed) or derived:
        w.heading(_("附录四  数据处理标记"), 2, "appendix-flags")
        rows = [
            [
                data.name(str(r.unit_code)),
                f"{r.node_code} {system.nodes[str(r.node_code)].name}",
                _(FLAG_TEXT.get(str(r.flag), str(r.flag))),
            ]
            for r in listed.itertuples()
        ]
        note = (
            _(
                "{codes} 由其组成部分按公式计算（公式见附录一），各区县均如此，表中不逐项列出。",
                codes=_("、").join(f"{c} {system.nodes[c].name}" for c in derived),
            )
            if derived
            else ""
        )
        if rows:
            w.table(
                "flags",
                _("{year} 年数据处理标记", year=data.year),
                [_("区县"), _("指标 / 维度"), _("标记")],
                rows,
                note=note,
            )
        elif note:
            w.paragraphs([note])


def year_remarks(data: ReportData) -> list[tuple[str, str, str]]:
    """The 备注 the districts gave the values of the report's year: (unit, indicator, remark), in unit order;
    the reasons of values declared unavailable are listed apart (:func:`year_unavailable`)."""
    remarks = data.evaluation.remarks
    remarks = remarks[remarks["year"] == data.year]
    declared = {(u, c) for u, c, _ in year_unavailable(data)}
    return [
        (str(u), str(c), str(t))
        for u, c, t in remarks[["unit_code", "indicator_code", "remark"]].itertuples(index=False)
        if (str(u), str(c)) not in declared
    ]


def year_unavailable(data: ReportData) -> list[tuple[str, str, str]]:
    """The values of the report's year declared unavailable (数据缺失说明): (unit, indicator, reason)."""
    table = data.evaluation.unavailable
    table = table[table["year"] == data.year]
    return [
        (str(u), str(c), str(t))
        for u, c, t in table[["unit_code", "indicator_code", "reason"]].itertuples(index=False)
    ]


def _collected_name(system: IndicatorSystem, code: str) -> str:
    """The name of a value a unit fills in: an indicator, or a component of a derived one."""
    return next((node.name for node in system.collected if node.code == code), code)


def _leaves(node: Node) -> list[Node]:
    """The indicators under a node, in file order."""
    if node.is_indicator:
        return [node]
    return [leaf for child in node.children or [] for leaf in _leaves(child)]


def _texts_sheet(
    book: Book, data: ReportData, name: str, head: str, rows: list[tuple[str, str, str]]
) -> None:
    """A sheet of texts given with the data, one row each (unit, indicator, text): the remarks, the reasons for
    data marked unavailable; none without any."""
    if not rows:
        return
    book.table(
        book.sheet(name),
        [
            Column(_("区县编码"), [u for u, _, _ in rows]),
            Column(_("区县名称"), [data.name(u) for u, _, _ in rows]),
            Column(_("指标编码"), [c for _, c, _ in rows]),
            Column(_("指标名称"), [_collected_name(data.system, c) for _, c, _ in rows]),
            Column(head, [t for _, _, t in rows]),
        ],
        freeze=2,
    )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    _matrix(book, data, _("原始数据"), data.evaluation.raw, "value")
    _texts_sheet(book, data, _("填报备注"), _("备注"), year_remarks(data))
    _texts_sheet(book, data, _("数据缺失说明"), _("缺失原因"), year_unavailable(data))
    _matrix(book, data, _("标准化得分"), data.evaluation.normalised, "score")
    _weights(book, data)
    _definitions(book, data)


def _matrix(book: Book, data: ReportData, name: str, frame: pd.DataFrame, kind: str) -> None:
    """Every (year, unit) row of a matrix, one column per node."""
    sheet = book.sheet(name)
    nodes = data.system.nodes
    index = frame.index
    columns = [
        Column(_("年份"), list(index.get_level_values("year")), "int"),
        Column(_("区县编码"), list(index.get_level_values("unit_code"))),
        Column(_("区县名称"), [data.name(str(u)) for u in index.get_level_values("unit_code")]),
    ]
    for code in frame.columns:
        unit = nodes[code].unit
        header = f"{code} {nodes[code].name}" + (
            _("（{unit}）", unit=unit) if unit and kind == "value" else ""
        )
        columns.append(Column(header, list(frame[code]), kind))
    book.table(sheet, columns, freeze=3)


def _weights(book: Book, data: ReportData) -> None:
    """Sheet 权重与方法: the method settings and AHP checks (short) above the weights of every node (long, its
    header repeated on every printed page)."""
    sheet = book.sheet(_("权重与方法"))
    nodes = data.system.nodes
    method = data.system.method
    comparability = _(COMPARABILITY_TEXT.get(method.comparability, method.comparability))
    if method.comparability == "frozen" and method.base_years is not None:
        comparability = _(
            "{label}（{first}—{last} 年）",
            label=comparability,
            first=method.base_years[0],
            last=method.base_years[1],
        )
    settings = [
        (_("标准化（默认）"), method_label("normalise", method.normalise)),
        (_("得分区间"), f"[{method.scale[0]:g}, {method.scale[1]:g}]"),
        (_("合成方法（默认）"), method_label("aggregate", method.aggregate)),
        (_("赋权方法（默认）"), method_label("weighting", method.weighting)),
        (_("缺失值处理"), method_label("missing", method.missing)),
        (_("异常值处理"), method_label("treat", method.treat)),
        (_("跨年可比"), comparability),
        (_("完成度上限"), f"{method.attainment_cap:g}"),
        (_("指标体系版本"), data.system.version),
    ]
    row = book.table(
        sheet,
        [
            Column(_("方法设置"), [label for label, _v in settings]),
            Column(_("取值"), [v for _l, v in settings]),
        ],
        freeze=0,
    )
    if data.ahp:
        row = book.table(
            sheet,
            [
                Column(_("AHP 节点"), [c.node_code for c in data.ahp]),
                Column(_("下级节点"), [_("、").join(c.children) for c in data.ahp]),
                Column("λmax", [c.lambda_max for c in data.ahp], "weight"),
                Column("CI", [c.ci for c in data.ahp], "weight"),
                Column("RI", [c.ri for c in data.ahp], "score"),
                Column("CR", [c.cr for c in data.ahp], "weight"),
                Column(_("一致性检验"), [_("通过") if c.passed else _("未通过") for c in data.ahp]),
            ],
            first_row=row + 1,
        )
    w = data.weights
    composite = data.system.composite.code
    book.table(
        sheet,
        [
            Column(
                _("上级"), [nodes[composite].name if str(p) == composite else str(p) for p in w["parent"]]
            ),
            Column(_("节点编码"), list(w["child"])),
            Column(_("节点名称"), [nodes[str(c)].name for c in w["child"]]),
            Column(_("权重"), list(w["weight"]), "weight"),
            Column(_("综合权重"), list(w["overall"]), "weight"),
            Column(_("赋权方法"), [method_label("weighting", str(m)) for m in w["method"]]),
        ],
        first_row=row + 1,
    )


def _definitions(book: Book, data: ReportData) -> None:
    sheet = book.sheet(_("指标说明"))
    system = data.system
    indicators = system.indicators
    book.table(
        sheet,
        [
            Column(_("维度"), [system.nodes[system.path(i.code)[1]].name for i in indicators]),
            Column(_("指标编码"), [i.code for i in indicators]),
            Column(_("指标"), [i.name for i in indicators]),
            Column(_("单位"), [i.unit for i in indicators]),
            Column(_("方向"), [_(DIRECTION_TEXT[i.direction]) for i in indicators]),
            Column(
                _("标准化方法"), [method_label("normalise", system.normalise_method(i)) for i in indicators]
            ),
            Column(_("下阈值"), [i.goalposts[0] if i.goalposts else None for i in indicators], "value"),
            Column(_("上阈值"), [i.goalposts[1] if i.goalposts else None for i in indicators], "value"),
            Column(_("定义"), [i.definition for i in indicators]),
            Column(_("数据来源"), [i.source for i in indicators]),
            Column(_("说明"), [i.remark for i in indicators]),
        ],
        freeze=3,
    )
    if len(data.flags):
        flags = book.sheet(_("数据处理标记"))
        f = data.flags
        book.table(
            flags,
            [
                Column(_("区县编码"), list(f["unit_code"])),
                Column(_("区县名称"), [data.name(str(u)) for u in f["unit_code"]]),
                Column(_("节点"), list(f["node_code"])),
                Column(_("标记"), [_(FLAG_TEXT.get(str(x), str(x))) for x in f["flag"]]),
            ],
        )


CHAPTER = Chapter("appendix", "附录", blocks, sheets)
