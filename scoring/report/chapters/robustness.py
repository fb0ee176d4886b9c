"""附录五 稳健性分析: each unit's rank, median rank and 5–95 % interval under perturbed assumptions and the
sensitivity index of each assumption, from :func:`scoring.analysis.report_data.robustness_analysis` (the
design is ``ReportOptions.robustness``, by default the one design the CLI and the dashboard use). Only when
the analysis was asked for. The workbook's sheet 稳健性分析 holds the same tables at full precision (the rank
quantiles as numbers, the indices unrounded; a negative estimate keeps its value and shows ≈0, as printed here)."""

from __future__ import annotations

from scoring.analysis.design import factor_label, level_labels
from scoring.analysis.report_data import ReportData
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column
from scoring.report.language import _, current, problem_message, span
from scoring.report.model import Document
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    robustness = data.robustness
    if robustness is None:
        return
    w.heading(_("附录五  稳健性分析"), 2, "appendix-robustness")
    result = robustness.result
    if result is None:
        assert robustness.skipped is not None
        w.paragraphs([_("本评价未做稳健性分析：{message}。", message=problem_message(robustness.skipped))])
        return
    leading = factor_label(robustness.leading_assumption, current())
    varied = _("、").join(factor_label(f, current()) for f in result.design.factors)
    adjusted = any(i.role != "score" for i in data.system.indicators)
    flips = "tier_flip" in result.units.columns
    w.paragraphs(
        [
            _(
                "按照经合组织与欧盟联合研究中心《综合指数编制手册》的方法，在{varied}等假设的不同组合下重复计算 {replications} 次（随机种子 {seed}），给出各区县排名的中位数和 5%—95% 区间",
                varied=varied,
                replications=result.replications,
                seed=robustness.settings.seed,
            )
            + (_("和档次变动概率（与本评价档次不同的计算次数占比）") if flips else "")
            + _("，并以方差分解的一阶敏感性指数衡量各项假设对排名的影响；")
            + (_("每次计算都按体系规定计入加分项和扣分项；") if adjusted else "")
            + _("影响最大的是{leading}。", leading=leading)
        ]
    )
    rows = [
        [
            data.name(str(r.unit_code)),
            str(int(r.nominal_rank)),
            fmt.weight(float(r.median_rank)).rstrip("0").rstrip("."),
            span(int(r.rank_q05), int(r.rank_q95)),
            *([fmt.percent(float(r.tier_flip))] if flips else []),
        ]
        for r in result.units.itertuples()
    ]
    w.table(
        "robustness",
        _("{year} 年排名的不确定性", year=data.year),
        [_("区县"), _("排名"), _("中位排名"), _("5%—95% 区间"), *([_("档次变动概率")] if flips else [])],
        rows,
        align="lrrr" + ("r" if flips else ""),
    )
    sensitivity = robustness.sensitivity
    rows = [
        [
            factor_label(str(r.assumption), current()),
            level_labels(str(r.assumption), str(r.levels), current()),
            sensitivity_index(float(r.first_order)),
            sensitivity_index(float(r.total_effect)),
        ]
        for r in sensitivity.itertuples()
    ]
    negative = bool((sensitivity[["first_order", "total_effect"]].astype(float) < 0).any().any())
    w.table(
        "sensitivity",
        _("各项假设的敏感性指数"),
        [_("假设"), _("取值"), _("一阶指数"), _("总效应指数")],
        rows,
        align="llrr",
        note=_("敏感性指数在 0 到 1 之间，越大表示该项假设对排名的影响越大。")
        + (negative_note() if negative else ""),
    )


def negative_note() -> str:
    """What ``≈0`` means, under a table of sensitivity indices that prints one (the report and the dashboard)."""
    return _("“≈0”：抽样估计值略小于 0（估计误差所致，指数本身不小于 0），表示该项假设对排名几乎没有影响。")


def sensitivity_index(value: float) -> str:
    """A sensitivity index as printed: four decimals; an estimate below 0 (sampling error, the index itself is
    never negative) as ``≈0``, explained under the table."""
    return "≈0" if value < 0 else fmt.weight(value)


def sheets(book: Book, data: ReportData, document: Document) -> None:
    """Sheet 稳健性分析: per unit the rank, median rank, 5 % and 95 % rank quantiles (and the tier-flip share);
    below, per assumption its levels and both sensitivity indices. Without a result, the reason."""
    robustness = data.robustness
    if robustness is None:
        return
    sheet = book.sheet(_("稳健性分析"))
    result = robustness.result
    if result is None:
        assert robustness.skipped is not None
        book.table(
            sheet,
            [
                Column(
                    _("说明"),
                    [_("本评价未做稳健性分析：{message}。", message=problem_message(robustness.skipped))],
                )
            ],
        )
        return
    units = result.units
    codes = [str(u) for u in units["unit_code"]]
    columns = [
        Column(_("区县编码"), codes),
        Column(_("区县名称"), [data.name(u) for u in codes]),
        Column(_("排名"), list(units["nominal_rank"]), "rank"),
        Column(_("中位排名"), list(units["median_rank"]), "decimal"),
        Column(_("5% 分位排名"), list(units["rank_q05"]), "rank"),
        Column(_("95% 分位排名"), list(units["rank_q95"]), "rank"),
    ]
    if "tier_flip" in units.columns:
        columns.append(Column(_("档次变动概率"), list(units["tier_flip"]), "percent"))
    end = book.table(sheet, columns, freeze=2)
    sensitivity = robustness.sensitivity
    end = book.table(
        sheet,
        [
            Column(_("假设"), [factor_label(str(a), current()) for a in sensitivity["assumption"]]),
            Column(
                _("取值"),
                [
                    level_labels(str(a), str(v), current())
                    for a, v in zip(sensitivity["assumption"], sensitivity["levels"], strict=True)
                ],
            ),
            Column(_("一阶指数"), list(sensitivity["first_order"]), "index"),
            Column(_("总效应指数"), list(sensitivity["total_effect"]), "index"),
            Column(_("重复计算次数"), [result.replications] * len(sensitivity), "int"),
            Column(_("随机种子"), [robustness.settings.seed] * len(sensitivity), "int"),
        ],
        first_row=end + 1,
    )
    if (sensitivity[["first_order", "total_effect"]].astype(float) < 0).any().any():
        book.note(sheet, end, negative_note(), columns=6)


CHAPTER = Chapter("robustness", "稳健性分析", blocks, sheets)
