"""二、评价体系与方法: the indicator tree with its weights, the plan targets, the formulas the system actually
uses and the AHP consistency checks. The workbook carries these numbers in the appendix's 权重与方法 and 指标说明
sheets."""

from __future__ import annotations

from scoring.analysis.report_data import NOT_MET, ReportData
from scoring.pipeline.attainment import AHEAD, BEHIND, ON_TRACK
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.labels import DIRECTION_TEXT
from scoring.report.language import _
from scoring.report.math import inline
from scoring.report.methods_text import formula, method_formula, method_label
from scoring.report.model import Block, Formula, Paragraph
from scoring.report.options import ReportOptions
from scoring.system.models import Node, QuantileTiers


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    system = data.system
    w.chapter_heading(_("评价体系与方法"), "methods")
    w.section_heading(_("指标体系"), "methods-system")
    description = system.description or system.name
    w.paragraphs(
        [
            f"{description.strip()}",
            _(
                "指标体系共 {dimensions} 个维度、{indicators} 项指标（见表 {value}），各指标的解释与数据来源见附录。",
                dimensions=len(data.dimensions),
                indicators=len(system.indicators),
                value=w.tables + 1,
            ),
        ]
    )
    weights = data.weights.set_index("child")
    rows = []
    for node, depth, _parent in system.walk():
        if depth == 0:
            continue
        indent = _("　") * (depth - 1)
        rows.append(
            [
                f"{indent}{node.code}",
                f"{indent}{node.name}",
                node.unit or "",
                _direction(node),
                fmt.weight(float(weights.at[node.code, "weight"]))
                if node.code in weights.index
                else fmt.MISSING,
                fmt.weight(float(weights.at[node.code, "overall"]))
                if node.code in weights.index
                else fmt.MISSING,
            ]
        )
    w.table(
        "indicators",
        _("评价指标及权重"),
        [_("编码"), _("名称"), _("单位"), _("方向"), _("权重（上级内）"), _("综合权重")],
        rows,
        align="lllcrr",
        note=_(
            "权重为 {year} 年实际使用的名义权重；综合权重为自综合指数至该节点路径上各级权重之积。",
            year=data.year,
        ),
    )
    targets = [i for i in system.indicators if i.all_targets]
    if targets:
        w.section_heading(_("规划目标"), "methods-targets")
        rows = []
        for i in targets:
            for target in i.all_targets:
                baseline = target.baseline
                value = (
                    _(
                        "年均增长 {annual_rate}%（至 {level}）",
                        annual_rate=fmt.value(target.annual_rate),
                        level=fmt.with_unit(fmt.value(target.level), i.unit),
                    )
                    if target.annual_rate is not None
                    else fmt.with_unit(fmt.value(target.level), i.unit)
                )
                if target.by_unit:
                    value += _("；分解到区县：") + _("、").join(
                        f"{system.unit_names.get(u, u)} {fmt.value(v)}" for u, v in target.by_unit.items()
                    )
                rows.append(
                    [
                        i.code,
                        i.name,
                        value,
                        str(target.year or ""),
                        _("{value}（{year}）", value=fmt.value(baseline.value), year=baseline.year)
                        if baseline
                        else "",
                        target.source or "",
                    ]
                )
        w.table(
            "target_definitions",
            _("指标的规划目标"),
            [_("编码"), _("指标"), _("目标值"), _("目标年份"), _("基期值（年）"), _("目标来源")],
            rows,
            align="llrrrl",
        )
    w.section_heading(_("计算方法"), "methods-formulas")
    for block in method_blocks(data):
        w.add(block)
    if data.ahp:
        w.section_heading(_("层次分析法一致性检验"), "methods-ahp")
        rows = []
        for check in data.ahp:
            names = _("、").join(
                f"{system.nodes[c].name} {fmt.weight(wt)}"
                for c, wt in zip(check.children, check.weights, strict=True)
            )
            rows.append(
                [
                    f"{check.node_code} {check.node_name}",
                    names,
                    f"{check.lambda_max:.4f}",
                    f"{check.ci:.4f}",
                    f"{check.ri:.2f}",
                    f"{check.cr:.4f}",
                    _("通过") if check.passed else _("未通过"),
                ]
            )
        text, where = formula("ahp_check")
        w.table(
            "ahp",
            _("判断矩阵一致性检验"),
            [_("节点"), _("下级权重"), "λmax", "CI", "RI", "CR", _("结论")],
            rows,
            align="llrrrrl",
            note=_("{text}；{where}", text=text, where=where),
        )


def _direction(node: Node) -> str:
    """正向 / 逆向 for a scored indicator, 加分项 / 扣分项 for points; nothing for a dimension."""
    if not node.is_indicator:
        return ""
    if node.role == "bonus":
        return _("加分项")
    if node.role == "deduction":
        return _("扣分项")
    return _(DIRECTION_TEXT[node.direction])


