"""The shipped indicator systems other than the default one: each loads, its synthetic sample data (made by
``sample_inputs/generate_systems.py``) reads without errors, it scores end to end, and its structure is the one
documented in its YAML header and in docs/indicator-systems.md ("Shipped systems")."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.evaluate import Evaluation, data_matrices, evaluate
from scoring.io import read_data
from scoring.pipeline.attainment import AHEAD, BEHIND, ON_TRACK
from scoring.system import IndicatorSystem, load_system
from scoring.system.models import Tier

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = ROOT / "indicators"
SAMPLES = ROOT / "sample_inputs"

# system stem → the year its sample is evaluated for (the latest year of the sample)
LATEST = {
    "jinan_smart_city": 2024,
    "jinan_digital_government": 2024,
    "jinan_industry_it_14th": 2025,
    "shandong_cities_digital": 2023,
    "jinan_digital_composite": 2024,
}


@cache
def system(stem: str) -> IndicatorSystem:
    return load_system(INDICATORS / f"{stem}.yaml")


@cache
def evaluation(stem: str) -> Evaluation:
    dataset = read_data([SAMPLES / stem / "long_table.csv"], system(stem))
    assert not dataset.has_errors, [str(p) for p in dataset.problems]
    return evaluate(system(stem), dataset, LATEST[stem])


def latest_scores(stem: str) -> pd.DataFrame:
    return evaluation(stem).scores.xs(LATEST[stem], level="year")


def weights_of(node_code: str, stem: str) -> dict[str, float]:
    node = system(stem).nodes[node_code]
    return {child.code: child.weight for child in node.scored_children}  # type: ignore[misc]


# --- every system ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(LATEST))
def test_sample_reads_without_errors_and_scores_every_unit(stem: str) -> None:
    result = evaluation(stem)
    composite = latest_scores(stem)[system(stem).composite.code]
    assert list(composite.index) == system(stem).unit_codes
    assert composite.notna().all() and composite.between(0, 100).all()
    # every year of the sample is scored, not only the reported one
    assert result.scores[system(stem).composite.code].notna().all()


@pytest.mark.parametrize("stem", ["jinan_smart_city", "jinan_digital_government", "jinan_industry_it_14th"])
def test_forms_long_and_wide_tables_hold_the_same_values(stem: str) -> None:
    def values(paths: list[Path]) -> pd.DataFrame:
        dataset = read_data(paths, system(stem))
        assert not dataset.has_errors, [str(p) for p in dataset.problems]
        keys = ["unit_code", "indicator_code", "year"]
        return dataset.values[[*keys, "value", "status"]].sort_values(keys).reset_index(drop=True)

    forms = sorted((SAMPLES / stem / "forms").glob("*.xlsx"))
    assert len(forms) == len(system(stem).units)
    # the indicators departments supply are in their tables (a form's rows of them are read-only and empty)
    departments = sorted((SAMPLES / stem / "departments").glob("*.csv"))
    assert [path.stem for path in departments] == sorted(d.code for d in system(stem).departments)
    long = values([SAMPLES / stem / "long_table.csv"])
    pd.testing.assert_frame_equal(values(forms + departments), long)
    pd.testing.assert_frame_equal(values([SAMPLES / stem / "wide_table.xlsx"]), long)


def test_sample_directories_say_the_data_are_synthetic() -> None:
    for stem in LATEST:
        assert "SYNTHETIC" in (SAMPLES / stem / "README.md").read_text(encoding="utf-8")


# --- new-type smart city ----------------------------------------------------------------------------------------

SMART_CITY = "jinan_smart_city"


def test_smart_city_has_the_nine_gbt_areas_with_the_national_weights() -> None:
    # national 2016 weights; 惠民服务 37 = 35 + 电商服务 2, moved to the new 产业发展 area (see the YAML header)
    assert weights_of("INDEX", SMART_CITY) == {
        "SC-A": 35, "SC-B": 9, "SC-C": 8, "SC-D": 7, "SC-E": 7, "SC-F": 2, "SC-G": 8, "SC-H": 4, "SC-I": 20,
    }  # fmt: skip
    names = [node.name for node in system(SMART_CITY).root.scored_children]
    assert names == [
        "惠民服务",
        "精准治理",
        "生态宜居",
        "信息基础设施",
        "信息资源",
        "产业发展",
        "网络安全",
        "改革创新",
        "市民体验",
    ]
    assert sum(weights_of("INDEX", SMART_CITY).values()) == 100
    services = weights_of("SC-A", SMART_CITY)
    assert list(services.values()) == [8, 3, 3, 3, 3, 3, 7, 5]  # 政务 交通 社保 医疗 教育 就业 城市服务 帮扶
    assert [system(SMART_CITY).nodes[c].name for c in services] == [
        "政务服务", "交通服务", "社保服务", "医疗服务", "教育服务", "就业服务", "城市服务", "帮扶服务",
    ]  # fmt: skip


def test_smart_city_marks_the_survey_the_bonus_and_the_deduction() -> None:
    nodes = system(SMART_CITY).nodes
    assert {c.collection for c in nodes["SC-I"].children or []} == {"survey"}
    bonus, deduction = nodes["SC-X1"], nodes["SC-X2"]
    assert (bonus.role, bonus.points.per_unit, bonus.points.cap) == ("bonus", 1, 3)  # type: ignore[union-attr]
    assert (deduction.role, deduction.points.per_unit, deduction.points.cap) == ("deduction", 2, 8)  # type: ignore[union-attr]
    assert system(SMART_CITY).tiers == [
        Tier(name="五星（成长期）", name_en="Five stars (growth stage)", min=90),
        Tier(name="四星（成长期）", name_en="Four stars (growth stage)", min=80),
        Tier(name="三星（起步期）", name_en="Three stars (starting stage)", min=70),
        Tier(name="三星以下（准备期）", name_en="Below three stars (preparation stage)", min=0),
    ]


def test_smart_city_total_is_the_weighted_areas_plus_bonus_minus_deduction() -> None:
    scores = latest_scores(SMART_CITY)
    raw = evaluation(SMART_CITY).raw.xs(LATEST[SMART_CITY], level="year")
    weights = pd.Series(weights_of("INDEX", SMART_CITY)) / 100
    weighted = scores[weights.index].mul(weights, axis=1).sum(axis=1)
    # e.g. 2 incidents and 1 pilot: + min(3, 1·1) − min(8, 2·2) = −3 points
    adjustment = np.minimum(3, raw["SC-X1"]) - np.minimum(8, 2 * raw["SC-X2"])
    expected = (weighted + adjustment).clip(0, 100)
    np.testing.assert_allclose(scores["INDEX"], expected, atol=1e-9)
    assert (raw["SC-X2"] > 0).any() and (raw["SC-X1"] > 0).any()  # the sample exercises both


def test_smart_city_functional_zones_leave_out_assistance_and_keep_their_weight_in_services() -> None:
    scores = latest_scores(SMART_CITY)
    assert scores.loc[["370171", "370172"], "SC-A8"].isna().all()
    assert scores.loc[["370171", "370172"], "SC-A"].notna().all()
    flags = evaluation(SMART_CITY).flags
    renormalised = flags[(flags["node_code"] == "SC-A") & (flags["flag"] == "renormalised")]
    assert set(renormalised["unit_code"]) == {"370171", "370172"}


# --- digital government -----------------------------------------------------------------------------------------

GOVERNMENT = "jinan_digital_government"


def test_digital_government_has_the_five_national_sub_indices_weighted_equally() -> None:
    top = system(GOVERNMENT).root.scored_children
    assert [node.name for node in top] == [
        "在线服务成效度",
        "在线办理成熟度",
        "服务方式完备度",
        "服务事项覆盖度",
        "办事指南准确度",
    ]
    assert {node.weight for node in top} == {20}
    assert system(GOVERNMENT).tiers == [
        Tier(name="非常高", name_en="Very high", min=90),
        Tier(name="高", name_en="High", min=80),
        Tier(name="中", name_en="Medium", min=65),
        Tier(name="低", name_en="Low", min=0),
    ]
    nodes = system(GOVERNMENT).nodes
    assert nodes["DG-A-05"].collection == "survey"
    assert nodes["DG-X"].role == "deduction"
    assert nodes["DG-D-01"].target is not None and nodes["DG-D-01"].target.value == 90  # Shandong ≥ 90 %


def test_digital_government_shares_three_values_with_the_district_system() -> None:
    ours = pd.read_csv(SAMPLES / GOVERNMENT / "long_table.csv", dtype={"unit_code": str})
    district = pd.read_csv(SAMPLES / "jinan" / "long_table.csv", dtype={"unit_code": str})
    same = {"DG-B-01": "DI-20", "DG-C-01": "DI-21", "DG-A-02": "DI-27"}
    nodes, district_nodes = (
        system(GOVERNMENT).nodes,
        load_system(INDICATORS / "jinan_district_digital.yaml").nodes,
    )
    for code, twin in same.items():
        assert nodes[code].goalposts == district_nodes[twin].goalposts  # same value → same score
        a = ours[ours["indicator_code"] == code].set_index(["unit_code", "year"])["value"].astype(float)
        b = (
            district[district["indicator_code"] == twin]
            .set_index(["unit_code", "year"])["value"]
            .astype(float)
        )
        pd.testing.assert_series_equal(a.sort_index(), b.sort_index(), check_names=False)


# --- Jinan IT 14th five-year plan (monitoring) -------------------------------------------------------------------

PLAN = "jinan_industry_it_14th"

# targets stated in DOMAIN.md (and the plan's press release for the four clusters): code → (value, year)
PLAN_TARGETS = {
    "IT-A-01": (10000, 2025),  # 规上工业营业收入 ≥ 1 万亿元
    "IT-A-02": (2500 * 1.09**5, 2025),  # 工业增加值年均增长 9 %: 2500 × 1.09⁵ = 3846.56 亿元 by 2025
    "IT-A-03": (17, 2025),  # 工业投资年均增长 17 %
    "IT-A-04": (30, 2025),  # 工业增加值占 GDP ≥ 30 %
    "IT-B-01": (50, 2025),  # 数字经济占 GDP > 50 %
    "IT-B-02": (70, 2025),  # 先进制造业占比 ≥ 70 %
    "IT-B-03": (7000, 2025),
    "IT-B-04": (7000, 2025),
    "IT-B-05": (3000, 2025),
    "IT-B-06": (3000, 2025),
    "IT-C-01": (22, 2025),  # 亩均 22 万元/亩
    "IT-F-01": (50000, 2025),  # 5G 基站 5 万个
    "IT-F-02": (10, 2025),  # 标识解析二级节点 10 个
    "IT-F-03": (20, 2025),  # 机架年均增长约 20 %
    "IT-F-04": (300, 2023),  # 星级上云企业 300 家
}


def test_plan_monitors_one_city_on_23_indicators_in_six_dimensions() -> None:
    plan = system(PLAN)
    assert plan.mode == "monitoring"
    assert [(u.code, u.name) for u in plan.units] == [("370100", "济南市")]
    assert len(plan.indicators) == 23
    dimensions = plan.root.scored_children
    assert [d.name for d in dimensions] == [
        "工业经济增长",
        "产业结构优化",
        "质量效益提升",
        "创新能力升级",
        "绿色转型发展",
        "基础设施支撑",
    ]
    # each indicator counts the same: a dimension's weight is its number of indicators
    assert [(d.weight, len(d.children or [])) for d in dimensions] == [
        (4, 4),
        (6, 6),
        (4, 4),
        (3, 3),
        (2, 2),
        (4, 4),
    ]


def test_plan_states_every_target_with_its_year_and_a_2020_baseline() -> None:
    nodes = system(PLAN).nodes
    for code, (value, year) in PLAN_TARGETS.items():
        target = nodes[code].final_target
        assert target is not None and target.year == year, code
        assert target.level == pytest.approx(value, rel=1e-12), code
    # the plan's 9 % a year is an annual-rate target from the 2020 baseline, not a level
    assert nodes["IT-A-02"].final_target.annual_rate == 9  # type: ignore[union-attr]
    # 5G: 40 000 by 2023 (pioneer-city plan) and 50 000 by 2025 (IT 14th FYP)
    assert [(t.value, t.year) for t in nodes["IT-F-01"].all_targets] == [(40000, 2023), (50000, 2025)]
    baseline = nodes["IT-B-01"].target.baseline  # type: ignore[union-attr]
    assert baseline is not None and (baseline.value, baseline.year) == (42, 2020)  # the one stated baseline
    for indicator in system(PLAN).indicators:
        first, target = indicator.all_targets[0], indicator.final_target
        assert target is not None and first.baseline is not None and first.baseline.year == 2020
        assert all(t.note for t in indicator.all_targets), f"{indicator.code}: every target says its source"
        # target scoring: the floor is the 2020 baseline (0 for annual growth rates), the top the final target
        assert indicator.goalposts is not None
        assert indicator.goalposts[1] == pytest.approx(target.level, abs=0.005)


def test_plan_reports_a_schedule_status_for_every_indicator_and_year() -> None:
    attainment = evaluation(PLAN).attainment
    assert len(attainment) == 23 * 5
    assert set(attainment["status"]) == {AHEAD, ON_TRACK, BEHIND}
    # 5G: 14 000 (2020) → 40 000 (2023) → 50 000 (2025): 2022 expects 14 000 + 26 000·2/3 = 31 333.33 of the
    # 2023 target; 2023 the 2023 target itself; 2024 expects 40 000 + 10 000·1/2 = 45 000 of the 2025 target
    fiveg = attainment[attainment["indicator_code"] == "IT-F-01"].set_index("year")
    assert fiveg.loc[2022, "expected"] == pytest.approx(31333.333333, abs=1e-5)
    assert fiveg.loc[2022, "target"] == 40000 and fiveg.loc[2022, "target_year"] == 2023
    assert fiveg.loc[2023, "expected"] == 40000
    assert fiveg.loc[2024, "expected"] == pytest.approx(45000) and fiveg.loc[2024, "target"] == 50000
    # 2023: 38 568 < 40 000 due that year → 滞后; 2024: 46 712 ≥ 45 000 → 符合预期; attainment 38 568 / 40 000
    assert fiveg.loc[2023, "status"] == BEHIND and fiveg.loc[2024, "status"] == ON_TRACK
    assert fiveg.loc[2023, "attainment"] == pytest.approx(38568 / 40000, abs=1e-12)
    # industrial value added against the 9 % path: 2023 expects 2500·1.09³ = 3237.5725; the sample's 3122
    # (2500 grown by 9.6 %, 5.1 %, 8.4 %) is 3122 / 3237.5725 = 0.96430 of it, 滞后
    growth = attainment[attainment["indicator_code"] == "IT-A-02"].set_index("year")
    assert growth.loc[2023, "expected"] == pytest.approx(3237.5725, abs=1e-9)
    assert growth.loc[2023, "attainment"] == pytest.approx(3122 / 3237.5725, abs=1e-12)
    assert growth.loc[2023, "status"] == BEHIND
    # 2024: 3412 ≥ 2500·1.09⁴ = 3528.95? no: 3412 < 3528.95 → 滞后 as well
    assert growth.loc[2024, "expected"] == pytest.approx(2500 * 1.09**4, abs=1e-9)


# --- Shandong's 16 cities --------------------------------------------------------------------------------------

SHANDONG = "shandong_cities_digital"


def test_shandong_has_the_16_cities_and_four_dimensions_with_province_anchors() -> None:
    cities = system(SHANDONG).units
    assert len(cities) == 16
    assert [u.code for u in cities] == [
        f"37{n:02d}00" for n in range(1, 18) if n != 12
    ]  # 371200 莱芜 merged 2019
    assert [d.name for d in system(SHANDONG).root.scored_children] == [
        "新型基础设施",
        "数字产业化",
        "产业数字化",
        "发展环境",
    ]
    nodes = system(SHANDONG).nodes
    anchors = {code: nodes[code].target.value for code in ("SD-C-01", "SD-D-01", "SD-D-02")}  # type: ignore[union-attr]
    assert anchors == {"SD-C-01": 45, "SD-D-01": 90, "SD-D-02": 72}


def test_shandong_sample_puts_jinan_and_qingdao_in_the_first_tier_every_year() -> None:
    tiers = evaluation(SHANDONG).tiers
    for year in (2021, 2022, 2023):
        first = set(tiers.xs(year, level="year").loc[lambda t: t == "第一梯队"].index)
        assert {"370100", "370200"} <= first


# --- the composite ----------------------------------------------------------------------------------------------

COMPOSITE = "jinan_digital_composite"
INCLUDED = {"DD": "jinan_district_digital", "SC": "jinan_smart_city", "DG": "jinan_digital_government"}


def test_composite_includes_the_three_systems_with_stated_weights() -> None:
    assert weights_of("INDEX", COMPOSITE) == {"DD": 0.60, "SC": 0.25, "DG": 0.15}
    composite = system(COMPOSITE)
    district = load_system(INDICATORS / "jinan_district_digital.yaml")
    parts = [district, system("jinan_smart_city"), system("jinan_digital_government")]
    assert composite.indicator_codes == [code for part in parts for code in part.indicator_codes]
    assert len(set(composite.indicator_codes)) == 31 + 37 + 19
    for code, stem in INCLUDED.items():
        included = district if stem == "jinan_district_digital" else system(stem)
        assert [c.code for c in composite.nodes[code].children or []] == [n.code for n in included.tree]


def test_composite_scores_each_part_as_it_scores_alone_and_weights_them() -> None:
    scores = latest_scores(COMPOSITE)
    np.testing.assert_allclose(
        scores["INDEX"], 0.60 * scores["DD"] + 0.25 * scores["SC"] + 0.15 * scores["DG"], atol=1e-9
    )
    district = load_system(INDICATORS / "jinan_district_digital.yaml")
    alone = {
        "DD": evaluate(district, read_data([SAMPLES / "jinan" / "long_table.csv"], district), 2024),
        "SC": evaluation("jinan_smart_city"),
        "DG": evaluation("jinan_digital_government"),
    }
    for code, result in alone.items():
        own = result.scores.xs(2024, level="year")[result.system.composite.code]
        np.testing.assert_allclose(scores[code], own, atol=1e-9, err_msg=code)


def test_composite_asks_the_shared_indicators_once() -> None:
    """全程网办率, 掌上可办率 and 按期办结率 are DI-20, DI-21, DI-27 of the district system and DG-B-01, DG-C-01,
    DG-A-02 of the digital-government system: the composite says so (same_as), its long table gives them once,
    and the three systems' own tables together score the same, their DG copies warned about and not used."""
    composite = system(COMPOSITE)
    assert composite.same_as == {"DG-B-01": "DI-20", "DG-C-01": "DI-21", "DG-A-02": "DI-27"}
    assert not set(composite.same_as) & set(composite.collected_codes)
    table = pd.read_csv(SAMPLES / COMPOSITE / "long_table.csv", dtype=str, encoding="utf-8-sig")
    assert not table["indicator_code"].isin(list(composite.same_as)).any()
    own = latest_scores(COMPOSITE)
    files = [
        SAMPLES / stem / "long_table.csv"
        for stem in ("jinan", "jinan_smart_city", "jinan_digital_government")
    ]
    data = read_data(files, composite)
    shared = [p for p in data.problems if p.code == "data.shared_indicator"]
    assert shared and all(p.severity == "warning" and p.indicator in composite.same_as for p in shared)
    assert not [p for p in data.problems if p.severity == "error"]
    three = evaluate(composite, data, 2024).scores.xs(2024, level="year")
    pd.testing.assert_frame_equal(three, own)
    # the DG node scores the district's value of 全程网办率: DG-B-01's raw column is DI-20's
    raw, _ = data_matrices(composite, read_data([SAMPLES / COMPOSITE / "long_table.csv"], composite))
    for code, other in composite.same_as.items():
        pd.testing.assert_series_equal(raw[code], raw[other], check_names=False)
        assert raw[code].notna().any()
