"""The report as an editable Word document (.docx, python-docx).

Built on named styles (正文 = Normal, 标题 1–3 = Heading 1–3, 题注 = Caption, and the report's own table, note
and formula styles), so the office restyles the whole document by editing a style, not every paragraph. A4,
contents as a Word TOC field (pre-filled with the headings; Word refreshes page numbers when the file is opened),
page numbers in the footer, table headers repeated across pages, each table titled with its key (table
properties → alt text) and each figure described by its caption. Every table column is as wide as its longest
number and word (:func:`_layout`); a table too wide for the portrait page is set compact, then on a landscape page.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from scoring.report.charts import png_size
from scoring.report.language import _, current
from scoring.report.math import OPEN, omml, segments
from scoring.report.model import (
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

BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"
TABLE_TEXT = "表格文字"
TABLE_TEXT_COMPACT = "表格文字（紧凑）"
TABLE_NOTE = "表注"
FORMULA = "公式"
FORMULA_NOTE = "公式说明"
FIGURE = "图片"
LIST_ITEM = "列表条目"
TOC_ENTRY = "目录条目 {}"
TOC_TITLE = "目录标题"
TOC_LEVELS = 2  # headings listed in the contents
STYLE_IDS = {
    TABLE_TEXT: "ReportTableText",
    TABLE_TEXT_COMPACT: "ReportTableTextCompact",
    TABLE_NOTE: "ReportTableNote",
    FORMULA: "ReportFormula",
    FORMULA_NOTE: "ReportFormulaNote",
    FIGURE: "ReportFigure",
    LIST_ITEM: "ReportListItem",
    TOC_TITLE: "ReportTocTitle",
    TOC_ENTRY.format(1): "ReportToc1",
    TOC_ENTRY.format(2): "ReportToc2",
}
HEADER_FILL = "D9D9D9"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TURNED_HEAD = 4.0  # width of a head set upright (two lines), in half-em units
LONG_WORD = 10.0  # a word of a column head wider than this (half-em units) breaks in a number column
TURNED_AT_LEAST = 3  # number columns with such heads before they are set upright
LONG_TEXT = 60.0  # a cell wider than this (half-em units) is long text, which upright heads give room to
MAX_FIGURE_HEIGHT_CM = 21.0  # A4 less margins, caption and a line of text
PAGE_CM = (21.0, 29.7)  # A4
MARGIN_CM = 2.4  # left and right
TEXT_WIDTH_CM = PAGE_CM[0] - 2 * MARGIN_CM  # 16.2
LANDSCAPE_TEXT_WIDTH_CM = PAGE_CM[1] - 2 * MARGIN_CM  # 24.9: a table too wide for the portrait page
TABLE_PT = 9.0  # 表格文字
COMPACT_PT = 7.5  # 表格文字（紧凑）
CELL_PADDING_CM = (
    0.45  # the cell margins (0.19 cm a side), borders and a little room (measured in LibreOffice)
)
CJK_HEAD_LEAST = 4.0  # a Chinese head wraps between any two characters: two of them a line at least
TWIPS_PER_CM = 1440 / 2.54
KEEP_WHOLE = 15  # tables of up to this many rows are never split across pages
KEEP_ENDS = 4  # a longer table keeps at least this many rows together at its start and at its end
KEEP_WHOLE_ROOM_CM = 3.0  # a table kept whole is at most the page's text height less this (caption, heading)
MARGIN_TOP_CM = 2.54  # top and bottom
NSDECL = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
NO_BREAK_HYPHEN = re.compile(r"(?<=[A-Za-z0-9])-(?=[0-9])")  # DI-24, 01-04, 2025-03-31: never broken


def to_docx(document: Document, charts: Mapping[str, bytes]) -> bytes:
    """The report as .docx bytes; figures whose chart is not in ``charts`` are left out."""
    import docx

    doc = docx.Document()
    _page_setup(doc, document.cover.title)
    _styles(doc)
    _cover(doc, document.cover)
    _contents(doc, document)
    new_page = False
    listed = 0  # headings listed in the contents, bookmarked in the same order
    for block in document.blocks:
        if not isinstance(block, Table | PageBreak):
            _orient(doc, landscape=False)  # the text after a wide table goes on on portrait pages
        if isinstance(block, PageBreak):
            # the next heading starts the page (a break paragraph of its own can leave a blank page behind)
            new_page = True
            continue
        if isinstance(block, Heading):
            heading = _add(doc, block.text, f"Heading {min(block.level, 3)}")
            if block.level <= TOC_LEVELS:
                listed += 1
                _bookmark(heading, listed)
            if new_page:
                heading.paragraph_format.page_break_before = True
                new_page = False
        elif isinstance(block, Paragraph):
            _add(doc, block.text, "Normal")
        elif isinstance(block, Bullets):
            for i, item in enumerate(block.items, start=1):
                _add(doc, _("（{i}）{item}", i=i, item=item) if block.numbered else f"• {item}", LIST_ITEM)
        elif isinstance(block, Formula):
            _equation(doc, block.tex, keep=True)  # with its note, or the next formula of the same group
            if block.where:
                _add(doc, block.where, FORMULA_NOTE)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure) and block.chart in charts:
            _figure(doc, block, charts[block.chart])
    core = doc.core_properties
    core.title = document.cover.title
    core.subject = document.cover.subtitle
    core.author = "digiscore"
    core.language = "zh-CN" if current() == "zh" else "en-US"
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_timestamps(buffer.getvalue())


def _style_id(doc: Any, name: str) -> str:
    """The style's id, looked up once per document (python-docx searches every style on each assignment)."""
    cache: dict[str, str] = doc.__dict__.setdefault("_digiscore_style_ids", {})
    if name not in cache:
        cache[name] = doc.styles[name].style_id
    return cache[name]


