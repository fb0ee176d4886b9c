"""Deterministic Chinese text generated from the numbers (no templates filled by hand, no randomness).

The statements themselves (spread, moves, weakest dimension, lagging targets, falling units, …) are computed in
the analysis layer (:class:`~scoring.analysis.report_data.Findings`); this module words them. Every number in a
sentence is written by :mod:`scoring.report.numbers` from a value of :class:`ReportData`, exactly as the tables
show it; names are written without codes so that a reader (and the test that parses the
numbers back) sees only scores, ranks, counts, years and changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from scoring.analysis.report_data import NO_DATA, NOT_MET, Profile, ReportData
from scoring.pipeline.attainment import AHEAD, BEHIND, ON_TRACK
from scoring.report import numbers as fmt

DISPARITY_WIDE = 30.0  # points between the best and the worst composite that count as a wide gap
BALANCED_DIMENSIONS = (
    5.0  # points between the best and the worst dimension average below which they count as even
)


def _join(names: Iterable[str]) -> str:
    return "、".join(names)


def _tier_label(tier: str) -> str:
    return tier if tier.endswith(("梯队", "档", "级", "期")) else f"“{tier}”档"


def _moved(change: float, unit: str = "分") -> str:
    """``提高 2.10 分`` / ``下降 1.05 分`` / ``持平``."""
    if fmt.score(change) in {"0.00", "-0.00"}:
        return "持平"
    return f"{'提高' if change > 0 else '下降'} {fmt.magnitude(change)} {unit}"


def _places(change: float) -> str:
    if math.isnan(change):
        return ""
    k = int(change)
    if k > 0:
        return f"上升 {k} 位"
    if k < 0:
        return f"下降 {-k} 位"
    return "持平"


def _dimension_name(data: ReportData, code: str) -> str:
    return data.system.nodes[code].name


def summary(data: ReportData) -> list[str]:
    """摘要: coverage, the city average, the leaders, tiers, the biggest moves and the targets."""
    ranked = data.ranking[data.ranking["rank"].notna()]
    n_dims = len(data.dimensions)
    n_indicators = len(data.system.indicators)
    out = [
        f"本报告依据《{data.system.name}》，对 {len(data.ranking)} 个评价单元 {data.year} 年的数字化发展水平"
        f"进行综合评价。评价体系包括 {n_dims} 个维度、{n_indicators} 项指标，综合得分为百分制。"
    ]
    out.append(_city_sentence(data))
    out.append(_leaders_sentence(data))
    if data.tier_names:
        out.append(_tiers_sentence(data))
    if data.previous_year is not None and len(ranked):
        out.append(_moves_sentence(data))
    if data.targets:
        out.append(_targets_sentence(data))
    out.append(_dimension_extremes_sentence(data))
    return out


def _city_sentence(data: ReportData) -> str:
    mean = float(data.city_mean.loc[data.year, data.composite])
    text = f"{data.year} 年全市综合指数平均为 {fmt.score(mean)} 分"
    if data.previous_year is not None:
        before = float(data.city_mean.loc[data.previous_year, data.composite])
        change = float(np.round(mean, 2) - np.round(before, 2))
        text += f"，较 {data.previous_year} 年的 {fmt.score(before)} 分{_moved(change)}"
    return text + "。"


def _leaders_sentence(data: ReportData) -> str:
    ranked = data.ranking[data.ranking["rank"].notna()]
    if not len(ranked):
        return "本年度没有可排名的评价单元。"
    first = ranked[ranked["rank"] == 1]
    if len(first) > 1:
        text = f"{_join(first['unit_name'])}以 {fmt.score(first['score'].iloc[0])} 分并列第一"
    else:
        text = f"{first['unit_name'].iloc[0]}以 {fmt.score(first['score'].iloc[0])} 分位居第一"
    # the rest of the top three, each named once (the leader is not repeated)
    followers = ranked.iloc[len(first) : 3]
    if len(followers):
        text += "，其后依次为" + "、".join(
            f"{row.unit_name}（第 {fmt.rank(row.rank)} 位，{fmt.score(row.score)} 分）"
            for row in followers.itertuples()
        )
    last = ranked.iloc[-1]
    spread = data.findings.spread
    text += f"；{last['unit_name']}得分最低，为 {fmt.score(last['score'])} 分，最高分与最低分相差 {fmt.score(spread)} 分。"
    return text


def _tiers_sentence(data: ReportData) -> str:
    counts = data.tier_counts[data.year]
    parts = "、".join(f"{_tier_label(name)} {n} 个" for name, n in counts.items())
    return f"按综合得分划分梯队：{parts}。"


def _moves_sentence(data: ReportData) -> str:
    moves = data.findings.moves
    assert moves is not None
    text = (
        f"与 {data.previous_year} 年相比，{moves.up} 个单元位次上升、{moves.down} 个下降、{moves.same} 个持平"
    )
    if moves.riser is not None:
        best = data.ranking.loc[moves.riser]
        text += f"；上升最多的是{best['unit_name']}（{_rank_path(best)}{_driver_phrase(data, moves.riser)}）"
    if moves.faller is not None:
        worst = data.ranking.loc[moves.faller]
        text += (
            f"，下降最多的是{worst['unit_name']}（{_rank_path(worst)}{_driver_phrase(data, moves.faller)}）"
        )
    return text + "。"


def _rank_path(row: pd.Series) -> str:
    previous, now = int(row["previous_rank"]), int(row["rank"])
    verb = "升至" if now < previous else "降至"
    return f"由第 {previous} 位{verb}第 {now} 位"


def _driver_phrase(data: ReportData, unit: str) -> str:
    """``；得分提高 1.69 分，数字产业化贡献 +1.38 分，居各维度之首``: the score change and its largest part in the
    direction it moved (a rank can fall while the score rises, so this describes the score, not the rank)."""
    if unit not in data.change.index:
        return ""
    driver = data.change.at[unit, "driver"]
    if not isinstance(driver, str):
        return ""
    total = float(data.change.at[unit, "total"])
    part = float(data.change.at[unit, driver])
    verb = "贡献" if total > 0 else "拖累"
    return f"；得分{_moved(total)}，{_dimension_name(data, driver)}{verb} {fmt.signed(part)} 分，居各维度之首"


def _targets_sentence(data: ReportData) -> str:
    counts = data.city_status_counts
    words = {
        AHEAD: "已提前完成",
        ON_TRACK: "符合序时进度",
        BEHIND: "滞后",
        NOT_MET: "未达目标（无序时进度可比）",
        NO_DATA: "无数据",
    }
    # every status with a count, so the parts add up to the number of targeted indicators
    parts = "、".join(f"{words.get(s, s)} {n} 项" for s, n in counts.items() if n)
    text = f"在设有规划目标的 {len(data.targets)} 项指标中，按全市平均值计，{parts}"
    worst = data.findings.most_behind
    if worst is not None:
        text += f"；滞后单元最多的指标是{worst.name}（{worst.counts[BEHIND]} 个单元滞后）"
    return text + "。"


def _dimension_extremes_sentence(data: ReportData) -> str:
    high, low = data.findings.strongest_dimension, data.findings.weakest_dimension
    means = data.city_mean.loc[data.year]
    return (
        f"分维度看，全市平均得分最高的是{_dimension_name(data, high)}（{fmt.score(float(means[high]))} 分），"
        f"最低的是{_dimension_name(data, low)}（{fmt.score(float(means[low]))} 分）。"
    )


def overview(data: ReportData) -> list[str]:
    """全市总体情况: the city averages over the years and the city against its targets."""
    first, last = data.years[0], data.years[-1]
    out = []
    if first != last:
        a = float(data.city_mean.loc[first, data.composite])
        b = float(data.city_mean.loc[last, data.composite])
        change = float(np.round(b, 2) - np.round(a, 2))
        out.append(
            f"{first}—{last} 年，全市综合指数平均分由 {fmt.score(a)} 分变为 {fmt.score(b)} 分，{_moved(change)}。"
        )
    out.append(_city_sentence(data))
    if data.targets:
        out.append(_targets_sentence(data))
        behind = [t for t in data.targets if t.city_status == BEHIND]
        if behind:
            out.append(
                "全市平均值滞后于序时进度的指标："
                + "；".join(
                    f"{t.name}（全市平均 {fmt.value(t.city_values[data.year])}，序时进度应达 {fmt.value(t.expected)}）"
                    for t in behind
                )
                + "。"
            )
    return out


def ranking_text(data: ReportData) -> list[str]:
    """区县综合排名与梯队: the leaders and who is in which tier."""
    out = [_leaders_sentence(data)]
    if data.tier_names:
        parts = []
        for name in data.tier_names:
            members = data.ranking[data.ranking["tier"] == name]["unit_name"]
            if len(members):
                parts.append(f"{_tier_label(name)}（{len(members)} 个）：{_join(members)}")
        out.append("各梯队单元：" + "；".join(parts) + "。")
    return out


def dimension_text(data: ReportData, code: str) -> str:
    """One dimension: best, worst and the city average."""
    summary = data.findings.dimensions[code]
    if summary.best is None or summary.worst is None:
        return f"{_dimension_name(data, code)}本年度没有得分。"
    column = data.ranking[code].astype(float)
    return (
        f"{_dimension_name(data, code)}：{data.name(summary.best)}得分最高（{fmt.score(column[summary.best])} 分），"
        f"{data.name(summary.worst)}最低（{fmt.score(column[summary.worst])} 分），"
        f"全市平均 {fmt.score(summary.mean)} 分，{summary.above} 个单元高于平均。"
    )


def targets_text(data: ReportData) -> list[str]:
    """目标完成度: which indicators lag, and where."""
    if not data.targets:
        return ["本指标体系未设置规划目标。"]
    out = [_targets_sentence(data)]
    for t in data.findings.behind_targets[:5]:
        out.append(
            f"{t.name}：{t.counts[BEHIND]} 个单元滞后于序时进度（{data.year} 年应达 {fmt.value(t.expected)}"
            f"{t.unit}），分别是{_join(data.name(u) for u in t.behind_units)}。"
        )
    return out


def change_text(data: ReportData) -> list[str]:
    """年度变化: the moves and what drove them."""
    if data.previous_year is None or not len(data.change):
        return [f"数据中没有 {data.year - 1} 年的评价结果，本报告不作年度比较。"]
    out = [_moves_sentence(data)]
    rising, changed = data.findings.rising, data.findings.changed
    if changed:
        if rising == changed:
            counted = f"全部 {changed} 个单元综合得分均有提高。"
        elif not rising:
            counted = f"全部 {changed} 个单元综合得分均未提高。"
        else:
            counted = f"{rising} 个单元综合得分提高、{changed - rising} 个未提高。"
        out.append(
            counted
            + "各单元得分变化按维度分解为各维度加权得分的变化 ⟦Δ(w'_d S_d)⟧，各维度贡献之和等于综合得分的变化。"
        )
    return out


def profile_text(data: ReportData, profile: Profile) -> list[str]:
    """区县画像: position, change, gap to the leader and where it lies."""
    text = f"{profile.name}综合得分 {fmt.score(profile.score)} 分，在 {profile.ranked} 个评价单元中排名第 {fmt.rank(profile.rank)} 位"
    if profile.tier:
        text += f"，位于{_tier_label(profile.tier)}"
    if not math.isnan(profile.score_change):
        text += f"；较上年{_moved(profile.score_change)}，位次{_places(profile.rank_change)}"
    out = [text + "。"]
    if profile.lead_over_next is not None:
        ranked = data.ranking[data.ranking["rank"].notna()]
        runner_up = str(ranked["unit_name"].iloc[1])
        out.append(f"{profile.name}领先第二名{runner_up} {fmt.score(profile.lead_over_next)} 分。")
    elif profile.unit_code != profile.leader_code:
        largest = profile.widest_gap
        out.append(
            f"与排名第一的{data.name(profile.leader_code)}相差 {fmt.score(profile.gap_to_leader)} 分，"
            f"差距最大的是{largest.name}（按权重计 {fmt.score(largest.gap_to_leader)} 分）。"
        )
    strengths = (
        "优势指标：" + "、".join(f"{p.name}（第 {p.rank} 位）" for p in profile.strengths)
        if profile.strengths
        else "没有排名居前三分之一的指标，暂无明显优势指标"
    )
    weaknesses = (
        "短板指标：" + "、".join(f"{p.name}（第 {p.rank} 位）" for p in profile.weaknesses)
        if profile.weaknesses
        else "没有排名居后三分之一的指标，暂无明显短板指标"
    )
    out.append(f"{strengths}；{weaknesses}。")
    return out


def recommendations(data: ReportData) -> list[str]:
    """问题与建议: each item a finding from the numbers followed by what it suggests. Rules, in order: the weakest
    dimension, lagging targets, the spread between units, units whose score fell, data completeness."""
    out = []
    found = data.findings
    means = data.city_mean.loc[data.year].astype(float)
    weakest, strongest = found.weakest_dimension, found.strongest_dimension
    composite_mean = float(means[data.composite])
    low_children = [data.system.nodes[c].name for c in found.weakest_children]
    if means[strongest] - means[weakest] < BALANCED_DIMENSIONS:
        finding = (
            f"各维度全市平均得分差距不大（最高的{_dimension_name(data, strongest)} {fmt.score(means[strongest])} 分，"
            f"最低的{_dimension_name(data, weakest)} {fmt.score(means[weakest])} 分），相对薄弱的是"
            f"{_dimension_name(data, weakest)}。"
        )
    else:
        finding = (
            f"{_dimension_name(data, weakest)}是全市的薄弱维度：平均得分 {fmt.score(means[weakest])} 分，"
            f"为各维度最低（综合指数平均 {fmt.score(composite_mean)} 分）。"
        )
    out.append(finding + f"建议将其列为下一年度工作重点，优先补齐{_join(low_children)}等平均得分最低的方面。")
    lagging = found.lagging_targets
    if lagging:
        out.append(
            f"进度明显滞后（全市平均值滞后于序时进度，或半数以上有数据的单元滞后）的指标有 {len(lagging)} 项："
            f"{_join(t.name for t in lagging)}。建议对照规划目标分解年度任务，按季度跟踪滞后单元。"
        )
    ranked = data.ranking[data.ranking["rank"].notna()]
    if len(ranked) > 1:
        spread = found.spread
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        wording = "区域发展不均衡问题突出" if spread >= DISPARITY_WIDE else "区域差距相对可控"
        out.append(
            f"最高分（{top['unit_name']}，{fmt.score(top['score'])} 分）与最低分（{bottom['unit_name']}，"
            f"{fmt.score(bottom['score'])} 分）相差 {fmt.score(spread)} 分，{wording}。建议领先单元与末位单元"
            "结对协作，共享算力、平台和应用场景，缩小差距。"
        )
    if found.falling:
        worst = found.falling[0]
        driver = data.change.at[worst, "driver"]
        reason = (
            f"，其中{data.name(worst)}下降最多（{fmt.signed(float(data.change.at[worst, 'total']))} 分），"
            f"主要来自{_dimension_name(data, str(driver))}（{fmt.signed(float(data.change.at[worst, str(driver)]))} 分）"
            if isinstance(driver, str)
            else ""
        )
        out.append(
            f"综合得分较上年下降的单元有 {len(found.falling)} 个：{_join(data.name(u) for u in found.falling)}{reason}。"
            "建议相关单元查找原因，制定整改措施。"
        )
    if len(data.flags):
        counts = found.flag_counts
        # a value marked 不适用 is a legitimate answer (the indicator does not apply to the unit): it is neither
        # missing nor a fault to be remedied, so only missing and imputed values are named here
        missing = int(counts.get("missing", 0))
        imputed = int(counts.get("imputed", 0))
        parts = [f"{label} {n} 项" for label, n in (("缺失", missing), ("插补", imputed)) if n]
        if parts:
            handled = "其权重已在同级指标间按比例重新分配" if not imputed else "缺失值已按同组均值插补"
            out.append(f"本年度数据中{'、'.join(parts)}，{handled}。建议统一统计口径，提高填报完整性。")
    return out
