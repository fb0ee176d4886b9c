"""The chapters of the annual evaluation report (综合评价报告), written once as format-neutral blocks.

Chapters, in the order users expect: 摘要 → 评价体系与方法 → 全市总体情况 → 区县综合排名与梯队 → 分维度评价 →
目标完成度 → 年度变化 → 区县画像 → 问题与建议 → 附录. Tables and figures are numbered in reading order; every cell
is written by :mod:`scoring.report.numbers`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from scoring.pipeline.attainment import AHEAD, BEHIND, ON_TRACK
from scoring.problems import DigiscoreError
from scoring.report import charts, narrative
from scoring.report import numbers as fmt
from scoring.report.analysis import DIRECTION_TEXT, NO_DATA, NOT_MET, Profile, ReportData
from scoring.report.model import (
    Block,
    Bullets,
    Cover,
    Document,
    Figure,
    Formula,
    Heading,
    PageBreak,
    Paragraph,
    Table,
)
from scoring.system.models import Node, QuantileTiers

FLAG_TEXT = {
    "missing": "缺失",
    "not_applicable": "不适用",
    "imputed": "已插补",
    "winsorised": "已缩尾",
    "log": "已对数变换",
    "renormalised": "权重已重新分配",
}
WEIGHTING_TEXT = {
    "fixed": "固定权重（专家赋权）",
    "equal": "等权",
    "entropy": "熵权法",
    "critic": "CRITIC 法",
    "ahp": "层次分析法",
    "combined": "组合赋权",
}


@dataclass(frozen=True)
class ReportOptions:
    """What the office may set on a report; the numbers always come from the evaluation."""

    title: str | None = None  # default: "<system name>综合评价报告（<year> 年度）"
    issuer: str | None = None  # 编制单位, on the cover
    issued: date | None = (
        None  # 发布日期, on the cover (none: left out, so the bytes do not depend on the day)
    )
    charts: bool = True  # False: no figures (faster; the tables carry every number)
    robustness_runs: int = 1000  # replications of the robustness appendix (0: left out)
    robustness_seed: int = 20241124  # its seed, printed in the appendix, so the numbers can be reproduced


class _Writer:
    """Collects blocks and numbers chapters, sections, tables and figures."""

    def __init__(self, charts: bool):
        self.blocks: list[Block] = []
        self.charts = charts
        self.chapter = 0
        self.section = 0
        self.tables = 0
        self.figures = 0

    def chapter_heading(self, title: str, anchor: str) -> None:
        self.chapter += 1
        self.section = 0
        self.blocks.append(Heading(f"{fmt.chinese_numeral(self.chapter)}、{title}", 1, anchor))

    def section_heading(self, title: str, anchor: str) -> None:
        self.section += 1
        self.blocks.append(Heading(f"（{fmt.chinese_numeral(self.section)}）{title}", 2, anchor))

    def heading(self, text: str, level: int, anchor: str) -> None:
        self.blocks.append(Heading(text, level, anchor))

    def paragraphs(self, texts: list[str], lead: bool = False) -> None:
        self.blocks.extend(Paragraph(t, lead) for t in texts)

    def table(
        self,
        key: str,
        caption: str,
        header: list[str],
        rows: list[list[str]],
        align: str = "",
        note: str = "",
        compact: bool = False,
    ) -> None:
        self.tables += 1
        self.blocks.append(
            Table(
                key=key,
                caption=f"表 {self.tables}  {caption}",
                header=tuple(header),
                rows=tuple(tuple(r) for r in rows),
                align=align,
                note=note,
                compact=compact,
            )
        )

    def figure(self, chart: str, caption: str, width_cm: float = 15.0) -> None:
        if not self.charts:
            return
        self.figures += 1
        self.blocks.append(Figure(chart, f"图 {self.figures}  {caption}", width_cm))


def report_title(data: ReportData, options: ReportOptions) -> str:
    if options.title:
        return options.title
    name = data.system.name.removesuffix("指标体系").removesuffix("评价")
    return f"{name}综合评价报告（{data.year} 年度）"


def build_document(data: ReportData, options: ReportOptions = ReportOptions()) -> Document:
    """The whole report as blocks, from the analysed evaluation."""
    w = _Writer(options.charts)
    _summary(w, data)
    _methods(w, data)
    _city(w, data)
    _ranking(w, data)
    _dimensions(w, data)
    _targets(w, data)
    _change(w, data)
    _profiles(w, data)
    _recommendations(w, data)
    _appendix(w, data)
    if options.robustness_runs > 0:
        _robustness(w, data, options)
    lines = [
        f"评价体系：{data.system.name}（{data.system.version} 版）",
        f"评价年度：{data.year} 年",
        f"评价单元：{len(data.ranking)} 个",
    ]
    if options.issuer:
        lines.append(f"编制单位：{options.issuer}")
    if options.issued:
        lines.append(f"发布日期：{options.issued.year} 年 {options.issued.month} 月 {options.issued.day} 日")
    return Document(Cover(report_title(data, options), data.system.name, tuple(lines)), tuple(w.blocks))


def _summary(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("摘要", "summary")
    w.paragraphs(narrative.summary(data), lead=True)
    ranked = data.ranking[data.ranking["rank"].notna()]
    rows = [
        ["评价单元数", str(len(data.ranking))],
        ["维度数 / 指标数", f"{len(data.dimensions)} / {len(data.system.indicators)}"],
        ["综合指数全市平均", fmt.score(float(data.city_mean.loc[data.year, data.composite]))],
    ]
    if len(ranked):
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        rows += [
            ["最高分", f"{top['unit_name']} {fmt.score(top['score'])}"],
            ["最低分", f"{bottom['unit_name']} {fmt.score(bottom['score'])}"],
        ]
    for name, count in data.tier_counts.get(data.year, {}).items():
        rows.append([f"梯队：{name}", str(count)])
    if data.targets:
        statuses = [t.city_status for t in data.targets]
        rows.append(
            [
                "规划目标（全市平均）",
                f"提前完成 {statuses.count(AHEAD)} / 符合预期 {statuses.count(ON_TRACK)} / 滞后 {statuses.count(BEHIND)}",
            ]
        )
    w.table("key_figures", f"{data.year} 年评价主要数据", ["项目", "数值"], rows, align="lr")


def _methods(w: _Writer, data: ReportData) -> None:
    system = data.system
    w.chapter_heading("评价体系与方法", "methods")
    w.section_heading("指标体系", "methods-system")
    description = system.description or system.name
    w.paragraphs(
        [
            f"{description.strip()}",
            f"指标体系共 {len(data.dimensions)} 个维度、{len(system.indicators)} 项指标（见表 {w.tables + 1}），"
            "各指标的解释与数据来源见附录。",
        ]
    )
    weights = data.weights.set_index("child")
    rows = []
    for node, depth, _ in system.walk():
        if depth == 0:
            continue
        indent = "　" * (depth - 1)
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
        "评价指标及权重",
        ["编码", "名称", "单位", "方向", "权重（上级内）", "综合权重"],
        rows,
        align="lllcrr",
        note=f"权重为 {data.year} 年实际使用的名义权重；综合权重为自综合指数至该节点路径上各级权重之积。",
    )
    targets = [i for i in system.indicators if i.target is not None]
    if targets:
        w.section_heading("规划目标", "methods-targets")
        rows = []
        for i in targets:
            assert i.target is not None
            baseline = i.target.baseline
            rows.append(
                [
                    i.code,
                    i.name,
                    f"{fmt.value(i.target.value)}{i.unit or ''}",
                    str(i.target.year or ""),
                    f"{fmt.value(baseline.value)}（{baseline.year}）" if baseline else "",
                    i.target.source or "",
                ]
            )
        w.table(
            "target_definitions",
            "指标的规划目标",
            ["编码", "指标", "目标值", "目标年份", "基期值（年）", "目标来源"],
            rows,
            align="llrrrl",
        )
    w.section_heading("计算方法", "methods-formulas")
    for block in method_blocks(data):
        w.blocks.append(block)
    if data.ahp:
        w.section_heading("层次分析法一致性检验", "methods-ahp")
        rows = []
        for check in data.ahp:
            names = "、".join(
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
                    "通过" if check.passed else "未通过",
                ]
            )
        w.table(
            "ahp",
            "判断矩阵一致性检验",
            ["节点", "下级权重", "λmax", "CI", "RI", "CR", "结论"],
            rows,
            align="llrrrrl",
            note="CI = (λmax − n)/(n − 1)，CR = CI/RI(n)；CR < 0.1 为通过一致性检验。",
        )


def _direction(node: Node) -> str:
    """正向 / 逆向 for a scored indicator, 加分项 / 扣分项 for points; nothing for a dimension."""
    if not node.is_indicator:
        return ""
    if node.role == "bonus":
        return "加分项"
    if node.role == "deduction":
        return "扣分项"
    return DIRECTION_TEXT[node.direction]


def method_blocks(data: ReportData) -> list[Block]:
    """The formulas the system actually uses, each with a sentence saying where it applies."""
    system = data.system
    method = system.method
    lo, hi = (fmt.value(v) for v in method.scale)
    used: dict[str, list[str]] = {}
    for indicator in system.indicators:
        used.setdefault(system.normalise_method(indicator), []).append(indicator.code)
    out: list[Block] = [Paragraph(f"1. 标准化（得分区间 [{lo}, {hi}]，得分越高越好）。")]
    formulas = {
        "goalpost": (
            f"y = {lo} + ({hi} − {lo})·clip((x − L)/(U − L), 0, 1)；逆向指标 r = (U − x)/(U − L)",
            "L、U 为指标的固定上下阈值，跨年不变，因此不同年份的得分可以直接比较。",
        ),
        "minmax": (
            f"y = {lo} + ({hi} − {lo})·(x − min)/(max − min)；逆向指标为 (max − x)/(max − min)",
            "min、max 为同组（同一年或合并各年）各单元的最小值和最大值；全部相等时得满分。",
        ),
        "zscore": ("y = m + s·(x − x̄)/σ", "x̄、σ 为同组的均值和样本标准差。"),
        "target": (
            f"y = {lo} + ({hi} − {lo})·clip((x − floor)/(target − floor), 0, 1)",
            "target 为目标值，floor 为下阈值或同组最差值；达到目标即得满分。",
        ),
        "efficacy": (
            f"y = {fmt.value(method.efficacy.base)} + {fmt.value(method.efficacy.span)}·clip((x − floor)/(target − floor), 0, 1)",
            "功效系数法：floor 为下阈值或同组最差值，target 为目标值。",
        ),
        "rank": (f"y = {lo} + ({hi} − {lo})·(r − 1)/(n − 1)", "r 为该单元在 n 个单元中的升序名次。"),
    }
    formulas["goalposts"] = formulas["goalpost"]
    formulas["percentile"] = formulas["rank"]
    for name, codes in used.items():
        formula, where = formulas.get(name, (name, ""))
        applies = "全部指标" if len(codes) == len(system.indicators) else "、".join(codes)
        out.append(Formula(formula, f"{where}适用指标：{applies}。"))
    logged = [i.code for i in system.indicators if i.transform == "log"]
    if logged:
        out.append(
            Formula(
                "x ← ln(1 + x)",
                f"对数变换，先于标准化，阈值与目标值同样变换。适用指标：{'、'.join(logged)}。",
            )
        )
    out.append(Paragraph("2. 赋权与合成（自下而上逐级计算）。"))
    weighting = sorted({system.weighting_method(n) for n, _, _ in system.walk() if n.children})
    weighting_formulas = {
        "fixed": ("w_j = a_j / Σ_k a_k", "a_j 为指标体系给定的权重。"),
        "equal": ("w_j = 1/k", "k 为同级节点数。"),
        "entropy": (
            "p_ij = y_ij/Σ_i y_ij，e_j = −(1/ln n)·Σ_i p_ij ln p_ij，w_j = (1 − e_j)/Σ_k (1 − e_k)",
            "熵权法，权重由当年数据确定。",
        ),
        "critic": ("C_j = σ_j·Σ_k (1 − r_jk)，w_j = C_j/Σ_k C_k", "CRITIC 法，σ 为标准差，r 为相关系数。"),
        "ahp": ("A·w = λmax·w，CR = CI/RI < 0.1", "层次分析法，w 为判断矩阵 A 的主特征向量。"),
        "combined": (
            f"w = α·w_主观 + (1 − α)·w_客观（α = {fmt.value(method.combine.alpha)}）",
            "组合赋权。",
        ),
    }
    for name in weighting:
        formula, where = weighting_formulas.get(name, (name, ""))
        out.append(Formula(formula, f"{WEIGHTING_TEXT.get(name, name)}：{where}"))
    aggregations = sorted({system.aggregate_method(n) for n, _, _ in system.walk() if n.children})
    for name in aggregations:
        if name == "geometric":
            out.append(Formula("S = Π_j y_j^(w′_j)", "加权几何平均。"))
        else:
            out.append(Formula("S = Σ_j w′_j·y_j", "加权算术平均。"))
    out.append(
        Paragraph(
            "缺失或标注“不适用”的指标不参与合成，其权重按比例分给同级有值的指标：w′_j = w_j / Σ_(k 有值) w_k。"
        )
    )
    adjustments = [n for n in system.indicators if n.role != "score"]
    if adjustments:
        out.append(
            Formula(
                "加分 = +min(cap, k·x)，扣分 = −min(cap, k·x)",
                "加分项、扣分项不参与标准化和赋权，其分值直接计入上级得分，结果限制在得分区间内。适用指标："
                + "、".join(
                    f"{n.code}（k = {fmt.value(n.points.per_unit)}，cap = {fmt.value(n.points.cap)}）"
                    for n in adjustments
                    if n.points
                )
                + "。",
            )
        )
    out.append(Paragraph("3. 排名、梯队与目标完成度。"))
    out.append(Paragraph("排名：得分最高者为第 1 名，同分并列取最小名次。"))
    tiers = system.tiers
    if isinstance(tiers, QuantileTiers):
        out.append(Paragraph(f"梯队：按名次等分为 {len(tiers.quantile)} 组：{'、'.join(tiers.quantile)}。"))
    elif tiers:
        ordered = sorted(tiers, key=lambda t: -t.min)
        out.append(
            Paragraph(
                "梯队："
                + "；".join(f"{t.name}：综合得分 ≥ {fmt.value(t.min)} 分" for t in ordered)
                + "（取满足条件的最高档）。"
            )
        )
    cap = fmt.percent(method.attainment_cap, 0)
    out.append(Formula(f"完成度 = min(x/目标值, {cap})；逆向指标为 min(目标值/x, {cap})", "按原始数据计算。"))
    out.append(
        Formula(
            "序时进度应达值 = 基期值 + (目标值 − 基期值)·(Y − 基期年)/(目标年 − 基期年)",
            f"已达到目标为“{AHEAD}”；未达到目标但不低于序时进度应达值为“{ON_TRACK}”；低于应达值为“{BEHIND}”；"
            f"目标未给出基期值的，未达到目标记为“{NOT_MET}”。",
        )
    )
    out.append(
        Formula(
            "ΔS_i = Σ_d Δ(w′_d·S_d)",
            "年度变化分解：单元 i 综合得分的变化等于各维度加权得分（对综合得分的贡献）变化之和。",
        )
    )
    comparability = "合并各年数据" if method.comparability == "pooled" else "逐年"
    out.append(
        Paragraph(
            f"数据驱动的计算步骤（如 min-max 的上下限、熵权）按{comparability}计算；固定阈值和目标值法的得分跨年可比。"
            "全市平均为各评价单元的简单算术平均，不按人口或经济规模加权。"
        )
    )
    return out


def _unit_figures(w: _Writer, data: ReportData, chart: str, caption: str) -> None:
    """A chart with one row per unit, split into parts that each fit a page."""
    n = charts.parts(len(data.ranking))
    for part in range(1, n + 1):
        w.figure(f"{chart}:{part}", caption if n == 1 else f"{caption}（{part}/{n}）")


def _city(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("全市总体情况", "city")
    w.paragraphs(narrative.overview(data))
    dims = list(data.dimensions)
    rows = []
    for year in data.years:
        row = data.city_mean.loc[year]
        rows.append(
            [str(year), fmt.score(float(row[data.composite]))] + [fmt.score(float(row[d.code])) for d in dims]
        )
    w.table(
        "city_trend",
        "全市综合指数与各维度平均得分",
        ["年份", data.system.composite.name] + [d.name for d in dims],
        rows,
        align="l" + "r" * (len(dims) + 1),
    )
    w.figure("trend", "全市综合指数与各维度平均得分变化", 14)
    if data.targets:
        header = (
            ["指标", "单位", "目标值（年）"]
            + [f"{y} 年全市平均" for y in data.years]
            + [
                f"{data.year} 年序时进度应达",
                "完成度",
                "状态",
            ]
        )
        rows = []
        for t in data.targets:
            rows.append(
                [t.name, t.unit, f"{fmt.value(t.target)}（{t.target_year or '—'}）"]
                + [fmt.value(t.city_values.get(y)) for y in data.years]
                + [fmt.value(t.expected), fmt.percent(t.city_attainment), t.city_status]
            )
        w.table(
            "city_targets",
            "全市平均值的目标完成情况",
            header,
            rows,
            align="llr" + "r" * len(data.years) + "rrl",
            note="全市平均为各评价单元的简单平均；目标值为指标体系中折算到评价单元的目标。",
            compact=True,
        )


def _ranking(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("区县综合排名与梯队", "ranking")
    w.paragraphs(narrative.ranking_text(data))
    rows = []
    for _, row in data.ranking.iterrows():
        rows.append(
            [
                fmt.rank(row["rank"]),
                str(row["unit_name"]),
                fmt.score(row["score"]),
                row["tier"] or "",
                fmt.signed(row["score_change"]),
                fmt.rank_move(row["rank_change"]),
            ]
            + [fmt.score(row[d.code]) for d in data.dimensions]
        )
    w.table(
        "ranking",
        f"{data.year} 年综合得分与排名",
        ["排名", "区县", "综合得分", "梯队", "得分变化", "位次变化"] + [d.name for d in data.dimensions],
        rows,
        align="rlrlrr" + "r" * len(data.dimensions),
        note="得分变化、位次变化与上一年度相比；位次变化 ↑ 为上升。",
        compact=True,
    )
    _unit_figures(w, data, "ranking", f"{data.year} 年综合得分（按梯队着色）")
    if data.tier_names:
        rows = []
        for name in data.tier_names:
            members = data.ranking[data.ranking["tier"] == name]["unit_name"]
            rows.append([name, str(len(members)), "、".join(members)])
        w.table("tiers", "梯队划分", ["梯队", "单元数", "单元"], rows, align="lrl")


def _dimensions(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("分维度评价", "dimensions")
    if w.charts:
        w.paragraphs(["各单元分维度得分见下图（单元按综合排名排列，颜色越亮得分越高）。"])
    _unit_figures(w, data, "heatmap", "各单元分维度得分")
    scores = data.evaluation.scores.xs(data.year, level="year")
    ranks = data.evaluation.ranks.xs(data.year, level="year")
    for dim in data.dimensions:
        w.section_heading(dim.name, f"dimension-{dim.code}")
        w.paragraphs([narrative.dimension_text(data, dim.code)])
        children = list(dim.children or [])
        order = data.ranking.assign(_r=ranks[dim.code].reindex(data.ranking.index).fillna(np.inf))
        order = order.assign(_c=order.index).sort_values(["_r", "_c"])
        rows = []
        for unit in order.index:
            rows.append(
                [
                    fmt.rank(ranks.at[unit, dim.code]),
                    data.name(str(unit)),
                    fmt.score(scores.at[unit, dim.code]),
                ]
                + [fmt.score(scores.at[unit, c.code]) for c in children]
            )
        w.table(
            f"dimension:{dim.code}",
            f"{dim.name}得分与排名",
            ["排名", "区县", "维度得分"] + [c.code for c in children],
            rows,
            align="rlr" + "r" * len(children),
            note="；".join(f"{c.code} {c.name}" for c in children) + "（下级得分）。",
            compact=len(children) > 6,
        )


def _targets(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("目标完成度", "targets")
    w.paragraphs(narrative.targets_text(data))
    if not data.targets:
        return
    rows = []
    for t in data.targets:
        rows.append(
            [
                t.name,
                f"{fmt.value(t.target)}（{t.target_year or '—'}）",
                fmt.value(t.expected),
                *(str(t.counts[s]) for s in (AHEAD, ON_TRACK, BEHIND, NOT_MET, NO_DATA)),
                fmt.percent(t.mean_attainment),
            ]
        )
    w.table(
        "attainment",
        f"{data.year} 年各指标目标完成情况（单元数）",
        ["指标", "目标值（年）", "序时进度应达", AHEAD, ON_TRACK, BEHIND, NOT_MET, NO_DATA, "平均完成度"],
        rows,
        align="lrrrrrrrr",
        note=f"“{NOT_MET}”：未达到目标，且目标没有基期值，无法按序时进度判断。平均完成度为各单元完成度的简单平均。",
        compact=True,
    )
    w.figure("attainment", f"{data.year} 年各指标目标完成情况", 15)
    rows = [[data.name(str(unit))] + [str(int(v)) for v in row] for unit, row in data.unit_targets.iterrows()]
    w.table(
        "unit_attainment",
        "各单元目标完成情况（指标数）",
        ["区县", AHEAD, ON_TRACK, BEHIND, NOT_MET, NO_DATA],
        rows,
        align="lrrrrr",
    )


def _change(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("年度变化", "change")
    w.paragraphs(narrative.change_text(data))
    if data.previous_year is None or not len(data.change):
        return
    dims = data.parts
    rows = []
    for unit, row in data.ranking.iterrows():
        delta = data.change.loc[unit] if unit in data.change.index else None
        driver = delta["driver"] if delta is not None else None
        rows.append(
            [
                str(row["unit_name"]),
                fmt.rank(row["previous_rank"]),
                fmt.rank(row["rank"]),
                fmt.rank_move(row["rank_change"]),
                fmt.score(row["previous_score"]),
                fmt.score(row["score"]),
                fmt.signed(row["score_change"]),
            ]
            + [fmt.signed(float(delta[d.code])) if delta is not None else fmt.MISSING for d in dims]
            + [data.system.nodes[driver].name if isinstance(driver, str) else ""]
        )
    w.table(
        "change",
        f"{data.year} 年较 {data.previous_year} 年的变化及维度贡献",
        ["区县", "上年排名", "本年排名", "位次变化", "上年得分", "本年得分", "得分变化"]
        + [f"Δ{d.name}" for d in dims]
        + ["主要因素"],
        rows,
        align="lrrrrrr" + "r" * len(dims) + "l",
        note="Δ维度为该维度对综合得分贡献（w′_d·S_d）的变化，各维度之和等于得分变化。",
        compact=True,
    )
    _unit_figures(w, data, "change", f"{data.year} 年综合得分变化的维度分解")


def _profiles(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("区县画像", "profiles")
    w.paragraphs(["每个评价单元一页：综合位置、与全市平均的对比（雷达图）、优势与短板指标、与第一名的差距。"])
    for i, profile in enumerate(data.profiles):
        if i:
            w.blocks.append(PageBreak())
        _profile(w, data, profile)


def _profile(w: _Writer, data: ReportData, profile: Profile) -> None:
    w.section_heading(f"{profile.name}（{profile.unit_code}）", f"profile-{profile.unit_code}")
    w.paragraphs(narrative.profile_text(data, profile))
    w.figure(f"radar:{profile.unit_code}", f"{profile.name}各维度得分与全市平均", 7)
    leader = data.name(profile.leader_code)
    rows = [
        [
            d.name,
            fmt.score(d.score),
            fmt.rank(d.rank),
            fmt.score(d.mean),
            fmt.signed(d.score - d.mean if not (math.isnan(d.score) or math.isnan(d.mean)) else float("nan")),
            fmt.score(d.best),
            fmt.score(d.gap_to_leader),
        ]
        for d in profile.dimensions
    ]
    w.table(
        f"profile:{profile.unit_code}",
        f"{profile.name}各维度得分",
        ["维度", "得分", "排名", "全市平均", "与平均差", "最高分", f"与{leader}加权差距"],
        rows,
        align="lrrrrrr",
        note="加权差距：第一名与本单元在该维度对综合得分贡献之差，各维度之和等于综合得分差距。",
    )
    rows = [
        [
            kind,
            p.name,
            f"{fmt.value(p.value)}{p.unit}",
            fmt.score(p.score),
            f"{p.rank}/{p.ranked}",
            fmt.score(p.mean),
        ]
        for kind, items in (("优势", profile.strengths), ("短板", profile.weaknesses))
        for p in items
    ]
    w.table(
        f"profile_indicators:{profile.unit_code}",
        f"{profile.name}优势与短板指标",
        ["类型", "指标", "数值", "得分", "排名", "全市平均得分"],
        rows,
        align="llrrrr",
    )


def _recommendations(w: _Writer, data: ReportData) -> None:
    w.chapter_heading("问题与建议", "recommendations")
    w.blocks.append(Bullets(tuple(narrative.recommendations(data)), numbered=True))


def _appendix(w: _Writer, data: ReportData) -> None:
    system = data.system
    w.blocks.append(Heading("附录", 1, "appendix"))
    w.heading("附录一  指标解释", 2, "appendix-definitions")
    rows = []
    for i in system.indicators:
        note = i.remark or ""
        if i.target and i.target.note:
            note = f"{note} 目标说明：{i.target.note}".strip()
        rows.append([i.code, i.name, i.unit or "", i.definition or "", i.source or "", note])
    w.table(
        "definitions",
        "指标解释与数据来源",
        ["编码", "指标", "单位", "定义", "数据来源", "说明"],
        rows,
        compact=True,
    )
    w.heading("附录二  权重", 2, "appendix-weights")
    rows = [
        [
            str(r.parent),
            f"{r.child} {system.nodes[str(r.child)].name}",
            fmt.weight(float(r.weight)),
            fmt.weight(float(r.overall)),
            WEIGHTING_TEXT.get(str(r.method), str(r.method)),
        ]
        for r in data.weights.itertuples()
    ]
    w.table(
        "weights",
        f"{data.year} 年各级权重",
        ["上级", "节点", "权重", "综合权重", "赋权方法"],
        rows,
        align="llrrl",
    )
    w.heading("附录三  原始数据", 2, "appendix-raw")
    raw = data.evaluation.raw.xs(data.year, level="year")
    for dim in data.dimensions:
        codes = [n.code for n in _leaves(dim)]
        rows = [[data.name(str(u))] + [fmt.value(raw.at[u, c]) for c in codes] for u in data.ranking.index]
        w.table(
            f"raw:{dim.code}",
            f"{data.year} 年原始数据：{dim.name}",
            ["区县", *codes],
            rows,
            align="l" + "r" * len(codes),
            note="；".join(f"{c} {system.nodes[c].name}（{system.nodes[c].unit or '—'}）" for c in codes)
            + "。",
            compact=True,
        )
    if len(data.flags):
        w.heading("附录四  数据处理标记", 2, "appendix-flags")
        rows = [
            [
                data.name(str(r.unit_code)),
                f"{r.node_code} {system.nodes[str(r.node_code)].name}",
                FLAG_TEXT.get(str(r.flag), str(r.flag)),
            ]
            for r in data.flags.itertuples()
        ]
        w.table("flags", f"{data.year} 年数据处理标记", ["区县", "指标 / 维度", "标记"], rows)


ASSUMPTION_TEXT = {
    "weights": "权重",
    "normalisation": "标准化方法",
    "aggregation": "汇总方法",
    "missing": "缺失值处理",
}


def _robustness(w: _Writer, data: ReportData, options: ReportOptions) -> None:
    """附录五: how much the ranking depends on the choices made (OECD/JRC uncertainty and sensitivity analysis)."""
    from scoring.analysis.design import UncertaintySettings
    from scoring.analysis.uncertainty import uncertainty_analysis_matrix

    evaluation = data.evaluation
    w.heading("附录五  稳健性分析", 2, "appendix-robustness")
    try:
        result = uncertainty_analysis_matrix(
            data.system,
            evaluation.raw,
            evaluation.not_applicable,
            data.year,
            np.random.default_rng(options.robustness_seed),
            UncertaintySettings(replications=options.robustness_runs),
        )
    except DigiscoreError as error:
        w.paragraphs([f"本评价未做稳健性分析：{error.problems[0].message_zh}。"])
        return
    sensitivity = result.sensitivity.sort_values("first_order", ascending=False)
    leading = ASSUMPTION_TEXT.get(
        str(sensitivity.iloc[0]["assumption"]), str(sensitivity.iloc[0]["assumption"])
    )
    w.paragraphs(
        [
            f"按照经合组织与欧盟联合研究中心《综合指数编制手册》的方法，在权重扰动、标准化方法、汇总方法和缺失值处理"
            f"方式的不同组合下重复计算 {result.replications} 次（随机种子 {options.robustness_seed}），给出各区县排名的"
            f"中位数和 5%—95% 区间，并以方差分解的一阶敏感性指数衡量各项假设对排名的影响；影响最大的是{leading}。"
        ]
    )
    rows = [
        [
            data.name(str(r.unit_code)),
            str(int(r.nominal_rank)),
            fmt.weight(float(r.median_rank)).rstrip("0").rstrip("."),
            f"{int(r.rank_q05)}—{int(r.rank_q95)}",
        ]
        for r in result.units.itertuples()
    ]
    w.table(
        "robustness",
        f"{data.year} 年排名的不确定性",
        ["区县", "排名", "中位排名", "5%—95% 区间"],
        rows,
        align="lrrr",
    )
    rows = [
        [
            ASSUMPTION_TEXT.get(str(r.assumption), str(r.assumption)),
            str(r.levels),
            fmt.weight(float(r.first_order)),
            fmt.weight(float(r.total_effect)),
        ]
        for r in sensitivity.itertuples()
    ]
    w.table(
        "sensitivity", "各项假设的敏感性指数", ["假设", "取值", "一阶指数", "总效应指数"], rows, align="llrr"
    )


def _leaves(node: Node) -> list[Node]:
    """The indicators under a node, in file order."""
    if node.is_indicator:
        return [node]
    return [leaf for child in node.children or [] for leaf in _leaves(child)]
