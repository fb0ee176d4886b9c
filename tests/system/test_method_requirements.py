"""The loader checks what each method requires from the file (its record in scoring/methods.py), with paths."""

from __future__ import annotations

import pytest

from scoring.problems import SystemDefinitionError
from scoring.system.load import parse_system

SYSTEM = """\
id: test
name: 测试体系
version: "1"
units: [{{code: U1, name: 一区}}, {{code: U2, name: 二区}}]
method: {{normalise: minmax, weighting: {weighting}, combine: {combine}}}
composite: {{weighting: fixed}}
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - {{code: A1, name: 甲一, weight: 1, {a1}}}
      - {{code: A2, name: 甲二, {a2}}}
"""


def problems_of(**fields: str) -> list[tuple[str, str]]:
    """(path, English message) of every problem the loader reports, all of them method requirements."""
    text = SYSTEM.format(**({"weighting": "equal", "combine": "{}", "a1": "", "a2": ""} | fields))
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(text)
    assert {p.code for p in caught.value.problems} == {"system.method_requirement"}
    return [(p.location.cell, p.message_en) for p in caught.value.problems]


def test_the_message_names_the_method_and_what_to_add_in_both_languages() -> None:
    text = SYSTEM.format(weighting="equal", combine="{}", a1="", a2="weight: 1, normalise: efficacy")
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(text)
    (problem,) = caught.value.problems
    assert problem.message_zh == (
        "tree[0].children[1].target：标准化方法“efficacy”（功效系数法）需要目标值（target: {value: …}），"
        "请补充或改用其他方法"
    )
    assert problem.message_en == (
        "tree[0].children[1].target: normalisation method 'efficacy' (efficacy coefficient) needs a target: "
        "{value: …} on the indicator; add it or choose another method"
    )


def test_method_level_combination_with_ahp_and_no_matrix_is_refused_at_its_node() -> None:
    # regression: combine: {subjective: ahp} set under method (not on the node) passed the loader and failed
    # later, in the weighting stage, with no location
    problems = problems_of(weighting="combined", combine="{subjective: ahp, objective: entropy}")
    assert [path for path, _ in problems] == ["tree[0].ahp"]
    assert "'combined'" in problems[0][1] and "needs a pairwise matrix" in problems[0][1]


def test_combination_with_fixed_weights_needs_every_weight() -> None:
    problems = problems_of(weighting="combined", combine="{subjective: fixed}")
    assert [path for path, _ in problems] == ["tree[0].children[1].weight"]


def test_goalpost_normalisation_needs_goalposts_on_the_indicator() -> None:
    problems = problems_of(a2="weight: 1, normalise: goalposts")
    assert [path for path, _ in problems] == ["tree[0].children[1].goalposts"]
    assert "goalposts" in problems[0][1]


def test_target_normalisation_needs_a_target_on_the_indicator() -> None:
    problems = problems_of(a1="normalise: efficacy", a2="weight: 1, normalise: target")
    assert [path for path, _ in problems] == ["tree[0].children[0].target", "tree[0].children[1].target"]


def test_the_requirements_met_load() -> None:
    system = parse_system(
        SYSTEM.format(
            weighting="combined",
            combine="{subjective: fixed}",
            a1="normalise: goalpost, goalposts: [0, 10]",
            a2="weight: 1, normalise: target, target: {value: 5}",
        )
    )
    assert system.indicator_codes == ["A1", "A2"]
