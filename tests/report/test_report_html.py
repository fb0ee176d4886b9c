"""The HTML report: one self-contained file with the same tables and the same chart bytes as the Word report."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest

from scoring.evaluate import Evaluation
from scoring.report import build_report
from tests.report.support import open_docx, tables_by_key


class Page(HTMLParser):
    """Tables (by their data-key) as rows of cell texts, image sources, and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.tags: set[str] = set()
        self._key: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        attributes = dict(attrs)
        if tag == "table":
            self._key = attributes["data-key"]
            self.tables[self._key or ""] = []
        elif tag == "tr" and self._key is not None:
            self.tables[self._key].append([])
        elif tag in {"td", "th"}:
            self._cell = []
        elif tag == "img":
            self.images.append(attributes["src"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._key is not None:
            self.tables[self._key][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def html(jinan_files: dict[str, bytes]) -> str:
    return jinan_files["html"].decode("utf-8")


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    parsed = Page()
    parsed.feed(html)
    return parsed


def test_page_is_self_contained(html: str, page: Page) -> None:
    assert not {"script", "link", "iframe", "object"} & page.tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert page.images and all(src.startswith("data:image/png;base64,") for src in page.images)


def test_page_reads_on_a_phone_and_prints(html: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media (max-width: 40rem)" in html
    assert "@media print" in html and "@page { size: A4" in html


def test_codes_and_numbers_never_break_across_lines(html: str) -> None:
    """Indicator codes in a text column (DI-12) are set whole, like the numbers; names still wrap."""
    assert "td.num { text-align: right; white-space: nowrap; }" in html
    assert "td.token { white-space: nowrap; }" in html
    assert '<td class="token">DI-12</td>' in html
    assert '<td class="token">数字' not in html  # Chinese text wraps as usual
    # heads wrap between words; a table of many columns is set compact and as wide as the window on a wide
    # screen (the change table's 12 columns scrolled inside the page at 1366 px)
    assert "white-space: nowrap; }" not in re.search(r"thead th \{[^}]*\}", html).group(0)
    assert '<figure class="table wide" id="table-change">' in html
    assert '<figure class="table" id="table-tiers">' in html


def test_tables_are_the_tables_of_the_word_report(jinan_files: dict[str, bytes], page: Page) -> None:
    word = tables_by_key(open_docx(jinan_files["docx"]))
    assert page.tables == word


def test_charts_are_the_same_png_bytes_as_in_the_word_report(
    jinan_files: dict[str, bytes], page: Page
) -> None:
    with zipfile.ZipFile(io.BytesIO(jinan_files["docx"])) as package:
        media = {package.read(n) for n in package.namelist() if n.startswith("word/media/")}
    inline = [base64.b64decode(src.split(",", 1)[1]) for src in page.images]
    assert len(inline) == 21  # 19 + coordination D and the kernel density (issue 14)
    assert set(inline) == media


def test_text_is_escaped(small: Evaluation) -> None:
    html = build_report(small, "html").decode("utf-8")
    assert "<script" not in html
    assert html.count("<html") == 1 and html.rstrip().endswith("</html>")


def test_same_evaluation_gives_the_same_bytes(small: Evaluation) -> None:
    assert build_report(small, "html") == build_report(small, "html")


def test_html_without_charts_still_has_every_table(small: Evaluation) -> None:
    from scoring.report import ReportOptions

    html = build_report(small, "html", ReportOptions(charts=False)).decode("utf-8")
    assert "<img" not in html
    assert 'data-key="ranking"' in html