def _add(doc: Any, text: str, style: str) -> Any:
    """A paragraph at the end of the body, in the named style; inline formulas (``⟦…⟧``) as Word equations."""
    if OPEN not in text:
        paragraph = doc.add_paragraph(_clean(text))
    else:
        from docx.oxml import parse_xml

        paragraph = doc.add_paragraph()
        for is_formula, piece in segments(text):
            if is_formula:
                paragraph._p.append(parse_xml(omml(piece, display=False, east_asia=BODY_FONT)))
            else:
                paragraph.add_run(_clean(piece))
    if style != "Normal":
        paragraph._p.style = _style_id(doc, style)
    if "-" in text:
        _no_break_hyphens(paragraph._p)
    return paragraph


def _no_break_hyphens(element: Any) -> None:
    """The hyphens of codes, number ranges and dates (DI-24, 01-04, 2025-03-31) as Word's non-breaking hyphen,
    so that none is broken at the end of a line (a compound word such as "Hi-tech" may still break there)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for text in list(element.iter(qn("w:t"))):
        first, *rest = NO_BREAK_HYPHEN.split(text.text or "")
        if not rest:
            continue
        text.text = first
        text.set(qn("xml:space"), "preserve")
        anchor = text
        for part in rest:
            hyphen, piece = OxmlElement("w:noBreakHyphen"), OxmlElement("w:t")
            piece.set(qn("xml:space"), "preserve")
            piece.text = part
            anchor.addnext(hyphen)
            hyphen.addnext(piece)
            anchor = piece


def _equation(doc: Any, tex: str, keep: bool) -> Any:
    """A displayed formula: a paragraph of its own (style 公式) holding one Word equation (OMML)."""
    from docx.oxml import parse_xml

    paragraph = _add(doc, "", FORMULA)
    paragraph._p.append(parse_xml(omml(tex, display=True, east_asia=BODY_FONT)))
    paragraph.paragraph_format.keep_with_next = keep  # with its explanation
    return paragraph


def _fixed_timestamps(package: bytes) -> bytes:
    """The same package with every zip entry dated 1980-01-01, so equal content gives equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def _page_setup(doc: Any, title: str) -> None:
    from docx.oxml import parse_xml
    from docx.shared import Cm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.top_margin = section.bottom_margin = Cm(MARGIN_TOP_CM)
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.different_first_page_header_footer = True  # no page number on the cover
    footer = section.footer.paragraphs[0]
    footer.alignment = 1  # centre
    footer.add_run("— ")
    _field(footer, "PAGE", "1")
    footer.add_run(" —")
    # the running header: the report's title, small, over a thin rule (not on the cover)
    header = section.header.paragraphs[0]
    header.alignment = 1
    header.paragraph_format.first_line_indent = Pt(0)
    run = header.add_run(_clean(title))
    run.font.size = Pt(9)
    header._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:pBdr {NSDECL}><w:bottom w:val="single" w:sz="4" w:space="1" w:color="808080"/></w:pBdr>'
        )
    )


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, TOC, …) with a cached result Word replaces when it updates fields."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        run = OxmlElement("w:r")
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run.append(element)
        return run

    paragraph._p.append(char("begin"))
    run = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run.append(text)
    paragraph._p.append(run)
    paragraph._p.append(char("separate"))
    paragraph.add_run(placeholder)
    paragraph._p.append(char("end"))


