"""八、区县画像: one page per unit in rank order — position, change and gap to the leader, the radar chart against
the city average, the dimension table and three strengths and weaknesses; the workbook's 区县画像 sheet (the
strengths and weaknesses, one row each)."""

from __future__ import annotations

from typing import Any

from scoring.analysis.report_data import Profile, ReportData
from scoring.report import narrative
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column
from scoring.report.language import _, runs_long
from scoring.report.model import Document, PageBreak
from scoring.report.options import ReportOptions

RADAR_CM = 7.0  # the radar chart's width on a profile page
RADAR_CM_EN = 5.0  # in an edition whose words run longer (English)


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("区县画像"), "profiles")
    w.paragraphs(
        [_("每个评价单元一页：综合位置、与全市平均的对比（雷达图）、优势与短板指标、与第一名的差距。")]
    )
    for i, profile in enumerate(data.profiles):
        if i:
            w.add(PageBreak())
        _profile(w, data, profile)


def _profile(w: Writer, data: ReportData, profile: Profile) -> None:
    # English words and indicator names run longer than Chinese: the English edition sets the radar chart smaller
    # and both tables in the compact type, so that each profile keeps to one page as the Chinese one does
    long_words = runs_long()
    w.section_heading(
        _("{name}（{unit_code}）", name=profile.name, unit_code=profile.unit_code),
        f"profile-{profile.unit_code}",
    )
    w.paragraphs(narrative.profile_text(data, profile))
    w.figure(
        f"radar:{profile.unit_code}",
        _("{name}各维度得分与全市平均", name=profile.name),
        RADAR_CM_EN if long_words else RADAR_CM,
    )
    leader = data.name(profile.leader_code)
    rows = [
        [
            d.name,
            fmt.score(d.score),
            fmt.rank(d.rank),
            fmt.score(d.mean),
            fmt.signed(d.difference),
            fmt.score(d.best),
            fmt.score(d.gap_to_leader),
        ]
        for d in profile.dimensions
    ]
    w.table(
        f"profile:{profile.unit_code}",
        _("{name}各维度得分", name=profile.name),
        [
            _("维度"),
            _("得分"),
            _("排名"),
            _("全市平均"),
            _("与平均差"),
            _("最高分"),
            _("与{leader}加权差距", leader=leader),
        ],
        rows,
        align="lrrrrrr",
        note=_("加权差距：第一名与本单元在该维度对综合得分贡献之差，各维度之和等于综合得分差距。"),
        compact=long_words,
    )
    rows = [
        [
            kind,
            p.name,
            fmt.with_unit(fmt.value(p.value), p.unit),
            fmt.score(p.score),
            f"{p.rank}/{p.ranked}",
            fmt.score(p.mean),
        ]
        for kind, items in ((_("优势"), profile.strengths), (_("短板"), profile.weaknesses))
        for p in items
    ]
    if not rows:  # no indicator in the best or worst third: the text says so
        return
    w.table(
        f"profile_indicators:{profile.unit_code}",
        _("{name}优势与短板指标", name=profile.name),
        [_("类型"), _("指标"), _("数值"), _("得分"), _("排名"), _("全市平均得分")],
        rows,
        align="llrrrr",
        note=_(
            "优势指标为排名居前三分之一的指标中位次最靠前的至多三项，短板指标为排名居后三分之一的至多三项。"
        ),
        compact=long_words,
    )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet(_("区县画像"))
    rows: list[tuple[Any, ...]] = []
    for p in data.profiles:
        for kind, items in ((_("优势"), p.strengths), (_("短板"), p.weaknesses)):
            rows.extend(
                (
                    p.unit_code,
                    p.name,
                    p.rank,
                    kind,
                    i.code,
                    i.name,
                    i.value,
                    i.unit,
                    i.score,
                    i.rank,
                    i.ranked,
                    i.mean,
                )
                for i in items
            )
    headers = [
        (_("区县编码"), "text"),
        (_("区县名称"), "text"),
        (_("综合排名"), "rank"),
        (_("类型"), "text"),
        (_("指标编码"), "text"),
        (_("指标"), "text"),
        (_("数值"), "value"),
        (_("单位"), "text"),
        (_("得分"), "score"),
        (_("指标排名"), "rank"),
        (_("参与排名单元数"), "int"),
        (_("全市平均得分"), "score"),
    ]
    columns = [Column(h, [r[i] for r in rows], kind) for i, (h, kind) in enumerate(headers)]
    book.table(sheet, columns, freeze=2)


CHAPTER = Chapter("profiles", "区县画像", blocks, sheets)
