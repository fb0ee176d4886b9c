"""Who supplies what: ``provider:`` on an indicator names a department registered in the unit list (or in the
system file), ``district`` being the default; an unknown provider is refused naming its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.problems import SystemDefinitionError
from scoring.shipped import systems_dir as indicators_dir
from scoring.system import load_system, parse_system

UNITS = """
units:
  - {code: "001", name: 甲区}
  - {code: "002", name: 乙区}
departments:
  - {code: TJJ, name: 市统计局}
  - {code: DSJ, name: 市大数据局}
"""

SYSTEM = """
id: t
name: 测试
version: "1"
units: units.yaml
{extra}
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - {{code: A1, name: 甲一, weight: 1{a1}}}
      - {{code: A2, name: 甲二, weight: 1{a2}}}
"""


def _system(tmp_path: Path, a1: str = "", a2: str = "", extra: str = "", units: str = UNITS) -> Path:
    (tmp_path / "units.yaml").write_text(units, encoding="utf-8")
    path = tmp_path / "system.yaml"
    path.write_text(SYSTEM.format(a1=a1, a2=a2, extra=extra), encoding="utf-8")
    return path


def test_a_provider_names_a_registered_department(tmp_path: Path) -> None:
    system = load_system(_system(tmp_path, a1=", provider: TJJ"))
    assert system.providers == {"A1": "TJJ"}
    assert [node.code for node in system.supplied_by("TJJ")] == ["A1"]
    assert [node.code for node in system.district_collected] == ["A2"]
    # only the departments the system uses are its own; district forms show theirs read-only by default
    assert [d.code for d in system.departments] == ["TJJ"]
    assert system.department_names == {"TJJ": "市统计局"}
    assert system.department_indicators == "read_only"


def test_district_written_out_is_the_default_and_keeps_the_hash(tmp_path: Path) -> None:
    plain = load_system(_system(tmp_path))
    written = load_system(_system(tmp_path, a1=", provider: district"))
    assert written.providers == {}
    assert written.content_hash == plain.content_hash
    # a unit list that registers departments nobody uses changes no hash either
    bare = UNITS.split("departments:")[0]
    assert load_system(_system(tmp_path, units=bare)).content_hash == plain.content_hash


def test_an_unknown_provider_is_refused_naming_its_path(tmp_path: Path) -> None:
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(_system(tmp_path, a2=", provider: TXGLJ"))
    problem = caught.value.problems[0]
    assert problem.code == "system.unknown_provider"
    assert problem.location.cell == "tree[0].children[1].provider"
    assert "TXGLJ" in problem.message_zh and "TJJ（市统计局）" in problem.message_zh
    assert "tree[0].children[1].provider: provider 'TXGLJ' is not a registered department" in (
        problem.message_en
    )


def test_departments_in_the_system_file_and_omit(tmp_path: Path) -> None:
    extra = "department_indicators: omit\ndepartments:\n  - {code: TXGLJ, name: 省通信管理局济南分局}"
    system = load_system(_system(tmp_path, a2=", provider: TXGLJ", extra=extra))
    assert system.department_names == {"TXGLJ": "省通信管理局济南分局"}
    assert system.department_indicators == "omit"


def test_a_department_code_may_not_be_a_units(tmp_path: Path) -> None:
    extra = "departments:\n  - {code: '001', name: 重名}"
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(_system(tmp_path, a1=", provider: '001'", extra=extra))
    assert caught.value.problems[0].code == "system.department_is_unit"
    assert caught.value.problems[0].location.cell == "departments[0].code"


def test_a_dimension_or_a_derived_indicator_has_no_provider() -> None:
    text = """
id: t
name: 测试
version: "1"
units: [{code: "001", name: 甲区}]
departments: [{code: TJJ, name: 市统计局}]
tree:
  - code: A
    name: 甲
    weight: 1
    provider: TJJ
    children: [{code: A1, name: 甲一, weight: 1}]
"""
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(text)
    assert caught.value.problems[0].location.cell == "tree[0]"
    assert "provider" in caught.value.problems[0].message_en


def test_jinan_systems_name_their_departments() -> None:
    smart = load_system(indicators_dir() / "jinan_smart_city.yaml")
    government = load_system(indicators_dir() / "jinan_digital_government.yaml")
    composite = load_system(indicators_dir() / "jinan_digital_composite.yaml")
    assert smart.providers["SC-D-01"] == "SD-TXGLJ-JN"
    assert smart.department_names["SD-TXGLJ-JN"] == "省通信管理局济南分局"
    assert government.department_names["JN-ZWFW"] == "市政务服务中心"
    # DG-A-02 is the same as the district system's DI-27 in the composite (same_as): asked once, of the district
    assert set(composite.providers) == (set(smart.providers) | set(government.providers)) - {"DG-A-02"}
    assert composite.same_as["DG-A-02"] == "DI-27"
    assert {d.code for d in composite.departments} == {"JN-TJJ", "SD-TXGLJ-JN", "JN-DSJ", "JN-ZWFW"}
    # the district system names no provider: its hash is the one it had
    assert load_system(indicators_dir() / "jinan_district_digital.yaml").departments == []