def _set_fonts(style: Any, latin: str, east_asia: str) -> None:
    """Explicit fonts for Latin and CJK text (the theme's fonts would otherwise win for headings)."""
    from docx.oxml.ns import qn

    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph_style(
    doc: Any,
    name: str,
    size: float,
    *,
    font: str = BODY_FONT,
    bold: bool = False,
    align: int | None = None,
    indent: float = 0.0,
    before: float = 0.0,
    after: float = 0.0,
    spacing: float = 1.0,
) -> Any:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = STYLE_IDS[name]  # ASCII ids, as Word writes them; the Chinese name is what users see
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold
    _set_fonts(style, font, font)
    fmt = style.paragraph_format
    fmt.first_line_indent = Pt(indent)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = spacing
    if align is not None:
        fmt.alignment = align
    return style


def _styles(doc: Any) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号
    _set_fonts(normal, BODY_FONT, BODY_FONT)
    language = OxmlElement("w:lang")
    language.set(
        qn("w:val"), "en-US"
    )  # Latin text and digits: break at spaces only (zh-CN breaks inside numbers)
    language.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(language)
    fmt = normal.paragraph_format
    fmt.first_line_indent = Pt(21)  # two characters
    fmt.line_spacing = 1.5
    fmt.space_after = Pt(0)
    for level, size in ((1, 16), (2, 14), (3, 12)):
        heading = doc.styles[f"Heading {level}"]
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(heading, HEADING_FONT, HEADING_FONT)
        hfmt = heading.paragraph_format
        hfmt.first_line_indent = Pt(0)
        hfmt.space_before, hfmt.space_after = Pt(12 if level == 1 else 8), Pt(6)
        hfmt.keep_with_next = True
        hfmt.page_break_before = level == 1
    caption = doc.styles["Caption"]
    caption.font.size = Pt(9)
    caption.font.bold = True
    caption.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(caption, HEADING_FONT, HEADING_FONT)
    caption.paragraph_format.alignment = 1
    caption.paragraph_format.first_line_indent = Pt(0)
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(6), Pt(3)
    caption.paragraph_format.keep_with_next = True
    _paragraph_style(doc, TABLE_TEXT, TABLE_PT)
    _paragraph_style(doc, TABLE_TEXT_COMPACT, COMPACT_PT)
    _paragraph_style(doc, TABLE_NOTE, 8, after=6)
    _paragraph_style(doc, FORMULA, 10.5, font=HEADING_FONT, align=1, before=3, after=0)
    _paragraph_style(doc, FORMULA_NOTE, 9, after=3, spacing=1.2)
    _paragraph_style(doc, FIGURE, 10.5, align=1, before=6)
    _paragraph_style(doc, LIST_ITEM, 10.5, spacing=1.5, after=3)
    _paragraph_style(doc, TOC_TITLE, 16, font=HEADING_FONT, bold=True, align=1, before=12, after=12)
    doc.styles[TOC_TITLE].paragraph_format.page_break_before = True
    for level in (1, 2):
        style = _paragraph_style(doc, TOC_ENTRY.format(level), 10.5 if level == 1 else 9.5, spacing=1.0)
        style.paragraph_format.left_indent = Pt(0 if level == 1 else 21)
        # the page number at the right margin after a dotted leader
        style.paragraph_format.tab_stops.add_tab_stop(
            Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )


