"""协同发展分析: the coupling coordination (耦合协调度) of the subsystems the system file names, per unit — U of
each subsystem, C, T, D, its grade and the subsystem that lags — with the grade counts and the city means over
the years; the workbook's 协同发展 sheet. Numbers from :mod:`scoring.analysis.coordination` through
``ReportData.regional``."""

from __future__ import annotations

from scoring.analysis.coordination import SYNC_SPREAD
from scoring.analysis.report_data import ReportData
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column
from scoring.report.model import Document, Formula
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading("协同发展分析", "coordination")
    regional = data.regional
    result = regional.coordination
    if result is None:
        w.paragraphs([f"{regional.skipped['coordination'].message_zh}。"])
        return
    names = "、".join(result.names)
    weights = "、".join(f"{n} {fmt.weight(v)}" for n, v in zip(result.names, result.weights, strict=True))
    lo, hi = result.scale
    w.paragraphs(
        [
            f"以{names}为 {len(result.subsystems)} 个子系统，计算各单元的耦合度 C、综合发展指数 T 和耦合协调度 D。"
            f"子系统得分按评分区间 [{lo:g}, {hi:g}] 换算为 0—1 的 U；综合发展指数中各子系统的权重为{weights}。"
        ]
    )
    n = len(result.subsystems)
    w.add(
        Formula(
            rf"C = {n}·\left[\frac{{\prod_k {{U_k}}}}{{\left(\sum_k {{U_k}}\right)^{{{n}}}}}\right]^{{1/{n}}}，"
            r"\quad T = \sum_k {α_k U_k}，\quad D = \sqrt{C T}",
            "⟦U_k⟧ 为子系统 ⟦k⟧ 的得分（换算到 0—1），⟦α_k⟧ 为其权重；⟦D⟧ 按 0.1 的间距分为十个等级，"
            "从极度失调（0—0.1）到优质协调（0.9—1）。",
        )
    )
    frame = result.year(data.year)
    means = result.means()
    counts = {k: v for k, v in result.grade_counts(data.year).items() if v}
    lags = result.lag_counts(data.year)
    laggard = max(result.subsystems, key=lambda c: lags[c])
    laggard_name = result.names[result.subsystems.index(laggard)]
    text = (
        f"{data.year} 年全市平均耦合协调度 D 为 {fmt.weight(means.loc[data.year, 'D'])}，"
        + "、".join(f"{g} {k} 个" for g, k in counts.items())
        + f"。{lags['同步']} 个单元各子系统发展同步（最高与最低的 U 相差不超过 {SYNC_SPREAD:g}）；"
        f"以子系统得分最低者计，{laggard_name}是 {lags[laggard]} 个单元的短板。"
    )
    if len(means) > 1:
        first = int(means.index[0])
        text += (
            f"{first} 年以来全市平均 D 由 {fmt.weight(means.iloc[0]['D'])} 变为 "
            f"{fmt.weight(means.iloc[-1]['D'])}。"
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
                row["grade"] or "",
                f"{lag}（同步）" if row["synchronous"] else lag,
            ]
        )
    w.table(
        "coordination",
        f"{data.year} 年各单元耦合协调度",
        ["区县", *(f"U {name}" for name in result.names), "C", "T", "D", "协调等级", "滞后子系统"],
        rows,
        align="l" + "r" * (n + 3) + "ll",
        note="按 D 从高到低排列；滞后子系统为 U 最低者，标“同步”的单元各子系统 U 相差不超过 "
        f"{SYNC_SPREAD:g}。",
        compact=True,
    )
    w.figure("coordination", f"{data.year} 年各单元耦合协调度 D")


def sheets(book: Book, data: ReportData, document: Document) -> None:
    result = data.regional.coordination
    if result is None:
        return
    frame = result.year(data.year)
    sheet = book.sheet("协同发展")
    units = [str(u) for u in frame.index]
    columns = [
        Column("区县编码", units),
        Column("区县名称", [data.name(u) for u in units]),
    ]
    columns += [
        Column(f"U {name}", list(frame[f"U_{c}"]), "weight")
        for c, name in zip(result.subsystems, result.names, strict=True)
    ]
    columns += [
        Column("耦合度 C", list(frame["C"]), "weight"),
        Column("综合发展指数 T", list(frame["T"]), "weight"),
        Column("耦合协调度 D", list(frame["D"]), "weight"),
        Column("协调等级", list(frame["grade"])),
        Column("滞后子系统", list(frame["lagging"])),
        Column("同步", ["是" if s else "否" for s in frame["synchronous"]]),
    ]
    book.table(sheet, columns, freeze=2)


CHAPTER = Chapter("coordination", "协同发展分析", blocks, sheets)
