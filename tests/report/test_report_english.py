"""The English edition (``ReportOptions(lang="en")``, ``digiscore report --lang en``): the same chapters, tables
and figures as the Chinese report, in English; only the texts the system file gives without an English version
(names without ``name_en``, definitions without ``definition_en``, sources, remarks, target notes, units of
measure the catalogue does not know) stay as given."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from scoring.evaluate import Evaluation
from scoring.report import ReportOptions, build_reports
from scoring.report.chapters import CHAPTERS
from scoring.report.english import EN
from scoring.report.language import _, language
from scoring.system import IndicatorSystem
from scoring.system.measures import measure_en
from tests.report.conftest import PREVIEW_DIR
from tests.report.support import W

CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff00-\uffef]")  # ，。：；（）、「」 and the ideographic space
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def english(jinan: Evaluation) -> dict[str, bytes]:
    files = build_reports(jinan, options=ReportOptions(lang="en"))
    PREVIEW_DIR.mkdir(parents=True, exist_ok=True)
    for fmt, content in files.items():
        (PREVIEW_DIR / f"report_en.{fmt}").write_bytes(content)
    return files


def system_texts(system: IndicatorSystem, evaluation: Evaluation) -> list[str]:
    """What the system file and the data give as they are, without an English version: the names without
    ``name_en``, definitions without ``definition_en`` (and so on for sources, remarks, target notes and
    sources), units of measure the catalogue does not know, the description, the districts' remarks."""
    texts: list[str] = [system.description or "", *(system.sources or {}).values()]
    for node, _depth, _parent in system.walk():
        if not node.name_en:
            texts.append(node.name)
        if measure_en(node.unit, node.unit_en) == node.unit:
            texts.append(node.unit or "")
        texts += [
            "" if node.definition_en else node.definition or "",
            "" if node.source_en else node.source or "",
            "" if node.remark_en else node.remark or "",
        ]
        for target in node.all_targets if node.is_indicator else []:
            texts += [
                "" if target.note_en else target.note or "",
                "" if target.source_en else target.source or "",
            ]
    for unit in system.units:
        texts += [
            unit.note or "",
            unit.name if not unit.name_en else "",
            unit.group if not unit.group_en else "",
        ]
    texts += [str(r) for r in evaluation.remarks.get("remark", [])]
    texts += [t.replace("⚠", "") for t in texts]  # the report leaves out the form's warning mark
    # long texts first, so that a text inside another is removed with it
    return sorted({t.strip() for t in texts if t and t.strip()}, key=len, reverse=True)


def leftovers(text: str, given: list[str]) -> list[str]:
    for item in given:
        text = text.replace(item, " ")
        for line in item.split("\n"):  # folded YAML texts may be broken differently in a cell
            text = text.replace(line.strip(), " ") if len(line.strip()) > 8 else text
    return sorted(
        {m.group(0) for m in re.finditer(r".{0,25}[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+.{0,15}", text)}
    )


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    parts = []
    for sheet in book.worksheets:
        parts.append(sheet.title)
        parts += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        parts += [sheet.oddHeader.left.text or "", sheet.oddFooter.center.text or ""]
    return "\n".join(parts)


def html_text(content: bytes) -> str:
    page = content.decode()
    page = re.sub(r"<style.*?</style>|<img[^>]*>", " ", page, flags=re.S)
    import html

    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


def test_english_edition_has_no_chinese_outside_what_the_system_file_gives(
    jinan: Evaluation, english: dict[str, bytes]
) -> None:
    given = system_texts(jinan.system, jinan)
    for fmt, text in (
        ("docx", docx_text(english["docx"])),
        ("xlsx", xlsx_text(english["xlsx"])),
        ("html", html_text(english["html"])),
    ):
        assert leftovers(text, given) == [], fmt
    style = re.search(r"<style>(.*?)</style>", english["html"].decode(), re.S)
    assert style is not None and not FULL_WIDTH.search(style.group(1))  # CSS-generated text, e.g. (1)


