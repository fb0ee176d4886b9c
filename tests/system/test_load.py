"""Loading indicator-system files: the shipped systems, and the errors a wrong file must produce.

Error paths are the contract of DESIGN.md: every problem names the exact place in the file
(``tree[0].children[1].weight``), and every problem of a file is reported at once.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

# scoring.system before any scoring.pipeline module (importing the pipeline first is a circular import)
import scoring.system  # noqa: F401
from scoring.pipeline.weights import ahp_weights
from scoring.problems import SystemDefinitionError
from scoring.system import load_system, parse_system
from scoring.system.models import IndicatorSystem, QuantileTiers, Tier
from scoring.system.schema import SCHEMA_PATH, render

ROOT = Path(__file__).resolve().parents[2]
INDICATORS = ROOT / "indicators"
SHIPPED = sorted(INDICATORS.glob("*.yaml"))
ASEM_SOURCE = Path("/work/shared/data/asem")

JINAN_UNITS = {
    "370102": "历下区",
    "370103": "市中区",
    "370104": "槐荫区",
    "370105": "天桥区",
    "370112": "历城区",
    "370113": "长清区",
    "370114": "章丘区",
    "370115": "济阳区",
    "370116": "莱芜区",
    "370117": "钢城区",
    "370124": "平阴县",
    "370126": "商河县",
}
QINGDAO_UNITS = {
    "370202": "市南区",
    "370203": "市北区",
    "370211": "黄岛区",
    "370212": "崂山区",
    "370213": "李沧区",
    "370214": "城阳区",
    "370215": "即墨区",
    "370281": "胶州市",
    "370283": "平度市",
    "370285": "莱西市",
}
# DOMAIN.md's starting point: dimension → (dimension weight, {indicator: overall weight}).
JINAN_WEIGHTS = {
    "A": (0.20, {"DI-01": 0.05, "DI-02": 0.04, "DI-03": 0.04, "DI-04": 0.02, "DI-05": 0.03, "DI-06": 0.02}),
    "B": (0.25, {"DI-07": 0.07, "DI-08": 0.05, "DI-09": 0.03, "DI-10": 0.04, "DI-11": 0.03, "DI-12": 0.03}),
    "C": (
        0.25,
        {
            "DI-13": 0.04,
            "DI-14": 0.04,
            "DI-15": 0.04,
            "DI-16": 0.03,
            "DI-17": 0.03,
            "DI-18": 0.03,
            "DI-19": 0.04,
        },
    ),
    "D": (
        0.20,
        {
            "DI-20": 0.04,
            "DI-21": 0.02,
            "DI-22": 0.03,
            "DI-23": 0.03,
            "DI-24": 0.02,
            "DI-25": 0.02,
            "DI-26": 0.02,
            "DI-27": 0.02,
        },
    ),
    "E": (0.10, {"DI-28": 0.03, "DI-29": 0.03, "DI-30": 0.02, "DI-31": 0.02}),
}


@pytest.fixture(scope="module")
def jinan() -> IndicatorSystem:
    return load_system(INDICATORS / "jinan_district_digital.yaml")


@pytest.fixture(scope="module")
def qingdao() -> IndicatorSystem:
    return load_system(INDICATORS / "qingdao_digital_2027.yaml")


@pytest.fixture(scope="module")
def asem() -> IndicatorSystem:
    return load_system(INDICATORS / "asem.yaml")


# --- the shipped systems ---------------------------------------------------------------------------------------


def test_the_three_systems_are_shipped() -> None:
    assert {p.name for p in SHIPPED} >= {
        "jinan_district_digital.yaml",
        "qingdao_digital_2027.yaml",
        "asem.yaml",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_system_loads(path: Path) -> None:
    system = load_system(path)
    assert system.indicators
    assert len(set(system.unit_codes)) == len(system.unit_codes)
    assert len(system.content_hash) == 64


def test_jinan_has_the_31_indicators_in_order(jinan: IndicatorSystem) -> None:
    assert jinan.indicator_codes == [f"DI-{i:02d}" for i in range(1, 32)]
    assert [d.code for d in jinan.tree] == ["A", "B", "C", "D", "E"]


def test_jinan_weights_are_those_of_the_domain_table(jinan: IndicatorSystem) -> None:
    for dimension in jinan.tree:
        weight, indicators = JINAN_WEIGHTS[dimension.code]
        assert dimension.weight == pytest.approx(weight)
        given = {child.code: child.weight for child in dimension.children or []}
        assert given == pytest.approx(indicators)
        # indicator weights are overall weights: they add up to their dimension's weight
        assert sum(indicators.values()) == pytest.approx(weight)
    assert sum(d.weight or 0 for d in jinan.tree) == pytest.approx(1.0)


def test_jinan_method_is_fixed_goalposts_on_100_points(jinan: IndicatorSystem) -> None:
    method = jinan.method
    assert (method.normalise, method.weighting, method.aggregate, method.missing) == (
        "goalpost",
        "fixed",
        "arithmetic",
        "renormalise",
    )
    assert method.scale == (0.0, 100.0)
    assert isinstance(jinan.tiers, list)
    assert [(t.name, t.min) for t in jinan.tiers if isinstance(t, Tier)] == [
        ("领先", 80),
        ("先进", 65),
        ("追赶", 50),
        ("起步", 0),
    ]


def test_jinan_indicators_are_fully_described(jinan: IndicatorSystem) -> None:
    for indicator in jinan.indicators:
        assert indicator.goalposts is not None and indicator.goalposts[0] < indicator.goalposts[1], (
            indicator.code
        )
        assert indicator.valid is not None, indicator.code
        assert indicator.definition and indicator.source and indicator.unit, indicator.code
        if indicator.target is not None:
            assert indicator.target.source, indicator.code
            assert indicator.target.note, indicator.code
    nodes = jinan.nodes
    assert nodes["DI-31"].direction == -1
    assert all(i.direction == 1 for i in jinan.indicators if i.code != "DI-31")
    assert nodes["DI-03"].transform == "log"
    assert not nodes["DI-18"].required  # not applicable to the urban core


def test_jinan_targets_and_baselines_from_the_plans(jinan: IndicatorSystem) -> None:
    nodes = jinan.nodes
    # 50 000 base stations city-wide in 2025 over about 941.5 万 residents
    base_stations = nodes["DI-01"].target
    assert base_stations is not None
    assert (base_stations.value, base_stations.year) == (53, 2025)
    assert base_stations.value == pytest.approx(50_000 / 941.5, abs=0.5)
    rd_tools, nc_rate = nodes["DI-13"].target, nodes["DI-14"].target
    assert rd_tools is not None and rd_tools.baseline is not None
    assert (rd_tools.value, rd_tools.baseline.value, rd_tools.baseline.year) == (92, 88, 2022)
    assert nc_rate is not None and nc_rate.baseline is not None
    assert (nc_rate.value, nc_rate.baseline.value, nc_rate.baseline.year) == (76, 57.2, 2022)
    assert jinan.sources is not None and any("数字先锋城市" in s for s in jinan.sources.values())


def test_jinan_unit_codes(jinan: IndicatorSystem) -> None:
    names = jinan.unit_names
    assert {code: names[code] for code in JINAN_UNITS} == JINAN_UNITS
    # the two functional zones carry local codes, and say so
    zones = [u for u in jinan.units if u.code not in JINAN_UNITS]
    assert [(u.code, u.name) for u in zones] == [("370171", "高新区"), ("370172", "起步区")]
    assert all(u.note and "本地编码" in u.note for u in zones)
    assert {u.group for u in jinan.units} == {"中心城区", "外围区", "县", "功能区"}


def test_qingdao_unit_codes(qingdao: IndicatorSystem) -> None:
    assert qingdao.unit_names == QINGDAO_UNITS


def test_qingdao_dimension_weights_are_consistent_ahp(qingdao: IndicatorSystem) -> None:
    assert qingdao.composite.weighting == "ahp"
    assert qingdao.composite.ahp is not None
    result = ahp_weights(qingdao.composite.ahp)
    assert result.cr < 0.1
    assert result.cr == pytest.approx(0.0038, abs=1e-4)  # the value quoted in the file's comment
    weights = dict(zip([d.code for d in qingdao.tree], result.weights, strict=True))
    assert max(weights, key=weights.__getitem__) == "QB"  # industry is the plan's main line


def test_qingdao_scores_against_targets(qingdao: IndicatorSystem) -> None:
    assert qingdao.method.normalise == "efficacy"
    assert (qingdao.method.efficacy.base, qingdao.method.efficacy.span) == (60, 40)
    assert isinstance(qingdao.tiers, QuantileTiers)
    for indicator in qingdao.indicators:
        assert indicator.target is not None and indicator.target.source, indicator.code
        assert indicator.goalposts is not None, indicator.code  # the fixed floor of the efficacy score
    assert 16 <= len(qingdao.indicators) <= 22


def test_asem_tree_units_and_directions(asem: IndicatorSystem) -> None:
    assert asem.composite.code == "Index"
    assert [d.code for d in asem.tree] == ["Conn", "Sust"]
    assert sum(len(d.children or []) for d in asem.tree) == 8
    assert len(asem.indicators) == 49
    assert len(asem.units) == 51
    assert {u.group for u in asem.units} == {"Europe", "Asia"}
    assert asem.nodes["CO2"].direction == -1 and asem.nodes["LPI"].direction == 1
    assert (asem.method.normalise, asem.method.scale, asem.method.aggregate) == (
        "minmax",
        (0.0, 100.0),
        "arithmetic",
    )


def test_asem_wide_table_matches_the_system(asem: IndicatorSystem) -> None:
    with (ROOT / "sample_inputs" / "asem" / "asem_wide.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header == ["unit_code", "year", *asem.indicator_codes]
    assert [r[0] for r in body] == asem.unit_codes
    assert {r[1] for r in body} == {"2018"}
    # iData has 64 NA cells: 63 among the indicators, 1 in the denominator Energy (not an indicator column)
    assert sum(cell == "" for r in body for cell in r[2:]) == 63


def _make_asem() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_asem", ROOT / "sample_inputs" / "make_asem.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not ASEM_SOURCE.is_dir(), reason="COINr's ASEM csv files are not available")
def test_asem_files_are_what_the_script_makes() -> None:
    make = _make_asem()
    meta = make.read_csv(ASEM_SOURCE / "ASEM_iMeta.csv")
    data = make.read_csv(ASEM_SOURCE / "ASEM_iData.csv")
    assert make.SYSTEM_PATH.read_text(encoding="utf-8") == make.dump_yaml(
        make.SYSTEM_HEADER, make.build_system(meta)
    )
    assert make.UNITS_PATH.read_text(encoding="utf-8") == make.dump_yaml(
        make.UNITS_HEADER, make.build_units(data, meta)
    )
    assert make.WIDE_PATH.read_text(encoding="utf-8") == make.wide_table(data, meta, denominate=False)


def test_committed_schema_is_generated_from_the_models() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render()


# --- errors --------------------------------------------------------------------------------------------------

SYSTEM = """\
id: test
name: 测试体系
version: "1"
units: [{{code: U1, name: 一区}}, {{code: U2, name: 二区}}]
method: {{normalise: {normalise}}}
composite: {{weighting: {top_weighting}, ahp: {ahp}}}
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - {{code: A1, name: 甲一, weight: 1}}
      - {{code: A2, name: 甲二, weight: {a2_weight}, normalise: {a2_normalise}}}
  - code: B
    name: 乙
    weight: {b_weight}
    children:
      - {{code: {b1_code}, name: 乙一, weight: 1}}
  - code: C
    name: 丙
    weight: 1
    children:
      - {{code: C1, name: 丙一, weight: 1}}
