"""Formulas typeset: the LaTeX subset of scoring.report.math as Word equations (OMML), MathML and one line of
text; the report's formulas are equations in the docx and MathML in the HTML."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from scoring.report import math
from scoring.report.model import Formula
from tests.report.support import open_docx

M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"


def test_a_fraction_with_a_sum_in_each_form() -> None:
    source = r"w'_j = \frac{w_j}{\sum_{k \in V} {w_k}}"
    assert math.text(source) == "w′ⱼ = wⱼ/(∑(k∈V) wₖ)"
    assert math.mathml(source, display=True) == (
        '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow>'
        "<msub><mrow><mrow><mi>w</mi><mo>′</mo></mrow></mrow><mrow><mi>j</mi></mrow></msub><mo>=</mo>"
        "<mfrac><mrow><msub><mrow><mi>w</mi></mrow><mrow><mi>j</mi></mrow></msub></mrow>"
        '<mrow><mrow><munder><mo largeop="true" movablelimits="false">∑</mo><mrow><mi>k</mi><mo>∈</mo><mi>V</mi>'
        "</mrow></munder><mrow><msub><mrow><mi>w</mi></mrow><mrow><mi>k</mi></mrow></msub></mrow></mrow></mrow>"
        "</mfrac></mrow></math>"
    )
    root = ElementTree.fromstring(math.omml(source, display=True))
    assert root.tag == f"{M}oMathPara"
    (fraction,) = root.iter(f"{M}f")
    (nary,) = fraction.find(f"{M}den").iter(f"{M}nary")  # type: ignore[union-attr]
    assert nary.find(f"{M}naryPr/{M}chr").get(f"{M}val") == "∑"  # type: ignore[union-attr]
    assert "".join(t.text or "" for t in nary.find(f"{M}sub").iter(f"{M}t")) == "k∈V"  # type: ignore[union-attr]
    assert [t.text for t in fraction.find(f"{M}num").iter(f"{M}t")] == ["w", "j"]  # type: ignore[union-attr]


def test_chinese_text_and_function_names_are_upright() -> None:
    root = ElementTree.fromstring(math.omml(r"完成度 = \min(x, 1)", display=False))
    runs = {"".join(t.text or "" for t in r.iter(f"{M}t")): r for r in root.iter(f"{M}r")}
    assert runs["完成度"].find(f"{M}rPr/{M}nor") is not None
    assert runs["min"].find(f"{M}rPr/{M}nor") is not None
    assert runs["x"].find(f"{M}rPr") is None  # a variable stays italic


def test_inline_formulas_in_body_text() -> None:
    text = f"权重 {math.inline('w_j')} 为指标 {math.inline('j')} 的权重"
    assert math.segments(text) == [
        (False, "权重 "),
        (True, "w_j"),
        (False, " 为指标 "),
        (True, "j"),
        (False, " 的权重"),
    ]
    assert math.plain(text) == "权重 wⱼ 为指标 j 的权重"


@pytest.mark.parametrize("bad", [r"\frac{a}", r"x_", r"\nosuch{x}", "a}", "|x|"])
def test_a_formula_outside_the_subset_fails_where_it_is_written(bad: str) -> None:
    with pytest.raises(math.MathError):
        Formula(bad)


def test_every_formula_of_the_report_is_an_equation(jinan_files: dict[str, bytes]) -> None:
    document = open_docx(jinan_files["docx"])
    body = document.element.body
    equations = body.findall(f".//{M}oMathPara")
    # the methods chapter (normalisation, log, weighting, aggregation, renormalisation, attainment, schedule,
    # change) and the analysis chapters (coupling coordination, obstacles, disparity and its decomposition)
    assert len(equations) >= 14
    assert len(body.findall(f".//{M}oMath")) > len(equations)  # inline symbols in the notes too
    text = "\n".join(p.text for p in document.paragraphs)
    for typed in ("clip(", "Σ_", "_(", "w_j", "⟦", "\\frac", "/Σ"):
        assert typed not in text
    html = jinan_files["html"].decode()
    # one display each, its formulas side by side (they wrap on a phone)
    assert html.count('<div class="formula"><span class="part"><math') == len(equations)
    body_text = re.sub(r"<[^>]+>", "", re.sub(r"<(math|style)\b.*?</\1>", "", html, flags=re.S))
    assert not re.search(r"[A-Za-z]_[A-Za-z0-9({]", body_text)
