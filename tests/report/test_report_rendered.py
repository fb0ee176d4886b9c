"""The Chinese report of the Jinan sample read as the office reads it (issue 17): the rules a program can check,
on the Word file and on the PDF LibreOffice makes of it.

- no formula typed as code (``clip(``, ``Σ_``, ``x_ij``, LaTeX), no field name of the system file, no design note;
- no English word outside a whitelist of units and acronyms;
- counts that add up (key figures, target status per indicator and per unit, tiers, the summary's sentence);
- wording rules (the leader named once, strengths only in the upper third, no list number read as a decimal);
- every table's caption on the same page as the table's head, and the contents' page numbers right;
- no number, code or word of a table cell broken across lines, in either edition.

One render of each edition, shared by the checks (module-scoped; the English one for its profile pages); skipped only when LibreOffice or poppler is missing
(``scripts/install-system-deps.sh --tests`` installs them).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import docx.document
import pytest

from scoring.analysis.report_data import NO_DATA, NOT_APPLICABLE, STATUSES, ReportData, analyse
from scoring.evaluate import Evaluation
from scoring.report import ReportOptions, build_reports
from tests.report.support import tables_by_key

# Latin words the Chinese edition may print: units, acronyms and names from the system file and the methods.
WHITELIST = {
    "GDP",
    "PDF",
    "ID",
    "AI",
    "PFLOPS",
    "EFLOPS",
    "FP32",
    "FP16",
    "Mbps",
    "R&D",
    "Dagum",
    "CRITIC",
    "AHP",
    "COINr",
    "DI",  # the indicator codes' prefix (DI-01)
}
# Field names and method codes of the system file a reader must never see.
FIELD_NAME = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")
# Formulas typed as code: subscripts with _, LaTeX, clip(), ASCII operators between letters, inline marks.
TYPED_FORMULA = re.compile(r"[A-Za-z0-9)′'][_^][A-Za-z0-9({]|\\[a-z]+|clip\(|Σ_|⟦|⟧|[A-Za-z] ?\* ?[A-Za-z]")
DESIGN_NOTE = re.compile(r"若评价办公室|可改为|TODO|待定")
PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")
# What must never break across lines in a table cell: codes (DI-24), numbers (85.77, +4.25, −0.16, 12/14, 5.6%)
# and words of three letters or more (unchanged, infrastructure).
WHOLE = re.compile(r"[A-Z]+-\d+|[+\-−]?\d+(?:[.,:/]\d+)*%?|[A-Za-z]{3,}")


def _texts(document: docx.document.Document) -> list[str]:
    """Every paragraph and table cell of the Word file (formulas are equations, not text)."""
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


@pytest.fixture(scope="module")
def word(jinan_files: dict[str, bytes]) -> docx.document.Document:
    return docx.Document(io.BytesIO(jinan_files["docx"]))


@pytest.fixture(scope="module")
def english_docx(jinan: Evaluation) -> bytes:
    """The English edition's Word file (``--lang en``)."""
    return build_reports(jinan, ("docx",), ReportOptions(lang="en"))["docx"]


@pytest.fixture(scope="module")
def english_word(english_docx: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(english_docx))


@pytest.fixture(scope="module")
def data(jinan: Evaluation) -> ReportData:
    return analyse(jinan)