def _cover(doc: Any, cover: Cover) -> None:
    from docx.shared import Pt, RGBColor

    for _blank in range(6):
        doc.add_paragraph("")
    title = doc.add_paragraph(style="Title")
    title.alignment = 1
    run = title.add_run(cover.title)
    run.font.size = Pt(24)
    run.font.bold = True
    run.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(doc.styles["Title"], HEADING_FONT, HEADING_FONT)
    doc.styles["Title"].paragraph_format.first_line_indent = Pt(0)
    for _blank in range(8):
        doc.add_paragraph("")
    for line in cover.lines:
        paragraph = doc.add_paragraph(line)
        paragraph.alignment = 1
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.runs[0].font.size = Pt(12)


def _bookmark_name(n: int) -> str:
    return f"_Toc{n:08d}"


def _bookmark(paragraph: Any, n: int) -> None:
    """A bookmark around the heading's text: the contents' page number refers to it (PAGEREF)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(n))
    start.set(qn("w:name"), _bookmark_name(n))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(n))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _contents(doc: Any, document: Document) -> None:
    """目录: the chapter and section headings (levels 1–2), each a link to its heading followed by a dotted tab and a
    PAGEREF field to the heading's bookmark. Word and LibreOffice compute page references when they lay the
    document out, so the page numbers are right in both (LibreOffice keeps the cached text of the page numbers
    inside a TOC field and would print no numbers); Word refreshes every field on opening (w:updateFields)."""
    from docx.oxml import OxmlElement, parse_xml
    from docx.oxml.ns import qn

    _add(doc, _("目　录"), TOC_TITLE)  # not a heading, so the contents do not list themselves
    headings = [h for h in document.headings if h.level <= TOC_LEVELS]
    for n, h in enumerate(headings, start=1):
        paragraph = _add(doc, "", TOC_ENTRY.format(h.level))
        paragraph._p.append(
            parse_xml(
                f'<w:hyperlink {NSDECL} w:anchor="{_bookmark_name(n)}" w:history="1">'
                f'<w:r><w:t xml:space="preserve">{escape(_clean(h.text))}</w:t></w:r></w:hyperlink>'
            )
        )
        paragraph.add_run("\t")
        _field(paragraph, f"PAGEREF {_bookmark_name(n)} \\h", "")
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


# Advance widths of the table font's Latin letters, digits and signs in half-em units (Noto Serif CJK SC Bold,
# measured with fontTools and rounded up to 0.1; the regular weight is a little narrower), so that a column is
# as wide as its longest number or word really is; any other character counts as a CJK one (2) or, below the CJK
# blocks, as a wide Latin one (1.4).
ADVANCE = {
    char: width
    for width, chars in (
        (0.5, " '\u00a0\u202f"),
        (0.6, "′"),
        (0.7, ",.:;ij|·"),
        (0.8, "!()-/[\\]lt{}°"),
        (0.9, '"IJ`f²³'),
        (1.0, "*1?rs"),
        (1.1, "z"),
        (1.2, "$023456789S_acegvxy–"),
        (1.3, "#+<=>FLZ^oq~−ρλ"),
        (1.4, "EPTbdhknpuσ"),
        (1.5, "ABCVXYΔ"),
        (1.6, "DGKOQR"),
        (1.7, "&NU"),
        (1.8, "Hw"),
        (1.9, "—"),
        (2.0, "%@↑↓×±≥≤"),
        (2.1, "Mm"),
        (2.2, "W"),
    )
    for char in chars
}


def _text_width(text: str) -> float:
    """Display width in half-em units of the table font: CJK characters 2, Latin letters, digits and signs
    their measured width (:data:`ADVANCE`, "85.77" 5.5, "infrastructure" 14.7)."""
    return sum(ADVANCE.get(c, 2.0 if ord(c) > 0x2E80 else 1.4) for c in text)


def _table(doc: Any, block: Table) -> None:
    """A captioned table in the Table Grid style: header row shaded, bold and repeated on every page, numbers
    right-aligned, fixed column widths. Written as one XML fragment (python-docx's cell-by-cell API takes
    seconds for the hundreds of tables of a large round); python-docx reads it back like any table."""
    from docx.oxml import parse_xml

    size, landscape, turned, cm = _layout(block)
    _orient(doc, landscape)
    _add(doc, block.caption, "Caption")
    widths = [int(w * TWIPS_PER_CM) for w in cm]  # rounded down: the table never exceeds its page
    style = _style_id(doc, TABLE_TEXT_COMPACT if size == COMPACT_PT else TABLE_TEXT)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    page_cm = (PAGE_CM[0] if landscape else PAGE_CM[1]) - 2 * MARGIN_TOP_CM
    whole = _height_cm(block, cm, size) <= page_cm - KEEP_WHOLE_ROOM_CM  # else it could not move whole
    kept = _kept_rows(len(block.rows), bool(block.note), whole)
    rows = [_row(block.header, widths, style, header=True, align="c" * len(widths), keep=True, turned=turned)]
    if any(
        turned
    ):  # the head row as tall as its longest upright head on one line (it does not grow by itself)
        unit_cm = size / 2 * 2.54 / 72
        tall = max(_text_width(h) for h, t in zip(block.header, turned, strict=True) if t)
        height = round((tall * unit_cm + 0.6) * TWIPS_PER_CM)  # and room at both ends
        rows[0] = rows[0].replace(
            "<w:cantSplit/>", f'<w:cantSplit/><w:trHeight w:val="{height}" w:hRule="atLeast"/>', 1
        )
    align = "".join(block.alignment(c) for c in range(len(widths)))
    rows.extend(
        _row(values, widths, style, header=False, align=align, keep=i in kept)
        for i, values in enumerate(block.rows)
    )
    xml = (
        f"<w:tbl {NSDECL}><w:tblPr>"
        f'<w:tblStyle w:val="{_style_id(doc, "Table Grid")}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        f"<w:tblCaption w:val={quoteattr(_clean(block.key))}/>"
        f"<w:tblDescription w:val={quoteattr(_clean(block.caption))}/>"
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    doc.element.body.sectPr.addprevious(parse_xml(xml))
    _add(doc, block.note, TABLE_NOTE)


def _layout(block: Table) -> tuple[float, bool, list[bool], list[float]]:
    """How a table is set: its type size, whether on a landscape page, its upright heads and its column widths
    in cm. A table is set in its own size (表格文字, or 表格文字（紧凑） for a ``compact`` one) on the portrait page
    when every number, code and word of its cells and every word of its heads fits its column whole (short cells
    such as "Hi-tech Zone" whole too if there is room, else wrapped between their words); else in the compact
    size; else on a landscape page of its own (the English change table, whose heads are the long dimension
    names). Only a table too wide even for that squeezes its columns (its numbers may then break)."""
    tries = [(size, False) for size in ((COMPACT_PT,) if block.compact else (TABLE_PT, COMPACT_PT))]
    tries.append((COMPACT_PT, True))
    for size, landscape in tries:
        width = LANDSCAPE_TEXT_WIDTH_CM if landscape else TEXT_WIDTH_CM
        turned = _turned_heads(block, width, size)
        for short in (True, False):
            if sum(_least_widths(block, turned, size, short)) <= width:
                return size, landscape, turned, _column_widths(block, width, turned, size, short)
    return size, landscape, turned, _column_widths(block, width, turned, size, short=False)


def _orient(doc: Any, landscape: bool) -> None:
    """Go on on a landscape or portrait page: when the orientation changes, end the section at the last
    paragraph (a new page follows) and start one of the other orientation with the same margins, header and
    footer (page numbers on its first page too). The headings that end the body move on with the table they
    head onto the landscape page (a heading never ends a page); consecutive wide tables share landscape pages."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.oxml.ns import qn
    from docx.shared import Cm

    if doc.__dict__.get("_digiscore_landscape", False) == landscape:
        return
    doc.__dict__["_digiscore_landscape"] = before_headings = landscape
    body = doc.element.body
    doc.add_section(WD_SECTION.NEW_PAGE)  # an empty paragraph carrying the finished section's properties
    added = body.sectPr.getprevious()
    finished = added.pPr.sectPr
    last = added.getprevious()
    if before_headings:
        heading_ids = {_style_id(doc, f"Heading {level}") for level in (1, 2, 3)}
        while last is not None and last.tag == qn("w:p") and last.style in heading_ids:
            last = last.getprevious()
    if last is not None and last.tag == qn("w:p") and (last.pPr is None or last.pPr.sectPr is None):
        last.set_sectPr(finished)  # no empty paragraph: the finished section ends with its last paragraph
        body.remove(added)
    elif before_headings and added.getprevious() is not last:
        last.addnext(added) if last is not None else body.insert(0, added)
    section = doc.sections[-1]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    wide, high = (PAGE_CM[1], PAGE_CM[0]) if landscape else PAGE_CM
    section.page_width, section.page_height = Cm(wide), Cm(high)
    section.different_first_page_header_footer = False  # only the cover goes without a page number


