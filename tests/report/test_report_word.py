"""The Word report, opened with python-docx and read back against the evaluation (scores to two decimals)."""

from __future__ import annotations

import docx
import pytest

from scoring.evaluate import Evaluation
from scoring.report import build_report
from tests.report.support import W, open_docx, tables_by_key

CHAPTERS = [
    "一、摘要",
    "二、评价体系与方法",
    "三、全市总体情况",
    "四、区县综合排名与梯队",
    "五、分维度评价",
    "六、目标完成度",
    "七、年度变化",
    "八、区县画像",
    "九、协同发展分析",  # issue 14: the analysis chapters
    "十、障碍因子诊断",
    "十一、区域差异分析",
    "十二、问题与建议",
    "附录",
]


@pytest.fixture(scope="module")
def word(jinan_files: dict[str, bytes]) -> docx.document.Document:
    return open_docx(jinan_files["docx"])


@pytest.fixture(scope="module")
def tables(word: docx.document.Document) -> dict[str, list[list[str]]]:
    return tables_by_key(word)


def test_chapters_come_in_the_order_users_expect(word: docx.document.Document) -> None:
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == CHAPTERS


def test_contents_give_each_headings_page_and_the_page_is_a4(word: docx.document.Document) -> None:
    # every chapter and section heading carries a bookmark; the contents list them in order, each with a PAGEREF
    # field to its bookmark (Word and LibreOffice compute page references on layout, LibreOffice keeps a TOC
    # field's cached text), and Word updates the fields on opening
    body = word.element.body
    bookmarks = {
        b.get(f"{W}name"): "".join(t.text or "" for t in b.getparent().iter(f"{W}t"))
        for b in body.iter(f"{W}bookmarkStart")
    }
    headings = [p.text for p in word.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    references = [
        t.text.split()[1] for t in body.iter(f"{W}instrText") if t.text.strip().startswith("PAGEREF")
    ]
    assert [bookmarks[r] for r in references] == headings
    entries = [p for p in word.paragraphs if p.style.name.startswith("目录条目")]
    assert [p.text.split("\t")[0] for p in entries] == headings
    assert word.settings.element.find(f"{W}updateFields").get(f"{W}val") == "true"
    section = word.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_ranking_table_matches_the_evaluation(jinan: Evaluation, tables: dict[str, list[list[str]]]) -> None:
    header, *rows = tables["ranking"]
    assert header[:6] == ["排名", "区县", "综合得分", "梯队", "得分变化", "位次变化"]
    scores = jinan.scores.xs(2024, level="year")
    ranks = jinan.ranks.xs(2024, level="year")
    tiers = jinan.tiers.xs(2024, level="year")
    by_name = {name: code for code, name in jinan.system.unit_names.items()}
    assert len(rows) == len(scores) == 14
    for row in rows:
        unit = by_name[row[1]]
        assert int(row[0]) == ranks.at[unit, "INDEX"]
        assert row[2] == f"{scores.at[unit, 'INDEX']:.2f}"
        assert row[3] == tiers[unit]
        assert row[6:] == [f"{scores.at[unit, d]:.2f}" for d in "ABCDE"]
    assert [int(r[0]) for r in rows] == sorted(int(r[0]) for r in rows)


def test_tier_table_counts_the_units_of_each_tier(
    jinan: Evaluation, tables: dict[str, list[list[str]]]
) -> None:
    counts = jinan.tiers.xs(2024, level="year").value_counts()
    rows = tables["tiers"][1:]
    assert {name: int(n) for name, n, _ in rows} == {
        name: counts.get(name, 0) for name in ("领先", "先进", "追赶", "起步")
    }
    assert sum(int(n) for _, n, _ in rows) == 14


def test_dimension_tables_rank_units_by_their_dimension_score(
    jinan: Evaluation, tables: dict[str, list[list[str]]]
) -> None:
    scores = jinan.scores.xs(2024, level="year")
    ranks = jinan.ranks.xs(2024, level="year")
    by_name = {name: code for code, name in jinan.system.unit_names.items()}
    for dim in jinan.system.root.children or []:
        header, *rows = tables[f"dimension:{dim.code}"]
        assert header[3:] == [c.code for c in dim.children or []]
        for row in rows:
            unit = by_name[row[1]]
            assert int(row[0]) == ranks.at[unit, dim.code]
            assert row[2] == f"{scores.at[unit, dim.code]:.2f}"


def test_change_table_splits_each_change_into_dimension_parts(
    jinan: Evaluation, tables: dict[str, list[list[str]]]
) -> None:
    _, *rows = tables["change"]
    change = jinan.score_change.xs(2024, level="year")["INDEX"]
    by_name = {name: code for code, name in jinan.system.unit_names.items()}
    for row in rows:
        assert row[6] == f"{change[by_name[row[0]]]:+.2f}"
        parts = [float(x) for x in row[7:12]]
        assert sum(parts) == pytest.approx(float(row[6]), abs=0.03)  # five parts rounded to 0.01 each


def test_one_profile_page_with_a_radar_per_district(word: docx.document.Document) -> None:
    paragraphs = word.paragraphs
    chapters = {p.text: i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1"}
    start, end = chapters["八、区县画像"], chapters["九、协同发展分析"]
    profiles = [p for p in paragraphs[start:end] if p.style.name == "Heading 2"]
    assert len(profiles) == 14
    radars = [
        p for p in paragraphs[start:end] if p.text.startswith("图") and "各维度得分与全市平均" in p.text
    ]
    assert len(radars) == 14
    # every district after the first starts a new page
    assert [p.paragraph_format.page_break_before for p in profiles] == [None] + [True] * 13


def test_every_figure_is_embedded_once(word: docx.document.Document) -> None:
    # trend, ranking, heat map, attainment, change, 14 radars, coordination D and the kernel density (issue 14)
    assert len(word.inline_shapes) == 5 + 14 + 2
    described = [shape._inline.docPr.get("descr") for shape in word.inline_shapes]
    assert all(d and d.startswith("图 ") for d in described)


def test_body_text_is_set_in_a_cjk_font(word: docx.document.Document) -> None:
    fonts = word.styles["Normal"].element.rPr.rFonts
    assert fonts.get(f"{W}eastAsia") == "Noto Serif CJK SC"


def test_same_evaluation_gives_the_same_bytes(small: Evaluation) -> None:
    assert build_report(small, "docx") == build_report(small, "docx")


def test_an_english_column_head_asks_for_its_longest_word_a_chinese_head_for_all_of_it() -> None:
    from scoring.report.model import Table
    from scoring.report.word import _column_widths, _header_width

    # half-em units of the table font (word.ADVANCE): a CJK character 2; "infrastructure" i 0.7, n 1.4, f 0.9,
    # r 1.0, a 1.2, s 1.0, t 0.8, r 1.0, u 1.4, c 1.2, t 0.8, u 1.4, r 1.0, e 1.2 → 15.0
    assert _header_width("Digital infrastructure") == pytest.approx(15.0)
    assert _header_width("全市平均") == pytest.approx(8.0)  # a Chinese head stays on one line
    # short words: half of the head ("City average score" 19.1 → 9.55; "average" is 8.2), two lines, not three
    assert _header_width("City average score") == pytest.approx(9.55)
    # the same two columns with the head in English and in Chinese: the English head wraps between its words,
    # so its number column is narrower and the column of long text gets the room
    text = "Digital-economy core industries' value added as a share of GDP 9.2%"
    english = Table("t", "", ("Digital infrastructure and networks", "Top obstacles"), (("5.6%", text),))
    chinese = Table("t", "", ("数字基础设施与网络覆盖水平指数", "Top obstacles"), (("5.6%", text),))
    assert _column_widths(english, 16.2)[0] < _column_widths(chinese, 16.2)[0]
    assert _column_widths(english, 16.2)[1] > _column_widths(chinese, 16.2)[1]


def test_long_english_heads_of_a_row_of_number_columns_are_set_upright() -> None:
    from scoring.report.model import Table
    from scoring.report.word import TEXT_WIDTH_CM, _column_widths, _turned_heads

    text = "Digital-economy core industries' value added as a share of GDP 9.2%; Leading digital-economy firms 6.0%"
    heads = (
        "Unit",
        "Digital infrastructure",
        "Digitalisation of industry",
        "Enabling environment",
        "Top obstacles",
    )
    english = Table("t", "", heads, (("Hi-tech Zone", "5.6%", "41.3%", "6.2%", text),), align="lrrrl")
    # "infrastructure", "Digitalisation", "environment": words over 10 half-ems over numbers of 6 at most
    assert _turned_heads(english, TEXT_WIDTH_CM) == [False, True, True, True, False]
    turned = _column_widths(english, TEXT_WIDTH_CM, [False, True, True, True, False])
    assert turned[4] > _column_widths(english, TEXT_WIDTH_CM)[4]  # the room goes to the long text
    # without long text (a cell over 60 half-ems) there is nothing to give the room to: heads stay level
    short = Table(
        "t", "", heads, (("Hi-tech Zone", "5.6%", "41.3%", "6.2%", "Digital industry"),), align="lrrrl"
    )
    assert not any(_turned_heads(short, 8.0))  # a page narrow enough for the heads to crowd
    # two such columns are not a row of them; Chinese heads are never turned
    two = Table("t", "", heads[:3] + heads[4:], (("Hi-tech Zone", "5.6%", "41.3%", text),), align="lrrl")
    assert not any(_turned_heads(two, TEXT_WIDTH_CM))
    chinese = Table(
        "t",
        "",
        ("区县", "数字基础设施", "产业数字化", "数字环境", "前 3 位障碍指标"),
        english.rows,
        align="lrrrl",
    )
    assert not any(_turned_heads(chinese, TEXT_WIDTH_CM))


def test_a_column_is_as_wide_as_its_longest_number_and_word() -> None:
    from scoring.report.model import Table
    from scoring.report.word import CELL_PADDING_CM, _least_widths, _text_width

    # "85.77": 8, 5, 7, 7 at 1.2 and the point at 0.7 → 5.5 half-ems; "unchanged" u 1.4 n 1.4 c 1.2 h 1.4
    # a 1.2 n 1.4 g 1.2 e 1.2 d 1.4 → 11.8; at 7.5 pt half an em is 3.75 pt = 0.1323 cm
    assert _text_width("85.77") == pytest.approx(5.5)
    assert _text_width("unchanged") == pytest.approx(11.8)
    half_em = 3.75 * 2.54 / 72
    table = Table("t", "", ("Rank change", "本年得分"), (("unchanged", "85.77"),), compact=True)
    least = _least_widths(table, [False, False], 7.5)
    assert least[0] == pytest.approx(11.8 * half_em + CELL_PADDING_CM)  # the word, not the head's "change"
    # a Chinese head wraps between any two characters (two a line at least); the number 85.77 is wider
    assert least[1] == pytest.approx(5.5 * half_em + CELL_PADDING_CM)


def test_a_table_too_wide_for_the_page_is_set_compact_then_on_a_landscape_page() -> None:
    from scoring.report.model import Table
    from scoring.report.word import COMPACT_PT, TABLE_PT, _layout

    # 12 columns of "+4.25" (5.6 half-ems): at 9 pt each needs 5.6 × 0.1588 + 0.45 = 1.34 cm, 16.1 cm in all,
    # which fits the portrait page's 16.2 cm
    numbers = ("+4.25",) * 12
    narrow = Table("t", "", tuple(f"A{i}" for i in range(12)), (numbers,), align="r" * 12)
    assert _layout(narrow)[:2] == (TABLE_PT, False)
    # 13 columns: 17.4 cm at 9 pt; compact (7.5 pt) 13 × (5.6 × 0.1323 + 0.45) = 15.5 cm fits
    wider = Table("t", "", tuple(f"A{i}" for i in range(13)), ((*numbers, "+4.25"),), align="r" * 13)
    assert _layout(wider)[:2] == (COMPACT_PT, False)
    # the English change table: heads "ΔDigitalisation" (15.6 half-ems, 2.51 cm compact) over five number
    # columns and more do not fit 16.2 cm even compact: a landscape page (24.9 cm wide)
    heads = ("Unit", "Previous rank", "Rank", "Rank change", "Previous score", "Score", "Score change")
    heads += ("ΔDigital infrastructure", "ΔDigital industry", "ΔDigitalisation of industry")
    heads += ("ΔDigitalisation of the city", "ΔEnabling environment", "Main driver")
    row = ("Hi-tech Zone", "1", "1", "unchanged", "81.52", "85.77", "+4.25") + ("+0.56",) * 5
    change = Table("change", "", heads, ((*row, "Digitalisation of industry"),), compact=True)
    size, landscape, _turned, widths = _layout(change)
    assert (size, landscape) == (COMPACT_PT, True)
    assert 16.2 < sum(widths) <= 24.9


def test_a_table_too_tall_for_a_page_splits_like_a_long_one() -> None:
    from scoring.report.model import Table
    from scoring.report.word import _height_cm, _kept_rows

    # a head and three rows of one line each at 9 pt: 4 lines of 1.45 em (0.4604 cm) and 0.02 cm a row
    short = Table("t", "", ("A",), (("1",), ("2",), ("3",)))
    assert _height_cm(short, [2.0], 9.0) == pytest.approx(4 * 1.45 * 9 * 2.54 / 72 + 4 * 0.02)
    # a cell of 50 x (60 half-ems, 7.94 cm at 7.5 pt) in a column with 3.0 − 0.45 = 2.55 cm of room: 4 lines,
    # under a head of one
    assert _height_cm(Table("t", "", ("A",), (("x" * 50,),)), [3.0], 7.5) == pytest.approx(
        5 * 1.45 * 7.5 * 2.54 / 72 + 2 * 0.02
    )
    # 14 rows kept whole (each with the next, the last with the note) unless too tall for a page: then it splits
    # after its first four rows and before its last four, as a table of more than 15 rows does
    assert _kept_rows(14, note=True) == set(range(14))
    assert _kept_rows(14, note=True, whole=False) == {0, 1, 2, 10, 11, 12, 13}
