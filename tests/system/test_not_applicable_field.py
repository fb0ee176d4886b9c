"""``not_applicable`` on an indicator (issue 15 item 6): 'allowed' or the unit codes that may write 不适用."""

from __future__ import annotations

import pytest

from scoring.problems import SystemDefinitionError
from scoring.system import parse_system

SYSTEM = """
id: t
name: 测试
version: "1"
units: [{{code: U1, name: 一区}}, {{code: U2, name: 二区}}]
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - {{code: A1, name: 甲一, weight: 1, not_applicable: {value}}}
      - {{code: A2, name: 甲二, weight: 1}}
"""


def test_allowed_and_unit_lists_load() -> None:
    everyone = parse_system(SYSTEM.format(value="allowed"))
    a1, a2 = everyone.indicators
    assert a1.allows_not_applicable("U1") and a1.allows_not_applicable("U2")
    assert not a2.allows_not_applicable("U1")
    listed = parse_system(SYSTEM.format(value="[U2]")).indicators[0]
    assert listed.allows_not_applicable("U2") and not listed.allows_not_applicable("U1")


def test_an_unknown_unit_code_is_refused_at_its_path() -> None:
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(SYSTEM.format(value="[U2, U9]"))
    (problem,) = caught.value.problems
    assert (problem.code, problem.location.cell) == (
        "system.not_applicable_unit",
        "tree[0].children[0].not_applicable[1]",
    )
    assert "U9" in problem.message_zh and "U9" in problem.message_en


def test_other_words_are_refused() -> None:
    with pytest.raises(SystemDefinitionError):
        parse_system(SYSTEM.format(value="yes"))


def test_a_dimension_cannot_be_not_applicable() -> None:
    text = SYSTEM.format(value="allowed").replace(
        "    weight: 1\n    children:", "    weight: 1\n    not_applicable: allowed\n    children:"
    )
    with pytest.raises(SystemDefinitionError):
        parse_system(text)