def _rendered(content: bytes, folder: Path) -> list[list[str]]:
    """The text lines of each page of the PDF LibreOffice makes of the Word file ``content``."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        pytest.skip(
            "LibreOffice (soffice) or poppler (pdftotext) is not installed: scripts/install-system-deps.sh --tests"
        )
    source = folder / "report.docx"
    source.write_bytes(content)
    profile = (
        folder / "lo-profile"
    ).as_uri()  # a profile of its own: runs in parallel never block each other
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    text = subprocess.run(
        [pdftotext, "-layout", str(folder / "report.pdf"), "-"], check=True, capture_output=True, timeout=120
    ).stdout.decode("utf-8")
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]


@pytest.fixture(scope="module")
def pages(jinan_files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """The text lines of each page of the PDF LibreOffice makes of the Word file."""
    return _rendered(jinan_files["docx"], tmp_path_factory.mktemp("rendered"))


@pytest.fixture(scope="module")
def english_pages(english_docx: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """The same for the English edition (``--lang en``)."""
    return _rendered(english_docx, tmp_path_factory.mktemp("rendered-en"))


# ------------------------------------------------------------------------------------------ no internal text
def test_no_formula_typed_as_code_no_field_name_no_design_note(word: docx.document.Document) -> None:
    for text in _texts(word):
        assert not TYPED_FORMULA.search(text), text
        assert not FIELD_NAME.search(text), text
        assert not DESIGN_NOTE.search(text), text
    assert not re.search(r"-\d+\.\d+", "".join(r[2] + r[3] for r in tables_by_key(word)["sensitivity"][1:]))


def test_no_english_outside_the_whitelist(word: docx.document.Document) -> None:
    words = {w for text in _texts(word) for w in re.findall(r"[A-Za-z][A-Za-z0-9&]*", text)}
    # single capital letters are symbols and dimension codes (A 数字基础设施, 耦合度 C)
    assert {w for w in words if len(w) > 1} <= WHITELIST


# --------------------------------------------------------------------------------------- counts that add up
def test_counts_add_up(word: docx.document.Document, data: ReportData) -> None:
    tables = tables_by_key(word)
    units = len(data.ranking)
    figures = dict((r[0], r[1]) for r in tables["key_figures"][1:])
    assert sum(int(v) for k, v in figures.items() if k.startswith("梯队：")) == units
    parts = [int(v) for k, v in figures.items() if k.startswith("其中（按全市平均）")]
    assert sum(parts) == int(figures["设有规划目标的指标"]) == len(data.targets)
    header, *rows = tables["attainment"]
    statuses = [i for i, h in enumerate(header) if h in STATUSES]
    for row in rows:  # per indicator: the units in each status add up to the units
        assert sum(int(row[i]) for i in statuses) == units, row
    header, *rows = tables["unit_attainment"]
    for row in rows:  # per unit: the indicators in each status add up to the targeted indicators
        assert sum(int(v) for v in row[1:]) == len(data.targets), row
    # the summary's sentence names every status with a count, and they add up to the targeted indicators
    sentences = [p.text for p in word.paragraphs if p.text.startswith("在设有规划目标的")]
    assert sentences  # the summary, the city chapter and the targets chapter
    for sentence in sentences:
        counted = sentence.split("按全市平均值计，")[1].split("；")[0]
        assert sum(int(n) for n in re.findall(r"(\d+) 项", counted)) == len(data.targets), sentence


def test_not_applicable_is_never_missing_nor_blamed(word: docx.document.Document, data: ReportData) -> None:
    header = tables_by_key(word)["attainment"][0]
    marked = sum(t.counts[NOT_APPLICABLE] for t in data.targets)
    assert marked  # the sample has units that marked a targeted indicator 不适用
    assert NOT_APPLICABLE in header and (NO_DATA in header) == any(t.counts[NO_DATA] for t in data.targets)
    items = [p.text for p in word.paragraphs if p.style.name == "列表条目"]
    assert not any("不适用" in item for item in items)


# ------------------------------------------------------------------------------------------------- wording
def test_the_leader_is_named_once(word: docx.document.Document, data: ReportData) -> None:
    leader = str(data.ranking["unit_name"].iloc[0])
    sentences = [p.text for p in word.paragraphs if "位居第一" in p.text]
    assert len(sentences) >= 2  # the summary and the ranking chapter
    for text in sentences:
        assert text.split("得分最低")[0].count(leader) == 1, text


def test_strengths_rank_in_the_upper_third(word: docx.document.Document) -> None:
    for p in word.paragraphs:
        if p.text.startswith(("优势指标：", "没有排名居前三分之一")) or "；短板指标" in p.text:
            strengths = p.text.split("；")[0]
            for rank in re.findall(r"第 (\d+) 位", strengths):
                assert int(rank) <= 14 // 3, p.text
    for rows in (v for k, v in tables_by_key(word).items() if k.startswith("profile_indicators:")):
        for kind, _, _, _, rank, _ in rows[1:]:
            r, n = (int(x) for x in rank.split("/"))
            assert (r <= n // 3) if kind == "优势" else (r > n - n // 3), rows


def test_no_list_number_reads_as_a_decimal(word: docx.document.Document) -> None:
    items = [p.text for p in word.paragraphs if p.style.name == "列表条目"]
    assert items
    for item in items:
        assert re.match(r"（\d+）\D", item), item


def test_the_equations_are_in_the_pdf(pages: list[list[str]]) -> None:
    """The methods' equations are printed (without LibreOffice Math the PDF silently drops every one of them)."""
    methods = next(lines for lines in pages if any("计算方法" in line for line in lines[:3]))
    text = re.sub(r"\s+", "", "".join(methods))
    assert "ln(1+x)" in text, (
        "the equations are missing: install libreoffice-math (install-system-deps.sh --tests)"
    )
    assert "min(max(r,0),1)" in text