def _height_cm(block: Table, widths_cm: Sequence[float], size: float) -> float:
    """About how tall the table is set with these column widths: each row as many lines as its fullest cell
    takes (its text over the column's width), a line 1.45 em (the Noto CJK fonts' line height)."""
    unit_cm = size / 2 * 2.54 / 72
    room = [max(0.1, w - CELL_PADDING_CM) for w in widths_cm]
    lines = sum(
        max(math.ceil(_text_width(text) * unit_cm / r) or 1 for text, r in zip(row, room, strict=True))
        for row in (block.header, *block.rows)
    )
    return lines * 1.45 * size * 2.54 / 72 + 0.02 * (len(block.rows) + 1)  # and the rules


def _kept_rows(n: int, note: bool, whole: bool = True) -> set[int]:
    """The body rows kept with the row after them (keepNext), so no table leaves a few rows alone on a page: a
    table of up to :data:`KEEP_WHOLE` rows moves whole to the next page rather than split; a longer one, or one
    too tall for a page (not ``whole``: rows of long text), splits after its first :data:`KEEP_ENDS` rows and
    before its last ones. The last row keeps with the table's note."""
    if n <= KEEP_WHOLE and whole:
        kept = set(range(n - 1))
    else:
        kept = set(range(KEEP_ENDS - 1)) | set(range(n - KEEP_ENDS, n - 1))
    if note and n:
        kept.add(n - 1)
    return kept


