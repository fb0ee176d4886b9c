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
from scoring.report.model import Document, PageBreak
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading("区县画像", "profiles")
    w.paragraphs(["每个评价单元一页：综合位置、与全市平均的对比（雷达图）、优势与短板指标、与第一名的差距。"])
    for i, profile in enumerate(data.profiles):
        if i:
            w.add(PageBreak())
        _profile(w, data, profile)


def _profile(w: Writer, data: ReportData, profile: Profile) -> None:
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
            fmt.signed(d.difference),
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
            fmt.with_unit(fmt.value(p.value), p.unit),
            fmt.score(p.score),
            f"{p.rank}/{p.ranked}",
            fmt.score(p.mean),
        ]
        for kind, items in (("优势", profile.strengths), ("短板", profile.weaknesses))
        for p in items
    ]
    if not rows:  # no indicator in the best or worst third: the text says so
        return
    w.table(
        f"profile_indicators:{profile.unit_code}",
        f"{profile.name}优势与短板指标",
        ["类型", "指标", "数值", "得分", "排名", "全市平均得分"],
        rows,
        align="llrrrr",
        note="优势指标为排名居前三分之一的指标中位次最靠前的至多三项，短板指标为排名居后三分之一的至多三项。",
    )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("区县画像")
    rows: list[tuple[Any, ...]] = []
    for p in data.profiles:
        for kind, items in (("优势", p.strengths), ("短板", p.weaknesses)):
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
        ("区县编码", "text"),
        ("区县名称", "text"),
        ("综合排名", "rank"),
        ("类型", "text"),
        ("指标编码", "text"),
        ("指标", "text"),
        ("数值", "value"),
        ("单位", "text"),
        ("得分", "score"),
        ("指标排名", "rank"),
        ("参与排名单元数", "int"),
        ("全市平均得分", "score"),
    ]
    columns = [Column(h, [r[i] for r in rows], kind) for i, (h, kind) in enumerate(headers)]
    book.table(sheet, columns, freeze=2)


CHAPTER = Chapter("profiles", "区县画像", blocks, sheets)