# ------------------------------------------------------------------------------------------ the page layout
def _edition(
    request: pytest.FixtureRequest, edition: str
) -> tuple[docx.document.Document, list[list[str]], str]:
    """The Word file, the PDF's pages and the tables' caption label of an edition."""
    if edition == "zh":
        return request.getfixturevalue("word"), request.getfixturevalue("pages"), "表"
    return request.getfixturevalue("english_word"), request.getfixturevalue("english_pages"), "Table"


@pytest.mark.parametrize("edition", ["zh", "en"])
def test_every_tables_caption_is_on_the_page_of_its_head(
    request: pytest.FixtureRequest, edition: str
) -> None:
    word, pages, label_word = _edition(request, edition)
    captions = [
        p.text for p in word.paragraphs if p.style.name == "Caption" and p.text.startswith(f"{label_word} ")
    ]
    heads = [[c.text for c in table.rows[0].cells] for table in word.tables]
    assert len(captions) == len(heads)
    found = 0
    for caption, head in zip(captions, heads, strict=True):
        label = caption.split()[0] + " " + caption.split()[1]  # "表 12"
        for lines in pages:
            for i, line in enumerate(lines):
                if re.match(rf"{re.escape(label)}\s", line) and caption.split()[2][:6] in line:
                    rest = [x for x in lines[i + 1 :] if not PAGE_NUMBER.match(x)]
                    # the caption is followed on its page by the table's head (its first cell's first characters)
                    assert rest, f"{caption}: the caption ends its page"
                    assert head[0][:2] in rest[0], f"{caption}: the head is not right under it ({rest[0]})"
                    found += 1
    assert found == len(captions)


def test_contents_give_the_right_pages(word: docx.document.Document, pages: list[list[str]]) -> None:
    entries = [p.text for p in word.paragraphs if p.style.name.startswith("目录条目")]
    printed = {}
    for lines in pages[:4]:
        for line in lines:
            m = re.match(r"^(.+?)\.{3,}\s*(\d+)$", line)
            if m:
                printed[m.group(1).strip()] = int(m.group(2))
    assert len(printed) == len(entries)
    for heading, page in printed.items():
        # the physical page, counting the cover as page 1 as the footer does
        assert any(line.startswith(heading.replace("  ", " ")[:8]) for line in pages[page - 1]), heading


def test_each_district_profile_fits_one_page(
    word: docx.document.Document, data: ReportData, pages: list[list[str]]
) -> None:
    for profile in data.profiles:
        heading = f"{profile.name}（{profile.unit_code}）"
        (start,) = [
            n
            for n, lines in enumerate(pages)
            if any(line.endswith(heading) and line.startswith("（") for line in lines)
        ]
        ends = [
            n
            for n, lines in enumerate(pages)
            if any(f"{profile.name}优势与短板指标" in line for line in lines)
        ]
        assert ends in ([start], []), heading


def test_each_district_profile_fits_one_page_in_english(
    data: ReportData, english_pages: list[list[str]]
) -> None:
    # English words and indicator names run longer: the English profile sets its tables compact and its radar
    # chart smaller (scoring.report.chapters.profiles) so that it too keeps to its page
    headings = [
        (n, match.group(1))
        for n, lines in enumerate(english_pages)
        for line in lines
        if (match := re.match(r"^8\.\d+ (.+) \(\w+\)$", line))
    ]
    assert len(headings) == len(data.profiles)
    listed = [p for p in data.profiles if p.strengths or p.weaknesses]
    assert listed
    for start, name in headings:
        ends = [
            n
            for n, lines in enumerate(english_pages)
            if any(f"{name}: strengths and weaknesses" in line for line in lines)
        ]
        assert ends in ([start], []), (name, start, ends)
    found = sum(
        any(": strengths and weaknesses" in line and line.startswith("Table") for line in lines)
        for lines in english_pages
    )
    assert found == len(listed)  # every profile's table was followed