def _row(
    values: tuple[str, ...],
    widths: list[int],
    style: str,
    *,
    header: bool,
    align: str,
    keep: bool,
    turned: Sequence[bool] = (),
) -> str:
    cells = []
    for c, (value, width, a) in enumerate(zip(values, widths, align, strict=True)):
        shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>' if header else ""
        if c < len(turned) and turned[c]:  # read bottom to top
            shading += '<w:textDirection w:val="btLr"/><w:vAlign w:val="center"/>'
        jc = {"r": "right", "c": "center"}.get(a)
        paragraph_properties = (
            f'<w:pStyle w:val="{style}"/>'
            + ("<w:keepNext/>" if keep else "")
            + (f'<w:jc w:val="{jc}"/>' if jc else "")
        )
        run_properties = "<w:rPr><w:b/></w:rPr>" if header else ""
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
            f"<w:p><w:pPr>{paragraph_properties}</w:pPr><w:r>{run_properties}"
            f'<w:t xml:space="preserve">{_cell_text(value)}</w:t></w:r></w:p></w:tc>'
        )
    row_properties = (
        "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    )
    return f"<w:tr>{row_properties}{''.join(cells)}</w:tr>"


def _cell_text(value: str) -> str:
    """A cell's text for a ``w:t`` element, its codes' and ranges' hyphens non-breaking (:func:`_no_break_hyphens`)."""
    return NO_BREAK_HYPHEN.sub('</w:t><w:noBreakHyphen/><w:t xml:space="preserve">', escape(_clean(value)))


def _clean(text: str) -> str:
    """Text without the control characters XML cannot hold (a value typed into a form could carry one)."""
    return CONTROL.sub("", text)


def _least_widths(block: Table, turned: Sequence[bool], size: float, short: bool = True) -> list[float]:
    """The narrowest each column can be, in cm at type size ``size``: as wide as its widest piece that must not
    break (a number, a code, a Latin word, and with ``short`` all of a short cell; :func:`_unbreakable`) and as
    the longest word of
    its head (a Chinese head: two characters, it wraps between any two; an upright head: two lines)."""
    unit_cm = size / 2 * 2.54 / 72  # half an em of the table font, in cm
    sample = block.rows[:300]
    least = []
    for c, header in enumerate(block.header):
        if c < len(turned) and turned[c]:
            head = TURNED_HEAD
        else:
            head = max(
                [min(_text_width(header), CJK_HEAD_LEAST)] + [_text_width(t) for t in _latin_tokens(header)]
            )
        pieces = [_unbreakable(row[c], short) for row in sample]
        least.append(max([head, *pieces]) * unit_cm + CELL_PADDING_CM)
    return least


def _column_widths(
    block: Table,
    total_cm: float,
    turned: Sequence[bool] = (),
    size: float | None = None,
    short: bool = True,
) -> list[float]:
    """Column widths in cm: every column at least as wide as its longest unbreakable piece
    (:func:`_least_widths`), the rest of the page shared in proportion to how much more each column's longest
    text wants. Narrow tables keep their natural width. A ``turned`` head (:func:`_turned_heads`) needs two
    lines' width. ``size``: the type size (the table's own by default)."""
    size = size or (COMPACT_PT if block.compact else TABLE_PT)
    unit_cm = size / 2 * 2.54 / 72
    sample = block.rows[:300]
    least = _least_widths(block, turned, size, short)
    wanted, crowded = [], []
    for c, header in enumerate(block.header):
        turn = c < len(turned) and turned[c]
        longest = max([0.0] + [_text_width(row[c]) for row in sample])
        head = TURNED_HEAD if turn else _text_width(header)
        wanted.append(max(least[c], min(60, max(head, longest)) * unit_cm + CELL_PADDING_CM))
        head = TURNED_HEAD if turn else _header_width(header)
        crowded.append(max(least[c], min(60, max(head, longest)) * unit_cm + CELL_PADDING_CM))
    if sum(wanted) <= total_cm:
        return wanted if sum(wanted) < 0.6 * total_cm else [w * total_cm / sum(wanted) for w in wanted]
    wanted = crowded  # the page is too narrow for every head on one line: English heads wrap between words
    if sum(least) >= total_cm:
        return [w * total_cm / sum(least) for w in least]
    spare = total_cm - sum(least)
    extra = [w - m for w, m in zip(wanted, least, strict=True)]
    if sum(extra) <= 0:
        return [m + spare / len(least) for m in least]
    return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]


