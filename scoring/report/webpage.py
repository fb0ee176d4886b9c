"""The report as one self-contained HTML file: CSS inline, charts inlined as base64 PNG, no scripts, no network.

Readable on a phone (fluid layout, tables scroll sideways inside their box, sticky table headers) and printable
(A4 page rules, each chapter and each district profile on a new page, table headers repeated, navigation hidden).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from html import escape

from scoring.report.charts import png_size
from scoring.report.language import _, current
from scoring.report.math import mathml, segments
from scoring.report.math import parts as math_parts
from scoring.report.model import (
    Bullets,
    Document,
    Figure,
    Formula,
    Heading,
    PageBreak,
    Paragraph,
    Table,
)

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #cfd4da; --head: #eef1f5; --accent: #0072B2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font-size: 16px; line-height: 1.75;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", sans-serif; }
.page { max-width: 62rem; margin: 0 auto; padding: 1rem 1.25rem 4rem; }
header.cover { padding: 3rem 0 2rem; border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
header.cover h1 { font-size: 1.9rem; margin: 0 0 .5rem; line-height: 1.3; }
header.cover .subtitle { color: var(--muted); margin: 0 0 1rem; text-indent: 0; }
header.cover ul { list-style: none; padding: 0; margin: 0; color: var(--muted); }
nav.toc { background: #f7f8fa; border: 1px solid var(--rule); border-radius: 6px; padding: .5rem 1rem; }
nav.toc summary { font-weight: 700; cursor: pointer; }
nav.toc ol { margin: .3rem 0; padding-left: 1.2rem; list-style: none; }
nav.toc ol ol { columns: 12rem; font-size: .9rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
h2 { font-size: 1.5rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; margin: 2.2rem 0 .8rem; }
h3 { font-size: 1.2rem; margin: 1.6rem 0 .6rem; }
h4 { font-size: 1.05rem; margin: 1.2rem 0 .5rem; }
p { margin: .45em 0; text-indent: 2em; }
p.lead { text-indent: 0; padding-left: .8rem; border-left: 3px solid var(--accent); }
ol.items li { margin: .4em 0; }
ol.items { list-style: none; counter-reset: item; padding-left: 0; }
ol.items li { counter-increment: item; }
ol.items li::before { content: "（" counter(item) "）"; }
.formula { text-align: center; margin: .6em 0 0; overflow-x: auto; overflow-y: hidden; }
.formula .part { display: inline-block; margin: .2em .8em; }
math { font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", math; }
math mtext { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; }
.formula-note { text-indent: 0; color: var(--muted); font-size: .9rem; margin-top: .1em; }
figure { margin: 1.2rem 0; }
figcaption { text-align: center; font-weight: 700; font-size: .92rem; margin: .3rem 0; }
figure.chart img { display: block; margin: 0 auto; width: 100%; height: auto; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; font-variant-numeric: tabular-nums; }
table.compact { font-size: .8rem; }
th, td { border: 1px solid var(--rule); padding: .28em .5em; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; vertical-align: bottom; }
td.num { text-align: right; white-space: nowrap; }
td.mid { text-align: center; }
td.token { white-space: nowrap; }
/* a table of many columns takes the window's width on a wide screen rather than scroll inside the page's */
@media (min-width: 66rem) {
  figure.wide { width: max-content; min-width: 100%; max-width: min(calc(100vw - 3rem), 84rem);
                position: relative; left: 50%; transform: translateX(-50%); }
}
tbody tr:nth-child(even) { background: #fafbfc; }
p.note { text-indent: 0; font-size: .82rem; color: var(--muted); }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  .page { padding: .6rem .7rem 3rem; }
  header.cover { padding-top: 1.5rem; }
  header.cover h1 { font-size: 1.45rem; }
  p { text-indent: 0; }
  table, table.compact { font-size: .76rem; }
  nav.toc ol ol { columns: 1; }
}
@media print {
  @page { size: A4; margin: 2cm 1.8cm; }
  body { font-size: 10.5pt; line-height: 1.6; }
  .page { max-width: none; padding: 0; }
  header.cover { min-height: 24cm; border: 0; padding-top: 8cm; text-align: center; break-after: page; }
  nav.toc { break-after: page; border: 0; background: none; }
  nav.toc summary { list-style: none; }
  section.chapter { break-before: page; }
  .page-break { break-after: page; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr, figure.chart, .formula { break-inside: avoid; }
  h2, h3, h4, figcaption { break-after: avoid; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""


def _css() -> str:
    """The page's CSS; the English edition numbers its findings (1), (2)… with ASCII brackets."""
    return (
        CSS
        if current() == "zh"
        else CSS.replace('content: "（" counter(item) "）"', 'content: "(" counter(item) ") "')
    )


