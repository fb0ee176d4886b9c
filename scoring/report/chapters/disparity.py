"""区域差异分析: the disparity of the composite across units — Gini, Theil, coefficient of variation per year
(σ-convergence), the Theil and Dagum decompositions by unit group, the kernel density per year — the maps of
the composite and each dimension when the unit list names boundaries (:mod:`scoring.report.chapters.maps`), and
the evaluation by class of unit (分类评价: ranks and tiers within each group); the workbook's 区域差异, 分类评价
and 地图 sheets. Numbers from :mod:`scoring.analysis.disparity` and :mod:`scoring.analysis.unit_groups` through
``ReportData.regional``."""

from __future__ import annotations

from scoring.analysis.disparity import NO_GROUP
from scoring.analysis.report_data import ReportData
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.chapters import maps
from scoring.report.excel import Book, Column
from scoring.report.language import _, problem_message, sentences
from scoring.report.model import Document, Formula
from scoring.report.options import ReportOptions
from scoring.system.models import QuantileTiers


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("区域差异分析"), "disparity")
    regional = data.regional
    result = regional.disparity
    if result is None:
        w.paragraphs([_("{message}。", message=problem_message(regional.skipped["disparity"]))])
    else:
        _overall(w, data)
        _sources(w, data)
    maps.blocks(w, data, options)  # 得分空间分布, when the unit list names boundaries
    _classes(w, data)


def _overall(w: Writer, data: ReportData) -> None:
    result = data.regional.disparity
    assert result is not None
    w.section_heading(_("总体差异与收敛"), "disparity-overall")
    years = result.years
    first, last = int(years.index[0]), int(years.index[-1])
    text = _(
        "{year} 年综合得分的基尼系数为 {loc}，泰尔指数为 {loc2}，变异系数为 {loc3}。",
        year=data.year,
        loc=fmt.weight(years.loc[data.year, "gini"]),
        loc2=fmt.weight(years.loc[data.year, "theil"]),
        loc3=fmt.weight(years.loc[data.year, "cv"]),
    )
    if result.converging is not None:
        text = sentences(
            text,
            _(
                "{first}—{last} 年标准差由 {loc} 变为 {loc2}，",
                first=first,
                last=last,
                loc=fmt.score(years.loc[first, "sd"]),
                loc2=fmt.score(years.loc[last, "sd"]),
            )
            + (
                _("区域差异缩小，存在 σ 收敛。")
                if result.converging
                else _("区域差异未缩小，不存在 σ 收敛。")
            ),
        )
    if data.system.method.comparability == "per_year" and any(
        data.system.normalise_method(i) in {"minmax", "zscore", "rank"} for i in data.system.indicators
    ):
        text = sentences(
            text, _("注意：部分指标按年度内的极值或排名标准化，跨年的离散程度只在相对意义上可比。")
        )
    w.paragraphs([text])
    w.add(
        Formula(
            _(
                r"G = \frac{\sum_i \sum_j {\left| x_i − x_j \right|}}{2 n^2 μ}，\quad T = \frac{1}{n} \sum_i {\frac{x_i}{μ} \ln \frac{x_i}{μ}}，"
                r"\quad \operatorname{CV} = \frac{σ}{μ}"
            ),
            _(
                r"⟦G⟧ 为基尼系数，⟦T⟧ 为泰尔指数，⟦\operatorname{CV}⟧ 为变异系数；⟦x_i⟧ 为单元 ⟦i⟧ 的综合得分，"
                "⟦n⟧ 为单元数，⟦μ⟧ 为均值，⟦σ⟧ 为总体标准差。"
            ),
        )
    )
    rows = [
        [
            str(y),
            str(int(r.n)),
            fmt.score(r["mean"]),
            fmt.score(r.sd),
            fmt.weight(r.cv),
            fmt.weight(r.gini),
            fmt.weight(r.theil),
        ]
        for y, r in years.iterrows()
    ]
    w.table(
        "disparity",
        _("综合得分的区域差异"),
        [_("年份"), _("单元数"), _("均值"), _("标准差"), _("变异系数"), _("基尼系数"), _("泰尔指数")],
        rows,
        align="rrrrrrr",
    )
    w.figure("density", _("综合得分的核密度分布（按年份）"))