"""
VALID = {
    "normalise": "minmax",
    "top_weighting": "fixed",
    "ahp": "null",
    "a2_weight": "1",
    "a2_normalise": "minmax",
    "b_weight": "1",
    "b1_code": "B1",
}


def system_text(**changes: str) -> str:
    return SYSTEM.format(**(VALID | changes))


def problems_of(text: str) -> list[tuple[str, str]]:
    """(path, code) of every problem the loader reports."""
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(text)
    return [(p.location.cell, p.code) for p in caught.value.problems]


def test_the_error_fixture_is_valid_as_written() -> None:
    system = parse_system(system_text())
    assert system.indicator_codes == ["A1", "A2", "B1", "C1"]


def test_negative_weight_names_its_path() -> None:
    paths = [path for path, _ in problems_of(system_text(a2_weight="-1"))]
    assert paths == ["tree[0].children[1].weight"]


def test_unknown_normalise_method_names_its_path() -> None:
    assert problems_of(system_text(normalise="magic")) == [("method.normalise", "system.invalid")]
    assert problems_of(system_text(a2_normalise="magic")) == [
        ("tree[0].children[1].normalise", "system.invalid")
    ]


def test_unknown_method_message_lists_the_choices() -> None:
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(system_text(normalise="magic"))
    (problem,) = caught.value.problems
    assert "magic" in problem.message_en and "goalpost" in problem.message_en
    assert "method.normalise" in problem.message_zh


def test_duplicate_code_names_the_second_occurrence() -> None:
    assert problems_of(system_text(b1_code="A1")) == [("tree[1].children[0].code", "system.invalid")]


def test_inconsistent_ahp_matrix_is_refused() -> None:
    # a cyclic matrix: A ≫ B, B ≫ C, C ≫ A; λmax ≈ 10.1, CI ≈ 3.56, CR ≈ 6.13
    matrix = "[[1, 9, 0.111111], [0.111111, 1, 9], [9, 0.111111, 1]]"
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(system_text(top_weighting="ahp", ahp=matrix))
    (problem,) = caught.value.problems
    assert (problem.location.cell, problem.code) == ("composite.ahp", "system.ahp_inconsistent")
    assert problem.params["cr"] == pytest.approx(6.13, abs=0.01)


def test_consistent_ahp_matrix_is_accepted() -> None:
    # A = 2·B = 4·C exactly: λmax = 3, CR = 0; weights 4/7, 2/7, 1/7
    system = parse_system(system_text(top_weighting="ahp", ahp="[[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]"))
    assert system.composite.ahp is not None
    assert ahp_weights(system.composite.ahp).weights == pytest.approx([4 / 7, 2 / 7, 1 / 7])


def test_every_problem_is_reported_at_once() -> None:
    # two semantic problems in one file → two problems
    assert problems_of(system_text(normalise="magic", b1_code="A1")) == [
        ("method.normalise", "system.invalid"),
        ("tree[1].children[0].code", "system.invalid"),
    ]
    # two schema problems in one file → two problems, each at its own path
    paths = sorted(path for path, _ in problems_of(system_text(a2_weight="-1", b_weight="0")))
    assert paths == ["tree[0].children[1].weight", "tree[1].weight"]


def test_equal_goalposts_are_refused_on_their_indicator() -> None:
    text = system_text().replace(
        "{code: C1, name: 丙一, weight: 1}", "{code: C1, name: 丙一, weight: 1, goalposts: [5, 5]}"
    )
    with pytest.raises(SystemDefinitionError) as caught:
        parse_system(text)
    (problem,) = caught.value.problems
    assert problem.location.cell.startswith("tree[2].children[0]")
    assert "goalposts" in problem.message_en