def _turned_heads(block: Table, total_cm: float, size: float | None = None) -> list[bool]:
    """The column heads set upright (read bottom to top): in a table of English heads too wide for the page
    with a row of at least :data:`TURNED_AT_LEAST` number columns whose heads have a word of more than
    :data:`LONG_WORD` half-ems ("Digital / infrastructure" over "5.6%": the word would break where the column
    is as narrow as its numbers), those heads, so that the columns are as narrow as their numbers and the room
    goes to the columns of long text (the English 障碍因子 table's obstacle indicators; a table without a cell of
    more than :data:`LONG_TEXT` half-ems keeps its heads level). Chinese heads are never turned."""
    n = len(block.header)
    if any(ord(c) > 0x2E80 for header in block.header for c in header):
        return [False] * n
    if sum(_column_widths(block, 1000.0, (), size)) <= total_cm:  # the heads fit on the page as they are
        return [False] * n
    sample = block.rows[:300]
    if not any(_text_width(row[c]) > LONG_TEXT for row in sample for c in range(n)):
        return [False] * n  # no column of long text to give the room to
    turned = [
        block.alignment(c) == "r"
        and max(_text_width(word) for word in header.split() or [""]) > LONG_WORD
        and max([0.0] + [_text_width(row[c]) for row in sample]) < LONG_WORD
        for c, header in enumerate(block.header)
    ]
    return turned if sum(turned) >= TURNED_AT_LEAST else [False] * n