def test_english_edition_has_every_chapter_with_its_english_title(
    jinan: Evaluation, english: dict[str, bytes], jinan_files: dict[str, bytes]
) -> None:
    text = docx_text(english["docx"])
    titles = [c.title for c in CHAPTERS if c.key not in {"versions", "appendix", "robustness"}]
    with language("en"):
        english_titles = [_(t) for t in titles]
    for number, title in enumerate(english_titles, start=1):
        assert f"{number} {title}" in text, title
    for appendix in ("Appendix 1", "Appendix 2", "Appendix 3", "Appendix 4", "Appendix 5"):
        assert appendix in text
    # the same tables and figures as the Chinese edition
    zh, en = docx_text(jinan_files["docx"]), text
    assert len(re.findall(r"^表 \d+  ", zh, re.M)) == len(re.findall(r"^Table \d+  ", en, re.M)) > 20
    assert len(re.findall(r"^图 \d+  ", zh, re.M)) == len(re.findall(r"^Figure \d+  ", en, re.M)) > 10
    # the system's English names are used: units, dimensions, tiers, the composite
    assert "Lixia District" in text and "Digital infrastructure" in text and "Leading" in text
    assert "历下区" not in text


def test_definitions_sources_and_units_of_the_appendix_are_in_english(
    jinan: Evaluation, english: dict[str, bytes]
) -> None:
    """The Jinan system gives its definitions, sources, remarks and target notes in English too: the English
    edition prints those, and the units of measurement in English, in every format; none of the Chinese."""
    di01 = jinan.system.nodes["DI-01"]
    assert di01.definition_en and di01.definition and di01.target and di01.target.note_en
    for fmt, text in (
        ("docx", docx_text(english["docx"])),
        ("xlsx", xlsx_text(english["xlsx"])),
        ("html", html_text(english["html"])),
    ):
        for remark in jinan.remarks.get("remark", []):  # the districts' own remarks are data, as written
            text = text.replace(str(remark), " ")
        text = " ".join(text.split())  # a long text may be folded in a cell
        assert "5G base stations in service at year end ÷ resident population at year end" in text, fmt
        assert "Bureau of Statistics (resident population at year end)" in text, fmt  # DI-01's source
        if fmt != "xlsx":  # the workbook's 指标说明 sheet has no target notes, in either edition
            assert "City-wide target of 50 000 5G base stations by 2025" in text, fmt  # DI-01's target note
        assert "number per 10 000 persons" in text and "100 million yuan" in text, fmt  # 个/万人, 亿元
        for node in jinan.system.indicators:
            assert node.definition and node.definition not in text, (fmt, node.code)
            assert node.source and node.source not in text, (fmt, node.code)
        assert "亿元" not in text and "个/万人" not in text, fmt


def test_every_table_fits_its_page_and_the_wide_ones_are_on_landscape_pages(
    english: dict[str, bytes], jinan_files: dict[str, bytes]
) -> None:
    # each table is as wide as its numbers and words need (scoring.report.word._layout): what does not fit the
    # portrait page even in the compact type is set on a landscape page of its own section, then portrait again
    for edition, content in (("en", english["docx"]), ("zh", jinan_files["docx"])):
        body = docx.Document(io.BytesIO(content)).element.body
        sections, tables = [], []  # per table: the index of its section
        for element in body.iterchildren():
            if element.tag == f"{W}tbl":
                key = element.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val")
                width = int(element.find(f"{W}tblPr/{W}tblW").get(f"{W}w"))
                tables.append((key, width, len(sections)))
            properties = element.find(f"{W}pPr/{W}sectPr") if element.tag == f"{W}p" else None
            if element.tag == f"{W}sectPr" or properties is not None:
                section = element if properties is None else properties
                size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")
                text = int(size.get(f"{W}w")) - int(margins.get(f"{W}left")) - int(margins.get(f"{W}right"))
                sections.append((text, size.get(f"{W}orient") == "landscape"))
        wide = {key for key, _width, s in tables if sections[s][1]}
        for key, width, s in tables:
            assert width <= sections[s][0] + 1, (edition, key)  # twips, rounded per column
        if edition == "en":  # the change table's 13 columns under the long dimension names
            assert "change" in wide and "ranking" in wide and not any(k.startswith("profile") for k in wide)
        else:
            assert not wide  # the Chinese heads wrap between characters: every table fits the portrait page
        assert not sections[-1][1]  # the report ends on a portrait page


def test_english_sentences_are_spaced(english: dict[str, bytes]) -> None:
    # sentences written one after another (the change, coupling, disparity and group chapters, the findings) are
    # joined with a space in English ("… composite score. Each unit's change …", not "score.Each")
    text = docx_text(english["docx"]) + html_text(english["html"])
    assert not re.findall(r"[a-z0-9)%]\.[A-Z][a-z]+", text)