def _sources(w: Writer, data: ReportData) -> None:
    result = data.regional.disparity
    assert result is not None
    w.section_heading(_("差异来源分解"), "disparity-sources")
    theil = result.theil
    dagum = result.dagum
    shares = dagum.shares
    w.paragraphs(
        [
            _(
                "按单元类别（{group_names}）分解：泰尔指数中组内差异 {within}、组间差异 {between}，组间占 {value}；Dagum 基尼系数分解中组内差异、组间净差异和超变密度分别贡献 {within2}、{between2} 和 {transvariation}。",
                group_names=_("、").join(data.regional.group_names),
                within=fmt.weight(theil.within),
                between=fmt.weight(theil.between),
                value=fmt.percent(theil.between / theil.total),
                within2=fmt.percent(shares["within"]),
                between2=fmt.percent(shares["between"]),
                transvariation=fmt.percent(shares["transvariation"]),
            )
        ]
    )
    w.add(Formula(_(r"G = G_w + G_{nb} + G_t，\quad G_w = \sum_j {G_{jj} p_j s_j}")))
    w.add(Formula(r"G_{nb} = \sum_{j>h} {G_{jh} (p_j s_h + p_h s_j) D_{jh}}"))
    w.add(
        Formula(
            r"G_t = \sum_{j>h} {G_{jh} (p_j s_h + p_h s_j) (1 − D_{jh})}",
            _(
                "Dagum（1997）：⟦G_w⟧、⟦G_{nb}⟧、⟦G_t⟧ 为组内差异、组间净差异和超变密度的贡献；⟦p_j⟧、⟦s_j⟧ 为组 ⟦j⟧ "
                "的单元数占比和得分总量占比，⟦G_{jj}⟧、⟦G_{jh}⟧ 为组内、组间基尼系数，⟦D_{jh}⟧ 为组间相对影响。"
            ),
        )
    )
    rows = [
        [_("泰尔指数"), fmt.weight(theil.total), fmt.weight(theil.within), fmt.weight(theil.between), "—"],
        [
            _("Dagum 基尼系数"),
            fmt.weight(dagum.gini),
            fmt.weight(dagum.within),
            fmt.weight(dagum.between),
            fmt.weight(dagum.transvariation),
        ],
    ]
    w.table(
        "disparity_sources",
        _("{year} 年区域差异的来源", year=data.year),
        [_("指标"), _("总体"), _("组内"), _("组间（净）"), _("超变密度")],
        rows,
        align="lrrrr",
    )
    groups = dagum.groups
    rows = [
        [
            _group(g),
            str(int(r.n)),
            fmt.score(r["mean"]),
            fmt.weight(r.gini),
            fmt.weight(float(theil.groups.at[g, "theil"])),
        ]
        for g, r in groups.sort_values("mean", ascending=False).iterrows()
    ]
    w.table(
        "disparity_groups",
        _("{year} 年各类单元的组内差异", year=data.year),
        [_("类别"), _("单元数"), _("平均得分"), _("组内基尼系数"), _("组内泰尔指数")],
        rows,
        align="lrrrr",
    )


def _classes(w: Writer, data: ReportData) -> None:
    w.section_heading(_("分类评价"), "disparity-classes")
    frame = data.regional.groups
    w.paragraphs(
        [
            sentences(
                _("按单元类别分别排名：同类单元发展条件相近，类内排名更能反映各单元在同类中的位置。"),
                _tier_note(data),
            )
        ]
    )
    rows = [
        [
            _group(r.group),
            fmt.rank(r.group_rank),
            str(r.unit_name),
            fmt.score(r.score),
            fmt.rank(r.rank),
            r.group_tier or "",
        ]
        for r in frame.itertuples()
    ]
    w.table(
        "classes",
        _("{year} 年分类排名", year=data.year),
        [_("类别"), _("类内排名"), _("区县"), _("综合得分"), _("全市排名"), _("梯队")],
        rows,
        align="lrlrrl",
    )


def _group(name: object) -> str:
    """A class of units as printed: the unit list's name, or 未分组 for units it gives none in the edition's
    language (the analysis labels them with the Chinese word)."""
    return _(NO_GROUP) if name == NO_GROUP else str(name)


def _tier_note(data: ReportData) -> str:
    if not data.tier_names:
        return ""
    if isinstance(data.system.tiers, QuantileTiers):
        return _("梯队按类内排名重新划分（各类内按名次等分）。")
    return _("梯队按分数线划分，与全市评价一致。")


def sheets(book: Book, data: ReportData, document: Document) -> None:
    result = data.regional.disparity
    if result is not None:
        sheet = book.sheet(_("区域差异"))
        years = result.years
        columns = [Column(_("年份"), [int(y) for y in years.index], "int")]
        labels = {
            "n": (_("单元数"), "int"),
            "mean": (_("均值"), "score"),
            "sd": (_("标准差"), "score"),
            "cv": (_("变异系数"), "weight"),
            "gini": (_("基尼系数"), "weight"),
            "theil": (_("泰尔指数"), "weight"),
            "theil_within": (_("泰尔组内"), "weight"),
            "theil_between": (_("泰尔组间"), "weight"),
            "dagum_within": (_("Dagum 组内"), "weight"),
            "dagum_between": (_("Dagum 组间净差异"), "weight"),
            "dagum_transvariation": (_("Dagum 超变密度"), "weight"),
        }
        columns += [Column(label, list(years[key]), kind) for key, (label, kind) in labels.items()]
        book.table(sheet, columns)
    frame = data.regional.groups
    sheet = book.sheet(_("分类评价"))
    units = [str(u) for u in frame.index]
    book.table(
        sheet,
        [
            Column(_("类别"), [_group(g) for g in frame["group"]]),
            Column(_("类内排名"), list(frame["group_rank"]), "rank"),
            Column(_("区县编码"), units),
            Column(_("区县名称"), list(frame["unit_name"])),
            Column(_("综合得分"), list(frame["score"]), "score"),
            Column(_("全市排名"), list(frame["rank"]), "rank"),
            Column(_("梯队"), list(frame["tier"])),
            Column(_("类内梯队"), list(frame["group_tier"])),
        ],
        freeze=4,
    )
    maps.sheets(book, data, document)


CHAPTER = Chapter("disparity", "区域差异分析", blocks, sheets)
