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
from scoring.report.language import _, sentences

DISPARITY_WIDE = 30.0  # points between the best and the worst composite that count as a wide gap
BALANCED_DIMENSIONS = (
    5.0  # points between the best and the worst dimension average below which they count as even
)


def _join(names: Iterable[str]) -> str:
    return _("、").join(names)


def _tier_label(tier: str) -> str:
    return tier if tier.endswith(("梯队", "档", "级", "期")) else _("“{tier}”档", tier=tier)


def _moved(change: float, unit: str | None = None) -> str:
    """``提高 2.10 分`` / ``下降 1.05 分`` / ``持平``."""
    if fmt.score(change) in {"0.00", "-0.00"}:
        return _("持平")
    unit = _("分") if unit is None else unit
    if change > 0:
        return _("提高 {size} {unit}", size=fmt.magnitude(change), unit=unit)
    return _("下降 {size} {unit}", size=fmt.magnitude(change), unit=unit)


def _places(change: float) -> str:
    if math.isnan(change):
        return ""
    k = int(change)
    if k > 0:
        return _("上升 {k} 位", k=k)
    if k < 0:
        return _("下降 {value} 位", value=-k)
    return _("持平")


def _dimension_name(data: ReportData, code: str) -> str:
    return data.system.nodes[code].name