def test_a_count_of_one_takes_the_singular(english: dict[str, bytes]) -> None:
    with language("en"):
        moved = "与 {previous_year} 年相比，{up} 个单元位次上升、{down} 个下降、{same} 个持平"
        assert _(moved, previous_year=2023, up=1, down=1, same=12).startswith(
            "Compared with 2023, 1 unit moved up"
        )
        assert _(moved, previous_year=2023, up=11, down=1, same=2).startswith("Compared with 2023, 11 units")
        assert [_("上升 {k} 位", k=k) for k in (1, 21)] == ["up 1 place", "up 21 places"]
        behind = "{name}：{counts} 个单元滞后于序时进度（{year} 年应达 {expected}），分别是{value}。"
        assert "X: 1 unit is behind" in _(behind, name="X", counts=1, year=2024, expected="9%", value="A")
        assert "X: 2 units are behind" in _(behind, name="X", counts=2, year=2024, expected="9%", value="A")
    text = docx_text(english["docx"]) + html_text(english["html"])
    assert not re.findall(r"(?<![\w.,\-−])1 (?:units|places|indicators|dimensions|times)\b|1 unit are", text)


def test_workbook_sheets_are_in_english(english: dict[str, bytes]) -> None:
    book = openpyxl.load_workbook(io.BytesIO(english["xlsx"]))
    assert book.sheetnames[:3] == ["Summary", "City", "Ranking"]
    ranking = book["Ranking"]
    assert [c.value for c in ranking[1]][:5] == ["Rank", "Unit code", "Unit name", "Composite score", "Tier"]
    assert ranking.oddFooter.center.text.endswith("Page &P of &N")


def test_english_texts_keep_the_fields_and_use_no_full_width_punctuation() -> None:
    for chinese, text in EN.items():
        # fields, and the LaTeX groups of the formulas: the same in both languages (text words aside)
        assert _fields(chinese) == _fields(text), chinese
        assert not CJK.search(text) and not FULL_WIDTH.search(text), text


def _fields(template: str) -> set[str]:
    words = re.sub(r"\\text\{[^{}]*\}", "", template)  # \text{…}: words of a formula, translated
    return set(re.findall(r"\{([A-Za-z_]\w*)[:!]?[^{}]*\}", words))


def test_every_template_of_the_report_has_an_english_text() -> None:
    """Every ``_("…")`` in the report's modules is in the English catalogue (a new or reworded Chinese text
    needs its English text, or the English edition prints it in Chinese)."""
    import ast

    missing = []
    for path in sorted((ROOT / "scoring" / "report").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value not in EN
            ):
                missing.append(f"{path.name}: {node.args[0].value}")
    from scoring.analysis.disparity import NO_GROUP
    from scoring.report.labels import DIRECTION_TEXT, FLAG_TEXT

    # the words the chapters pass through _() as values: data flags, directions, the class of ungrouped units
    missing += [text for text in [*FLAG_TEXT.values(), *DIRECTION_TEXT.values(), NO_GROUP] if text not in EN]
    assert missing == []


def test_the_chinese_edition_is_the_default_and_unchanged_by_the_language_layer(
    jinan: Evaluation, jinan_files: dict[str, bytes]
) -> None:
    assert build_reports(jinan, ("html",), ReportOptions(lang="zh"))["html"] == jinan_files["html"]


def test_the_composite_english_edition_has_its_english_title_composite_and_tiers() -> None:
    """The composite of the three Jinan systems gives its own name, description, composite and tiers in English
    (translations, outside its content hash): the English edition shows them, never the Chinese ones."""
    from scoring.evaluate import evaluate
    from scoring.io import read_data
    from scoring.system import load_system

    system = load_system(ROOT / "indicators" / "jinan_digital_composite.yaml")
    dataset = read_data([ROOT / "sample_inputs" / "jinan_digital_composite" / "long_table.csv"], system)
    evaluation = evaluate(system, dataset, 2024)
    assert set(evaluation.tiers.dropna()) >= {"领先", "先进"}  # the sample reaches at least two tiers
    files = build_reports(
        evaluation, ("docx", "html"), ReportOptions(lang="en", charts=False, robustness=None)
    )
    assert isinstance(system.tiers, list)
    chinese = [system.name, system.composite.name, *(t.name for t in system.tiers)]
    for text in (docx_text(files["docx"]), html_text(files["html"])):
        assert "Jinan District Composite Index of High-Quality Digital Development" in text
        assert "High-quality digital development index" in text
        assert "Leading" in text and "Advanced" in text
        assert [name for name in chinese if name in text] == []