def _header_width(header: str) -> float:
    """The width a column head asks for when the table is wider than the page: all of a Chinese head (it should
    stay on one line), the longest word of a head in Latin letters (English heads wrap between words: "Digital /
    infrastructure" asks no more room than its numbers need, and the room goes to the columns of long text), but
    at least half of it (a head of short words on two lines, not three)."""
    if any(ord(c) > 0x2E80 for c in header):
        return _text_width(header)
    return max([_text_width(header) / 2] + [_text_width(word) for word in header.split()])  # two lines


def _latin_tokens(text: str) -> list[str]:
    """The runs of Latin letters, digits and signs (words, numbers, codes such as DI-24, ↑2, Δ…) of a text; a
    compound word breaks after its hyphen ("Numerical-" / "control"), a code or a negative number does not."""
    runs = re.findall(r"[^ \t\r\n\u2e80-\U0010ffff]+", text)  # a no-break space (10 000) does not break
    return [part for run in runs for part in re.split(r"(?<=[A-Za-z]-)(?=[A-Za-z])", run)]


def _unbreakable(text: str, short: bool = True) -> float:
    """Width of the part of a cell that must not wrap: with ``short`` all of a short cell, else its longest Latin
    token (a number, a code, a word: Latin text wraps only between words, Chinese text between any two
    characters)."""
    width = _text_width(text)
    if short and width <= 12:
        return width
    return max([8.0] + [_text_width(t) for t in _latin_tokens(text)])


def _figure(doc: Any, block: Figure, png: bytes) -> None:
    from docx.shared import Cm

    pixels_wide, pixels_high = png_size(png)
    width = min(block.width_cm, MAX_FIGURE_HEIGHT_CM * pixels_wide / pixels_high)
    paragraph = _add(doc, "", FIGURE)
    paragraph.paragraph_format.keep_with_next = True
    inline = paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width))
    inline._inline.docPr.set("descr", block.caption)
    caption = _add(doc, block.caption, "Caption")
    caption.paragraph_format.keep_with_next = False  # a figure's caption is below it: nothing to keep with