def summary(data: ReportData) -> list[str]:
    """摘要: coverage, the city average, the leaders, tiers, the biggest moves and the targets."""
    ranked = data.ranking[data.ranking["rank"].notna()]
    n_dims = len(data.dimensions)
    n_indicators = len(data.system.indicators)
    out = [
        _(
            "本报告依据《{name}》，对 {ranking} 个评价单元 {year} 年的数字化发展水平进行综合评价。评价体系包括 {n_dims} 个维度、{n_indicators} 项指标，综合得分为百分制。",
            name=data.system.name,
            ranking=len(data.ranking),
            year=data.year,
            n_dims=n_dims,
            n_indicators=n_indicators,
        )
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
    text = _("{year} 年全市综合指数平均为 {mean} 分", year=data.year, mean=fmt.score(mean))
    if data.previous_year is not None:
        before = float(data.city_mean.loc[data.previous_year, data.composite])
        change = float(np.round(mean, 2) - np.round(before, 2))
        text += _(
            "，较 {previous_year} 年的 {before} 分{change}",
            previous_year=data.previous_year,
            before=fmt.score(before),
            change=_moved(change),
        )
    return text + _("。")


def _leaders_sentence(data: ReportData) -> str:
    ranked = data.ranking[data.ranking["rank"].notna()]
    if not len(ranked):
        return _("本年度没有可排名的评价单元。")
    first = ranked[ranked["rank"] == 1]
    if len(first) > 1:
        text = _(
            "{unit_name}以 {iloc} 分并列第一",
            unit_name=_join(first["unit_name"]),
            iloc=fmt.score(first["score"].iloc[0]),
        )
    else:
        text = _(
            "{iloc}以 {iloc2} 分位居第一",
            iloc=first["unit_name"].iloc[0],
            iloc2=fmt.score(first["score"].iloc[0]),
        )
    # the rest of the top three, each named once (the leader is not repeated)
    followers = ranked.iloc[len(first) : 3]
    if len(followers):
        text += _("，其后依次为") + _("、").join(
            _(
                "{unit_name}（第 {rank} 位，{score} 分）",
                unit_name=row.unit_name,
                rank=fmt.rank(row.rank),
                score=fmt.score(row.score),
            )
            for row in followers.itertuples()
        )
    last = ranked.iloc[-1]
    spread = data.findings.spread
    text += _(
        "；{unit_name}得分最低，为 {score} 分，最高分与最低分相差 {spread} 分。",
        unit_name=last["unit_name"],
        score=fmt.score(last["score"]),
        spread=fmt.score(spread),
    )
    return text


def _tiers_sentence(data: ReportData) -> str:
    counts = data.tier_counts[data.year]
    parts = _("、").join(_("{name} {n} 个", name=_tier_label(name), n=n) for name, n in counts.items())
    return _("按综合得分划分梯队：{parts}。", parts=parts)


def _moves_sentence(data: ReportData) -> str:
    moves = data.findings.moves
    assert moves is not None
    text = _(
        "与 {previous_year} 年相比，{up} 个单元位次上升、{down} 个下降、{same} 个持平",
        previous_year=data.previous_year,
        up=moves.up,
        down=moves.down,
        same=moves.same,
    )
    if moves.riser is not None:
        best = data.ranking.loc[moves.riser]
        text += _(
            "；上升最多的是{unit_name}（{best}{data}）",
            unit_name=best["unit_name"],
            best=_rank_path(best),
            data=_driver_phrase(data, moves.riser),
        )
    if moves.faller is not None:
        worst = data.ranking.loc[moves.faller]
        text += _(
            "，下降最多的是{unit_name}（{worst}{data}）",
            unit_name=worst["unit_name"],
            worst=_rank_path(worst),
            data=_driver_phrase(data, moves.faller),
        )
    return text + _("。")


def _rank_path(row: pd.Series) -> str:
    previous, now = int(row["previous_rank"]), int(row["rank"])
    verb = _("升至") if now < previous else _("降至")
    return _("由第 {previous} 位{verb}第 {now} 位", previous=previous, verb=verb, now=now)


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
    verb = _("贡献") if total > 0 else _("拖累")
    return _(
        "；得分{total}，{data}{verb} {part} 分，居各维度之首",
        total=_moved(total),
        data=_dimension_name(data, driver),
        verb=verb,
        part=fmt.signed(part),
    )


def _targets_sentence(data: ReportData) -> str:
    counts = data.city_status_counts
    words = {
        AHEAD: _("已提前完成"),
        ON_TRACK: _("符合序时进度"),
        BEHIND: _("滞后"),
        NOT_MET: _("未达目标（无序时进度可比）"),
        NO_DATA: _("无数据"),
    }
    # every status with a count, so the parts add up to the number of targeted indicators
    parts = _("、").join(_("{s} {n} 项", s=words.get(s, s), n=n) for s, n in counts.items() if n)
    text = _(
        "在设有规划目标的 {targets} 项指标中，按全市平均值计，{parts}", targets=len(data.targets), parts=parts
    )
    worst = data.findings.most_behind
    if worst is not None:
        text += _(
            "；滞后单元最多的指标是{name}（{counts} 个单元滞后）",
            name=worst.name,
            counts=worst.counts[BEHIND],
        )
    return text + _("。")


def _dimension_extremes_sentence(data: ReportData) -> str:
    high, low = data.findings.strongest_dimension, data.findings.weakest_dimension
    means = data.city_mean.loc[data.year]
    return _(
        "分维度看，全市平均得分最高的是{data}（{means} 分），最低的是{data2}（{means2} 分）。",
        data=_dimension_name(data, high),
        means=fmt.score(float(means[high])),
        data2=_dimension_name(data, low),
        means2=fmt.score(float(means[low])),
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
            _(
                "{first}—{last} 年，全市综合指数平均分由 {a} 分变为 {b} 分，{change}。",
                first=first,
                last=last,
                a=fmt.score(a),
                b=fmt.score(b),
                change=_moved(change),
            )
        )
    out.append(_city_sentence(data))
    if data.targets:
        out.append(_targets_sentence(data))
        behind = [t for t in data.targets if t.city_status == BEHIND]
        if behind:
            out.append(
                _("全市平均值滞后于序时进度的指标：")
                + _("；").join(
                    _(
                        "{name}（全市平均 {city_values}，序时进度应达 {expected}）",
                        name=t.name,
                        city_values=fmt.value(t.city_values[data.year]),
                        expected=fmt.value(t.expected),
                    )
                    for t in behind
                )
                + _("。")
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
                parts.append(
                    _(
                        "{name}（{members} 个）：{members2}",
                        name=_tier_label(name),
                        members=len(members),
                        members2=_join(members),
                    )
                )
        out.append(_("各梯队单元：") + _("；").join(parts) + _("。"))
    return out


def dimension_text(data: ReportData, code: str) -> str:
    """One dimension: best, worst and the city average."""
    summary = data.findings.dimensions[code]
    if summary.best is None or summary.worst is None:
        return _("{data}本年度没有得分。", data=_dimension_name(data, code))
    column = data.ranking[code].astype(float)
    return _(
        "{data}：{best}得分最高（{column} 分），{worst}最低（{column2} 分），全市平均 {mean} 分，{above} 个单元高于平均。",
        data=_dimension_name(data, code),
        best=data.name(summary.best),
        column=fmt.score(column[summary.best]),
        worst=data.name(summary.worst),
        column2=fmt.score(column[summary.worst]),
        mean=fmt.score(summary.mean),
        above=summary.above,
    )


def targets_text(data: ReportData) -> list[str]:
    """目标完成度: which indicators lag, and where."""
    if not data.targets:
        return [_("本指标体系未设置规划目标。")]
    out = [_targets_sentence(data)]
    for t in data.findings.behind_targets[:5]:
        out.append(
            _(
                "{name}：{counts} 个单元滞后于序时进度（{year} 年应达 {expected}），分别是{value}。",
                name=t.name,
                counts=t.counts[BEHIND],
                year=data.year,
                expected=fmt.with_unit(fmt.value(t.expected), t.unit),
                value=_join(data.name(u) for u in t.behind_units),
            )
        )
    return out


def change_text(data: ReportData) -> list[str]:
    """年度变化: the moves and what drove them."""
    if data.previous_year is None or not len(data.change):
        return [_("数据中没有 {value} 年的评价结果，本报告不作年度比较。", value=data.year - 1)]
    out = [_moves_sentence(data)]
    rising, changed = data.findings.rising, data.findings.changed
    if changed:
        if rising == changed:
            counted = _("全部 {changed} 个单元综合得分均有提高。", changed=changed)
        elif not rising:
            counted = _("全部 {changed} 个单元综合得分均未提高。", changed=changed)
        else:
            counted = _(
                "{rising} 个单元综合得分提高、{value} 个未提高。", rising=rising, value=changed - rising
            )
        out.append(
            sentences(
                counted,
                _(
                    "各单元得分变化按维度分解为各维度加权得分的变化 ⟦Δ(w'_d S_d)⟧，各维度贡献之和等于综合得分的变化。"
                ),
            )
        )
    return out


def profile_text(data: ReportData, profile: Profile) -> list[str]:
    """区县画像: position, change, gap to the leader and where it lies."""
    text = _(
        "{name}综合得分 {score} 分，在 {ranked} 个评价单元中排名第 {rank} 位",
        name=profile.name,
        score=fmt.score(profile.score),
        ranked=profile.ranked,
        rank=fmt.rank(profile.rank),
    )
    if profile.tier:
        text += _("，位于{tier}", tier=_tier_label(profile.tier))
    if not math.isnan(profile.score_change):
        text += _(
            "；较上年{score_change}，位次{rank_change}",
            score_change=_moved(profile.score_change),
            rank_change=_places(profile.rank_change),
        )
    out = [text + _("。")]
    if profile.lead_over_next is not None:
        ranked = data.ranking[data.ranking["rank"].notna()]
        runner_up = str(ranked["unit_name"].iloc[1])
        out.append(
            _(
                "{name}领先第二名{runner_up} {lead_over_next} 分。",
                name=profile.name,
                runner_up=runner_up,
                lead_over_next=fmt.score(profile.lead_over_next),
            )
        )
    elif profile.unit_code != profile.leader_code:
        largest = profile.widest_gap
        out.append(
            _(
                "与排名第一的{leader_code}相差 {gap_to_leader} 分，差距最大的是{name}（按权重计 {gap_to_leader2} 分）。",
                leader_code=data.name(profile.leader_code),
                gap_to_leader=fmt.score(profile.gap_to_leader),
                name=largest.name,
                gap_to_leader2=fmt.score(largest.gap_to_leader),
            )
        )
    strengths = (
        _("优势指标：")
        + _("、").join(_("{name}（第 {rank} 位）", name=p.name, rank=p.rank) for p in profile.strengths)
        if profile.strengths
        else _("没有排名居前三分之一的指标，暂无明显优势指标")
    )
    weaknesses = (
        _("短板指标：")
        + _("、").join(_("{name}（第 {rank} 位）", name=p.name, rank=p.rank) for p in profile.weaknesses)
        if profile.weaknesses
        else _("没有排名居后三分之一的指标，暂无明显短板指标")
    )
    out.append(_("{strengths}；{weaknesses}。", strengths=strengths, weaknesses=weaknesses))
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
        finding = _(
            "各维度全市平均得分差距不大（最高的{data} {means} 分，最低的{data2} {means2} 分），相对薄弱的是{data2}。",
            data=_dimension_name(data, strongest),
            means=fmt.score(means[strongest]),
            data2=_dimension_name(data, weakest),
            means2=fmt.score(means[weakest]),
        )
    else:
        finding = _(
            "{data}是全市的薄弱维度：平均得分 {means} 分，为各维度最低（综合指数平均 {composite_mean} 分）。",
            data=_dimension_name(data, weakest),
            means=fmt.score(means[weakest]),
            composite_mean=fmt.score(composite_mean),
        )
    out.append(
        sentences(
            finding,
            _(
                "建议将其列为下一年度工作重点，优先补齐{low_children}等平均得分最低的方面。",
                low_children=_join(low_children),
            ),
        )
    )
    lagging = found.lagging_targets
    if lagging:
        out.append(
            _(
                "进度明显滞后（全市平均值滞后于序时进度，或半数以上有数据的单元滞后）的指标有 {lagging} 项：{value}。建议对照规划目标分解年度任务，按季度跟踪滞后单元。",
                lagging=len(lagging),
                value=_join(t.name for t in lagging),
            )
        )
    ranked = data.ranking[data.ranking["rank"].notna()]
    if len(ranked) > 1:
        spread = found.spread
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        wording = _("区域发展不均衡问题突出") if spread >= DISPARITY_WIDE else _("区域差距相对可控")
        out.append(
            _(
                "最高分（{unit_name}，{score} 分）与最低分（{unit_name2}，{score2} 分）相差 {spread} 分，{wording}。建议领先单元与末位单元结对协作，共享算力、平台和应用场景，缩小差距。",
                unit_name=top["unit_name"],
                score=fmt.score(top["score"]),
                unit_name2=bottom["unit_name"],
                score2=fmt.score(bottom["score"]),
                spread=fmt.score(spread),
                wording=wording,
            )
        )
    if found.falling:
        worst = found.falling[0]
        driver = data.change.at[worst, "driver"]
        reason = (
            _(
                "，其中{worst}下降最多（{at} 分），主要来自{data}（{at2} 分）",
                worst=data.name(worst),
                at=fmt.signed(float(data.change.at[worst, "total"])),
                data=_dimension_name(data, str(driver)),
                at2=fmt.signed(float(data.change.at[worst, str(driver)])),
            )
            if isinstance(driver, str)
            else ""
        )
        out.append(
            _(
                "综合得分较上年下降的单元有 {falling} 个：{value}{reason}。建议相关单元查找原因，制定整改措施。",
                falling=len(found.falling),
                value=_join(data.name(u) for u in found.falling),
                reason=reason,
            )
        )
    if len(data.flags):
        counts = found.flag_counts
        # a value marked 不适用 is a legitimate answer (the indicator does not apply to the unit): it is neither
        # missing nor a fault to be remedied, so only missing and imputed values are named here
        missing = int(counts.get("missing", 0))
        imputed = int(counts.get("imputed", 0))
        parts = [
            _("{label} {n} 项", label=label, n=n)
            for label, n in ((_("缺失"), missing), (_("插补"), imputed))
            if n
        ]
        if parts:
            handled = _("其权重已在同级指标间按比例重新分配") if not imputed else _("缺失值已按同组均值插补")
            out.append(
                _(
                    "本年度数据中{parts}，{handled}。建议统一统计口径，提高填报完整性。",
                    parts=_("、").join(parts),
                    handled=handled,
                )
            )
    return out