@pytest.mark.parametrize("edition", ["zh", "en"])
def test_no_table_leaves_a_few_rows_alone_on_a_page(request: pytest.FixtureRequest, edition: str) -> None:
    # follow each table's rows through the PDF by their first cell (in order, from the caption on): a table of up
    # to 15 rows is on one page; a longer one, or one of long text too tall for a page (the English plan targets
    # with their sources, whose caption was left alone at the foot of a page), never has fewer than four rows on
    # the page it starts or ends on
    word, pages, label_word = _edition(request, edition)
    tall = 0
    lines = [(n, line) for n, page in enumerate(pages) for line in page]
    captions = [
        p.text for p in word.paragraphs if p.style.name == "Caption" and p.text.startswith(f"{label_word} ")
    ]
    followed = 0
    for caption, table in zip(captions, word.tables, strict=True):
        label = " ".join(caption.split()[:2])
        start = next(
            (i for i, (_, line) in enumerate(lines) if re.match(rf"{re.escape(label)}\s", line)), None
        )
        firsts = [row.cells[0].text.strip()[:2] for row in table.rows[1:]]  # a wrapped cell keeps its start
        if start is None or not all(firsts):
            continue
        found: list[int] = []
        i = start
        for first in firsts:
            # the next row within a few lines (a wrapped row, a page's foot and head in between), else give up
            window = range(i + 1, min(i + 16, len(lines)))
            i = next((j for j in window if lines[j][1].startswith(first)), -1)
            if i < 0:
                break
            found.append(lines[i][0])
        if len(found) != len(firsts):
            continue
        followed += 1
        per_page = [found.count(p) for p in sorted(set(found))]
        kept_whole = all(
            row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in table.rows[1:-1]
        )
        tall += len(firsts) <= 15 and not kept_whole
        if len(firsts) <= 15 and kept_whole:
            assert len(per_page) == 1, f"{caption}: split {per_page}"
        else:
            assert per_page[0] >= 4 and per_page[-1] >= 4, f"{caption}: {per_page}"
    assert followed >= len(captions) // 2  # most tables could be followed row by row
    assert tall <= 2  # the short tables that may split are the odd one of long text


def _broken(document: docx.document.Document, pages: list[list[str]]) -> dict[str, tuple[int, int]]:
    """The numbers, codes and words of the tables' cells that the PDF prints whole fewer times than the Word file
    holds them (in all its paragraphs and cells): somewhere one of them is broken across lines ("85.7" over "7",
    "unchan" over "ged", "DI-" over "24" in a table's note)."""
    cells = {
        token
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for token in WHOLE.findall(cell.text)
    }
    held = Counter(token for text in _texts(document) for token in WHOLE.findall(text))
    printed = Counter(WHOLE.findall("\n".join(line for lines in pages for line in lines)))
    return {token: (held[token], printed[token]) for token in sorted(cells) if printed[token] < held[token]}


def test_no_number_or_word_of_a_table_breaks_across_lines(
    word: docx.document.Document,
    pages: list[list[str]],
    english_word: docx.document.Document,
    english_pages: list[list[str]],
) -> None:
    # every column is as wide as its longest number, code and word at the type size used; a table too wide for
    # the portrait page is set compact, then on a landscape page (the English change table: 13 columns under
    # the dimensions' long names, which broke "85.7/7" and "unchan/ged"); the hyphens of codes and ranges are
    # non-breaking (DI-24, 01-04), in the tables and in the text around them
    assert not _broken(word, pages)
    assert not _broken(english_word, english_pages)
    english_cells = {c.text for t in english_word.tables for row in t.rows for c in row.cells}
    assert {"unchanged", "Digital infrastructure"} <= english_cells  # the words that broke are in the tables
