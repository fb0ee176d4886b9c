"""``same_as`` (issue 15 item 7): an indicator of one included system is the same as another's, so the form asks
for it once and scoring fills both from the one value; the loader refuses a same_as naming a missing indicator or
one with another unit or direction."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from scoring.evaluate import evaluate
from scoring.io import read_data, write_template
from scoring.problems import SystemDefinitionError
from scoring.system import load_system

PART_A = """
id: part-a
name: 甲体系
version: "1"
units: [{code: U1, name: 一区}, {code: U2, name: 二区}]
method: {normalise: goalpost}
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - {code: A1, name: 全程网办率, unit: "%", weight: 1, goalposts: [0, 100]}
      - {code: A2, name: 甲二, unit: "%", weight: 1, goalposts: [0, 100]}
"""
PART_B = """
id: part-b
name: 乙体系
version: "1"
units: [{code: U1, name: 一区}, {code: U2, name: 二区}]
method: {normalise: goalpost}
tree:
  - code: B
    name: 乙
    weight: 1
    children:
      - {code: B1, name: 全程网办率, unit: "%", weight: 3, goalposts: [50, 100]}
      - {code: B2, name: 乙二, unit: "%", weight: 1, goalposts: [0, 100]}
"""
COMPOSITE = """
id: both
name: 综合
version: "1"
units: [{code: U1, name: 一区}, {code: U2, name: 二区}]
method: {normalise: goalpost}
tree:
  - {code: PA, name: 甲部分, weight: 1, include: a.yaml}
  - {code: PB, name: 乙部分, weight: 1, include: b.yaml, same_as: {B1: {target}}}
"""


def write(tmp_path: Path, target: str = "A1", part_b: str = PART_B) -> Path:
    (tmp_path / "a.yaml").write_text(PART_A, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(part_b, encoding="utf-8")
    path = tmp_path / "both.yaml"
    path.write_text(COMPOSITE.replace("{target}", target), encoding="utf-8")
    return path


def test_one_value_scores_in_both_places(tmp_path: Path) -> None:
    system = load_system(write(tmp_path))
    assert system.same_as == {"B1": "A1"}
    assert system.collected_codes == ["A1", "A2", "B2"]  # B1 is not asked for
    data = tmp_path / "long.csv"
    data.write_text(
        "unit_code,indicator_code,year,value\n"
        "U1,A1,2024,80\nU1,A2,2024,40\nU1,B2,2024,20\n"
        "U2,A1,2024,60\nU2,A2,2024,60\nU2,B2,2024,100\n",
        encoding="utf-8",
    )
    dataset = read_data([data], system)
    assert not dataset.has_errors
    scores = evaluate(system, dataset, 2024).scores.xs(2024, level="year")
    # U1: PA = (80 + 40)/2 = 60; B1 = A1 = 80 on goalposts [50, 100] → 60; PB = (3·60 + 1·20)/4 = 50;
    # composite (60 + 50)/2 = 55
    assert scores.at["U1", "B1"] == pytest.approx(60.0)
    assert scores.at["U1", "PB"] == pytest.approx(50.0)
    assert scores.at["U1", "INDEX"] == pytest.approx(55.0)
    # U2: PA = 60; B1 = 60 → 20; PB = (3·20 + 100)/4 = 40; composite 50
    assert scores.at["U2", "INDEX"] == pytest.approx(50.0)


def test_the_form_asks_once_and_says_so(tmp_path: Path) -> None:
    system = load_system(write(tmp_path))
    path = tmp_path / "form.xlsx"
    write_template(system, "U1", path, [2024])
    book = openpyxl.load_workbook(path)
    codes = [row[0].value for row in book["数据填报"].iter_rows(min_row=9)]
    assert codes == ["A1", "A2", "B2"]
    text = "\n".join(str(c.value) for c in book["填报说明"]["A"] if c.value)
    assert "B1 全程网办率 同 A1" in text


def test_a_missing_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(write(tmp_path, target="A9"))
    (problem,) = caught.value.problems
    assert problem.code == "system.same_as_unknown" and "A9" in problem.message_zh


def test_a_different_unit_or_direction_is_refused(tmp_path: Path) -> None:
    other = PART_B.replace(
        '{code: B1, name: 全程网办率, unit: "%"', '{code: B1, name: 全程网办率, unit: "项", direction: -1'
    )
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(write(tmp_path, part_b=other))
    (problem,) = caught.value.problems
    assert problem.code == "system.same_as_differs"
    assert "计量单位、方向" in problem.message_zh and "unit, direction" in problem.message_en


def test_a_key_that_is_not_an_included_indicator_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("{B1: A1}", "{B7: A1}"), encoding="utf-8")
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(path)
    assert caught.value.problems[0].code == "system.same_as_not_included"