def method_blocks(data: ReportData) -> list[Block]:
    """The formulas the system actually uses, each with a sentence saying where it applies."""
    system = data.system
    method = system.method
    lo, hi = method.scale
    scale = {"lo": float(lo), "hi": float(hi)}
    used: dict[str, list[str]] = {}
    for indicator in system.indicators:
        used.setdefault(system.normalise_method(indicator), []).append(indicator.code)
    out: list[Block] = [
        Paragraph(_("1. 标准化（得分区间 [{lo}, {hi}]，得分越高越好）。", lo=fmt.value(lo), hi=fmt.value(hi)))
    ]
    for name, codes in used.items():
        text, where = method_formula(
            "normalise", name, **scale, base=method.efficacy.base, span=method.efficacy.span
        )
        applies = _("全部指标") if len(codes) == len(system.indicators) else _("、").join(codes)
        out.append(Formula(text, _("{where}适用指标：{applies}。", where=where, applies=applies)))
    logged = [i.code for i in system.indicators if i.transform == "log"]
    if logged:
        text, where = method_formula("transform", "log")
        out.append(Formula(text, _("{where}适用指标：{logged}。", where=where, logged=_("、").join(logged))))
    out.append(Paragraph(_("2. 赋权与合成（自下而上逐级计算）。")))
    weighting = sorted({system.weighting_method(n) for n, _depth, _parent in system.walk() if n.children})
    for name in weighting:
        text, where = method_formula("weighting", name, alpha=method.combine.alpha)
        out.append(Formula(text, _("{value}：{where}", value=method_label("weighting", name), where=where)))
    aggregations = sorted({system.aggregate_method(n) for n, _depth, _parent in system.walk() if n.children})
    for name in aggregations:
        text, where = method_formula("aggregate", name)  # every aggregation has its record's formula
        out.append(Formula(text, where))
    out.append(Formula(*method_formula("missing", "renormalise")))
    adjustments = [n for n in system.indicators if n.role != "score"]
    if adjustments:
        text, where = formula("points")
        out.append(
            Formula(
                text,
                _("{where}适用指标：", where=where)
                + _("、").join(
                    _(
                        "{code}（{value}，{value2}）",
                        code=n.code,
                        value=inline(f"k = {fmt.value(n.points.per_unit)}"),
                        value2=inline(f"c = {fmt.value(n.points.cap)}"),
                    )
                    for n in adjustments
                    if n.points
                )
                + _("。"),
            )
        )
    out.append(Paragraph(_("3. 排名、梯队与目标完成度。")))
    out.append(Paragraph(_("排名：得分最高者为第 1 名，同分并列取最小名次。")))
    tiers = system.tiers
    if isinstance(tiers, QuantileTiers):
        out.append(
            Paragraph(
                _(
                    "梯队：按名次等分为 {quantile} 组：{quantile2}。",
                    quantile=len(tiers.quantile),
                    quantile2=_("、").join(tiers.quantile),
                )
            )
        )
    elif tiers:
        ordered = sorted(tiers, key=lambda t: -t.min)
        out.append(
            Paragraph(
                _("梯队：")
                + _("；").join(
                    _("{name}：综合得分 ≥ {min} 分", name=t.name, min=fmt.value(t.min)) for t in ordered
                )
                + _("（取满足条件的最高档）。")
            )
        )
    text, where = formula("attainment", cap=fmt.percent(method.attainment_cap, 0))
    out.append(Formula(text, where))
    text, where = formula("schedule")
    out.append(
        Formula(
            text,
            _(
                "{where}已达到目标为“{AHEAD}”；未达到目标但不低于序时进度应达值为“{ON_TRACK}”；低于应达值为“{BEHIND}”；目标未给出基期值的，未达到目标记为“{NOT_MET}”。",
                where=where,
                AHEAD=_(AHEAD),
                ON_TRACK=_(ON_TRACK),
                BEHIND=_(BEHIND),
                NOT_MET=_(NOT_MET),
            ),
        )
    )
    out.append(Formula(*formula("change")))
    if method.comparability == "pooled":
        comparability = _(
            "合并各年数据计算（加入新一年数据后，以前各年的得分随之重新计算，可能与已发布的结果不同）"
        )
    elif method.comparability == "frozen" and method.base_years is not None:
        first, last = method.base_years
        comparability = _(
            "以基期 {first}—{last} 年的数据确定后固定用于各年（加入新一年数据不改变已发布年份的得分；超出基期上下限的值按满分或零分计）",
            first=first,
            last=last,
        )
    else:
        comparability = _("逐年计算")
    out.append(
        Paragraph(
            _(
                "数据驱动的计算步骤（如极差标准化的上下限、熵权）{comparability}；固定阈值和目标值法的得分跨年可比。全市平均为各评价单元的简单算术平均，不按人口或经济规模加权。",
                comparability=comparability,
            )
        )
    )
    return out


CHAPTER = Chapter("methods", "评价体系与方法", blocks)