def to_html(document: Document, charts: Mapping[str, bytes]) -> bytes:
    """The report as UTF-8 HTML bytes; figures whose chart is not in ``charts`` are left out."""
    cover = document.cover
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if current() == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(cover.title)}</title>",
        f"<style>{_css()}</style>",
        "</head>",
        "<body>",
        '<div class="page">',
        '<header class="cover">',
        f"<h1>{escape(cover.title)}</h1>",
        f'<p class="subtitle">{escape(cover.subtitle)}</p>',
        "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in cover.lines) + "</ul>",
        "</header>",
        _contents(document),
        "<main>",
    ]
    open_section = False
    for block in document.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                if open_section:
                    parts.append("</section>")
                parts.append(f'<section class="chapter" id="{escape(block.anchor)}">')
                open_section = True
                parts.append(f"<h2>{escape(block.text)}</h2>")
            else:
                tag = "h3" if block.level == 2 else "h4"
                parts.append(f'<{tag} id="{escape(block.anchor)}">{escape(block.text)}</{tag}>')
        elif isinstance(block, Paragraph):
            parts.append(
                f'<p class="lead">{_body(block.text)}</p>' if block.lead else f"<p>{_body(block.text)}</p>"
            )
        elif isinstance(block, Bullets):
            tag = "ol" if block.numbered else "ul"
            parts.append(
                f'<{tag} class="items">' + "".join(f"<li>{_body(i)}</li>" for i in block.items) + f"</{tag}>"
            )
        elif isinstance(block, Formula):
            # the formulas of one display side by side, wrapping onto lines of their own on a narrow screen
            pieces = "，".join(
                f'<span class="part">{mathml(p, display=False, displaystyle=True)}</span>'
                for p in math_parts(block.tex)
            )
            parts.append(f'<div class="formula">{pieces}</div>')
            if block.where:
                parts.append(f'<p class="formula-note">{_body(block.where)}</p>')
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            if block.chart in charts:
                parts.append(_figure(block, charts[block.chart]))
        elif isinstance(block, PageBreak):
            parts.append('<div class="page-break"></div>')
    if open_section:
        parts.append("</section>")
    parts += ["</main>", "</div>", "</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


def _body(text: str) -> str:
    """Body text escaped, its inline formulas (``⟦…⟧``) as MathML."""
    return "".join(
        mathml(piece, display=False) if is_formula else escape(piece) for is_formula, piece in segments(text)
    )


def _contents(document: Document) -> str:
    """Nested list of links to the chapters (level 1) and their sections (level 2)."""
    items: list[str] = []
    children: list[str] = []

    def close() -> None:
        if children:
            items[-1] += "<ol>" + "".join(children) + "</ol>"
            children.clear()

    for heading in document.headings:
        link = f'<a href="#{escape(heading.anchor)}">{escape(heading.text)}</a>'
        if heading.level == 1:
            close()
            items.append(link)
        elif heading.level == 2 and items:
            children.append(f"<li>{link}</li>")
    close()
    body = "".join(f"<li>{item}</li>" for item in items)
    toc = _("目录")
    return f'<nav class="toc" aria-label="{toc}"><details open><summary>{toc}</summary><ol>{body}</ol></details></nav>'


WIDE_TABLE = (
    10  # columns from which a table is set compact and as wide as the window, to fit without scrolling
)
# A code or a number set in a text column (DI-12, 370102, 1–3): one token, never broken across lines.
_TOKEN = re.compile(r"[\x21-\x7e–—]{1,16}")


def _table(block: Table) -> str:
    classes = {"r": ' class="num"', "c": ' class="mid"'}
    token = ' class="token"'
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.header)
    rows = []
    for row in block.rows:
        cells = "".join(
            f"<td{classes.get(block.alignment(c)) or (token if _TOKEN.fullmatch(v) else '')}>{escape(v)}</td>"
            for c, v in enumerate(row)
        )
        rows.append(f"<tr>{cells}</tr>")
    wide = len(block.header) >= WIDE_TABLE
    css = ' class="compact"' if block.compact or wide else ""
    note = f'<p class="note">{_body(block.note)}</p>' if block.note else ""
    return (
        f'<figure class="table{" wide" if wide else ""}" id="table-{escape(block.key)}">'
        f"<figcaption>{escape(block.caption)}</figcaption>"
        f'<div class="scroll"><table{css} data-key="{escape(block.key)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}</figure>"
    )


def _figure(block: Figure, png: bytes) -> str:
    width, height = png_size(png)
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure class="chart" style="max-width: {block.width_cm:g}cm; margin-left: auto; margin-right: auto">'
        f'<img src="data:image/png;base64,{data}" width="{width}" height="{height}" alt="{escape(block.caption)}">'
        f"<figcaption>{escape(block.caption)}</figcaption></figure>"
    )
