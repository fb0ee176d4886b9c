"""协同发展分析: the coupling coordination (耦合协调度) of the subsystems the system file names, per unit — U of
each subsystem, C, T, D, its grade and the subsystem that lags — with the grade counts and the city means over
the years; the workbook's 协同发展 sheet. Numbers from :mod:`scoring.analysis.coordination` through
``ReportData.regional``."""

from __future__ import annotations

from scoring.analysis.coordination import SYNC_SPREAD, SYNCHRONOUS
from scoring.analysis.report_data import ReportData
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column
from scoring.report.language import _, problem_message, sentences
from scoring.report.model import Document, Formula
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("协同发展分析"), "coordination")
    regional = data.regional
    result = regional.coordination
    if result is None:
        w.paragraphs([_("{message}。", message=problem_message(regional.skipped["coordination"]))])
        return
    names = _("、").join(result.names)
    weights = _("、").join(f"{n} {fmt.weight(v)}" for n, v in zip(result.names, result.weights, strict=True))
    lo, hi = result.scale
    w.paragraphs(
        [
            _(
                "以{names}为 {subsystems} 个子系统，计算各单元的耦合度 C、综合发展指数 T 和耦合协调度 D。子系统得分按评分区间 [{lo:g}, {hi:g}] 换算为 0—1 的 U；综合发展指数中各子系统的权重为{weights}。",
                names=names,
                subsystems=len(result.subsystems),
                lo=lo,
                hi=hi,
                weights=weights,
            )
        ]
    )
    n = len(result.subsystems)
    w.add(
        Formula(
            _(
                "C = {n}·\\left[\\frac{{\\prod_k {{U_k}}}}{{\\left(\\sum_k {{U_k}}\\right)^{{{n}}}}}\\right]^{{1/{n}}}，\\quad T = \\sum_k {{α_k U_k}}，\\quad D = \\sqrt{{C T}}",
                n=n,
            ),
            _(
                "⟦U_k⟧ 为子系统 ⟦k⟧ 的得分（换算到 0—1），⟦α_k⟧ 为其权重；⟦D⟧ 按 0.1 的间距分为十个等级，"
                "从极度失调（0—0.1）到优质协调（0.9—1）。"
            ),
        )
    )
    frame = result.year(data.year)
    means = result.means()
    counts = {k: v for k, v in result.grade_counts(data.year).items() if v}
    lags = result.lag_counts(data.year)
    laggard = max(result.subsystems, key=lambda c: lags[c])
    laggard_name = result.names[result.subsystems.index(laggard)]
    text = (
        _(
            "{year} 年全市平均耦合协调度 D 为 {loc}，",
            year=data.year,
            loc=fmt.weight(means.loc[data.year, "D"]),
        )
        + _("、").join(_("{g} {k} 个", g=_(g), k=k) for g, k in counts.items())
        + _(
            "。{in_step} 个单元各子系统发展同步（最高与最低的 U 相差不超过 {SYNC_SPREAD:g}）；以子系统得分最低者计，{laggard_name}是 {lags} 个单元的短板。",
            in_step=lags[SYNCHRONOUS],
            SYNC_SPREAD=SYNC_SPREAD,
            laggard_name=laggard_name,
            lags=lags[laggard],
        )
    )
    if len(means) > 1:
        first = int(means.index[0])
        text = sentences(
            text,
            _(
                "{first} 年以来全市平均 D 由 {D} 变为 {D2}。",
                first=first,
                D=fmt.weight(means.iloc[0]["D"]),
                D2=fmt.weight(means.iloc[-1]["D"]),
            ),
        )
    w.paragraphs([text])
    rows = []
    for unit, row in frame.iterrows():
        lag = result.names[result.subsystems.index(row["lagging"])] if row["lagging"] else ""
        rows.append(
            [data.name(str(unit))]
            + [fmt.weight(row[f"U_{c}"]) for c in result.subsystems]
            + [
                fmt.weight(row["C"]),
                fmt.weight(row["T"]),
                fmt.weight(row["D"]),
                _(row["grade"]) if row["grade"] else "",
                _("{lag}（同步）", lag=lag) if row["synchronous"] else lag,
            ]
        )
    w.table(
        "coordination",
        _("{year} 年各单元耦合协调度", year=data.year),
        [_("区县"), *(f"U {name}" for name in result.names), "C", "T", "D", _("协调等级"), _("滞后子系统")],
        rows,
        align="l" + "r" * (n + 3) + "ll",
        note=_(
            "按 D 从高到低排列；滞后子系统为 U 最低者，标“同步”的单元各子系统 U 相差不超过 {SYNC_SPREAD:g}。",
            SYNC_SPREAD=SYNC_SPREAD,
        ),
        compact=True,
    )
    w.figure("coordination", _("{year} 年各单元耦合协调度 D", year=data.year))


def sheets(book: Book, data: ReportData, document: Document) -> None:
    result = data.regional.coordination
    if result is None:
        return
    frame = result.year(data.year)
    sheet = book.sheet(_("协同发展"))
    units = [str(u) for u in frame.index]
    columns = [
        Column(_("区县编码"), units),
        Column(_("区县名称"), [data.name(u) for u in units]),
    ]
    columns += [
        Column(f"U {name}", list(frame[f"U_{c}"]), "weight")
        for c, name in zip(result.subsystems, result.names, strict=True)
    ]
    columns += [
        Column(_("耦合度 C"), list(frame["C"]), "weight"),
        Column(_("综合发展指数 T"), list(frame["T"]), "weight"),
        Column(_("耦合协调度 D"), list(frame["D"]), "weight"),
        Column(_("协调等级"), [_(g) if isinstance(g, str) else g for g in frame["grade"]]),
        # by name, as the Word table gives it (the code alone, B or C, says nothing to a reader)
        Column(
            _("滞后子系统"),
            [result.names[result.subsystems.index(lag)] if lag else "" for lag in frame["lagging"]],
        ),
        Column(_("同步"), [_("是") if s else _("否") for s in frame["synchronous"]]),
    ]
    book.table(sheet, columns, freeze=2)


CHAPTER = Chapter("coordination", "协同发展分析", blocks, sheets)
