"""Make the synthetic sample inputs of the other shipped systems (SYNTHETIC DATA — not official statistics).

No public data set exists for these indicators at district level, and the city-level series are synthetic too,
so every value written here is made up by a seeded generator with realistic magnitudes. One directory per system
under ``sample_inputs/<system stem>/``, each with a README saying so:

- ``jinan_smart_city/`` and ``jinan_digital_government/``: the 14 Jinan units for 2022–2024 (the years of the
  default system's sample, ``sample_inputs/jinan/``), as district forms (``forms/<code>_<name>.xlsx``, made by
  :func:`scoring.io.write_template` and filled in), a long table and a wide table. Units follow the development
  levels of ``sample_inputs/generate.py`` (central districts and 高新区 high, rural counties low). The three
  digital-government indicators that share their definition with the default system (全程网办率, 掌上可办率,
  按期办结率) copy its sample values, so the two systems agree. 高新区 and 起步区 mark 帮扶服务 不适用.
- ``jinan_industry_it_14th/``: 济南市 (370100) for 2021–2025 against the plan's targets: level indicators move
  from the 2020 baseline towards the target at an indicator-specific pace (some ahead, some behind schedule),
  annual growth rates scatter around their yearly target; one form, a long table and a wide table.
- ``shandong_cities_digital/``: the 16 cities of Shandong for 2021–2023, positioned in each indicator's goalposts
  by a development level (济南 and 青岛 highest); a long table and a wide table.
- ``jinan_digital_composite/``: the long table of the composite, i.e. the default system's sample values plus the
  smart-city and digital-government values above, for the same units and years.

Run: ``.venv/bin/python -m sample_inputs.generate_systems`` (after ``-m sample_inputs.generate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from sample_inputs import generate as district
from scoring.io.form import DATA_SHEET, FIRST_INDICATOR_ROW, FIRST_YEAR_COL, NOT_APPLICABLE_TEXT, form_rows
from scoring.io.template import write_template
from scoring.system import IndicatorSystem, load_system

ROOT = Path(__file__).resolve().parent
INDICATORS = ROOT.parent / "indicators"
SEED = 20250601
COLUMNS = ["unit_code", "indicator_code", "year", "value"]

JINAN_YEARS = district.YEARS  # 2022–2024, as the default system's sample
IT_YEARS = (2021, 2022, 2023, 2024, 2025)
SHANDONG_YEARS = (2021, 2022, 2023)


@dataclass(frozen=True)
class Spread:
    """Where a unit's development level in [0, 1] puts its value: ``low + (high − low)·position``.

    ``digits`` is the rounding (0 for counts); ``step`` rounds to a multiple (checklist scores in steps of 20);
    ``log`` spreads the values geometrically (capacities concentrated in a few units).
    """

    low: float
    high: float
    digits: int = 1
    step: float | None = None
    log: bool = False

    def value(self, position: float) -> float:
        position = float(np.clip(position, 0.02, 1.05))
        if self.log:
            x = float(np.expm1(np.log1p(self.low) + (np.log1p(self.high) - np.log1p(self.low)) * position))
        else:
            x = self.low + (self.high - self.low) * position
        if self.step:
            x = self.step * round(x / self.step)
        return round(x, self.digits)


# Realistic district ranges (a judgement for the synthetic data). Rates of the smart-city system are scored as
# the rate itself (goalposts [0, 100]), so their spread here is the realistic one, not the goalposts.
SMART_CITY: dict[str, Spread] = {
    "SC-A1-01": Spread(50, 96),
    "SC-A1-02": Spread(70, 99),
    "SC-A2-01": Spread(35, 98),
    "SC-A2-02": Spread(55, 95),
    "SC-A3-01": Spread(75, 100),
    "SC-A3-02": Spread(40, 100),
    "SC-A4-01": Spread(65, 100),
    "SC-A4-02": Spread(20, 80),
    "SC-A5-01": Spread(60, 100),
    "SC-A5-02": Spread(55, 100),
    "SC-A6-01": Spread(60, 98),
    "SC-A6-02": Spread(30, 90),
    "SC-A7-01": Spread(10, 130, digits=0),
    "SC-A7-02": Spread(30, 95),
    "SC-A8-01": Spread(85, 100),
    "SC-A8-02": Spread(50, 100),
    "SC-B-01": Spread(85, 99.5),
    "SC-B-02": Spread(15, 80),
    "SC-B-03": Spread(75, 100),
    "SC-C-01": Spread(50, 100),
    "SC-C-02": Spread(85, 100),
    "SC-C-03": Spread(15, 80),
    "SC-D-01": Spread(70, 100),
    "SC-D-02": Spread(60, 100),
    "SC-E-01": Spread(20, 90),
    "SC-E-02": Spread(0, 12, digits=0),
    "SC-E-03": Spread(30, 100),
    "SC-F-01": Spread(2, 45, digits=0),
    "SC-F-02": Spread(2, 25),
    "SC-G-01": Spread(70, 100),
    "SC-G-02": Spread(60, 100),
    "SC-H-01": Spread(40, 100, digits=0, step=20),
    "SC-H-02": Spread(5, 45),
    "SC-I-01": Spread(68, 93),
    "SC-I-02": Spread(40, 90),
}
DIGITAL_GOVERNMENT: dict[str, Spread] = {
    "DG-A-01": Spread(45, 95),
    "DG-A-03": Spread(97, 99.9, digits=2),
    "DG-A-04": Spread(75, 100),
    "DG-A-05": Spread(78, 96),
    "DG-B-02": Spread(80, 100),
    "DG-B-03": Spread(5, 40, digits=0),
    "DG-B-04": Spread(10, 60),
    "DG-B-05": Spread(65, 100),
    "DG-C-02": Spread(50, 100),
    "DG-C-03": Spread(70, 100),
    "DG-D-01": Spread(88, 100),
    "DG-D-02": Spread(80, 100),
    "DG-D-03": Spread(40, 100),
    "DG-E-01": Spread(82, 100),
    "DG-E-02": Spread(88, 100),
}
# Digital-government indicators with the default system's definition: the same number is filled in both.
SAME_AS_DISTRICT = {"DG-A-02": "DI-27", "DG-B-01": "DI-20", "DG-C-01": "DI-21"}
# Bonus and deduction counts: Poisson means (incidents do not depend on the development level; pilots do).
INCIDENT_MEAN = {"SC-X2": 0.4, "DG-X": 0.3}
PILOT_CODE = "SC-X1"
FUNCTIONAL_ZONES = ("370171", "370172")  # social assistance handled by the host districts
NOT_APPLICABLE_IN_ZONES = ("SC-A8-01", "SC-A8-02")

# The plan-monitoring series: pace = share of the baseline-to-target path covered per share of the period
# (1 = exactly on schedule). A judgement for the synthetic data: revenue ahead (it passed 1 万亿 in 2024), the
# industrial share of GDP and the steel cluster behind, most others near schedule.
IT_PACE = {
    "IT-A-01": 1.30,
    "IT-A-04": 0.45,
    "IT-B-01": 1.05,
    "IT-B-02": 0.90,
    "IT-B-03": 1.10,
    "IT-B-04": 1.00,
    "IT-B-05": 0.85,
    "IT-B-06": 0.70,
    "IT-C-01": 0.95,
    "IT-C-02": 0.60,
    "IT-C-03": 1.00,
    "IT-C-04": 1.40,
    "IT-D-01": 1.10,
    "IT-D-02": 0.80,
    "IT-D-03": 1.00,
    "IT-E-01": 0.85,
    "IT-E-02": 1.20,
    "IT-F-01": 1.15,
    "IT-F-02": 1.00,
    "IT-F-04": 1.10,
}
# Annual growth rates (the same target every year), 2021–2025; for IT-A-02 the level is collected, grown from
# its 2020 baseline by these rates (its target is the 9 % annual-rate path).
IT_LEVEL_FROM_GROWTH = {"IT-A-02"}
IT_GROWTH = {
    "IT-A-02": (9.6, 5.1, 8.4, 9.3, 8.8),
    "IT-A-03": (18.6, 11.8, 21.0, 15.4, 17.3),
    "IT-F-03": (26.0, 22.5, 18.0, 14.5, 21.0),
}

# Development level of each city in [0, 1] (a judgement for the synthetic data, not a measurement).
SHANDONG_LEVEL = {
    "370100": 0.90,  # 济南: software, computing centre, provincial capital
    "370200": 0.92,  # 青岛: industrial internet platforms, electronics
    "370600": 0.62,  # 烟台
    "370700": 0.58,  # 潍坊
    "370300": 0.55,  # 淄博
    "371000": 0.52,  # 威海
    "370500": 0.47,  # 东营
    "370800": 0.44,  # 济宁
    "371300": 0.42,  # 临沂
    "370900": 0.40,  # 泰安
    "371100": 0.38,  # 日照
    "371400": 0.34,  # 德州
    "371600": 0.34,  # 滨州
    "371500": 0.30,  # 聊城
    "370400": 0.28,  # 枣庄
    "371700": 0.26,  # 菏泽
}
SHANDONG_RURAL_FAVOURED = {"SD-C-06"}  # agricultural informatisation: higher in the farming cities
SHANDONG_GROWTH = 0.03


class Positions:
    """A unit's position on one indicator, year by year: its level, a persistent offset of its own (drawn once,
    so a unit is not good at everything), a yearly gain and a little yearly noise, so that stocks mostly grow."""

    def __init__(self, rng: np.random.Generator, level: float, growth: float, spread: float = 0.07) -> None:
        self.rng, self.level, self.growth = rng, level, growth
        self.offset = float(rng.normal(0.0, spread))

    def at(self, k: int) -> float:
        return self.level + self.offset + k * self.growth + float(self.rng.normal(0.0, 0.015))


def jinan_values(
    system: IndicatorSystem,
    spreads: dict[str, Spread],
    rng: np.random.Generator,
    district_table: pd.DataFrame,
) -> pd.DataFrame:
    """Long table of a Jinan district system (NaN value = 不适用)."""
    same = district_table.set_index(["unit_code", "indicator_code", "year"])["value"]
    rows = []
    for unit in system.units:
        level = district.LEVEL[unit.code]
        growth = district.GROWTH.get(unit.code, district.DEFAULT_GROWTH)
        for indicator in system.indicators:
            code = indicator.code
            positions = Positions(rng, level, growth)
            for k, year in enumerate(JINAN_YEARS):
                if code in SAME_AS_DISTRICT:
                    value = float(same[(unit.code, SAME_AS_DISTRICT[code], year)])
                elif code in INCIDENT_MEAN:
                    value = float(rng.poisson(INCIDENT_MEAN[code]))
                elif code == PILOT_CODE:
                    value = float(min(rng.poisson(0.2 + 1.2 * level), 4))
                elif unit.code in FUNCTIONAL_ZONES and code in NOT_APPLICABLE_IN_ZONES:
                    value = np.nan
                else:
                    spread = spreads[code]
                    value = spread.value(positions.at(k))
                    if indicator.unit == "%" or indicator.unit == "分":
                        value = min(value, 100.0)
                rows.append((unit.code, code, year, value))
    return pd.DataFrame(rows, columns=COLUMNS)


def monitoring_values(system: IndicatorSystem, rng: np.random.Generator) -> pd.DataFrame:
    """Long table of the plan-monitoring system: one unit, 2021–2025."""
    (unit,) = system.units
    rows = []
    for indicator in system.indicators:
        first, target = indicator.all_targets[0], indicator.final_target
        baseline = first.baseline
        assert target is not None and baseline is not None and target.year is not None
        for k, year in enumerate(IT_YEARS):
            if indicator.code in IT_LEVEL_FROM_GROWTH:
                value = baseline.value * float(
                    np.prod([1 + g / 100 for g in IT_GROWTH[indicator.code][: k + 1]])
                )
            elif indicator.code in IT_GROWTH:
                value = IT_GROWTH[indicator.code][k]
            else:
                start, end = baseline.value, target.level
                share = IT_PACE[indicator.code] * (year - baseline.year) / (target.year - baseline.year)
                wobble = float(rng.normal(0.0, 0.02)) * abs(end - start)
                value = start + (end - start) * min(share, 1.3) + wobble
            digits = 0 if indicator.unit in {"个", "家", "亿元"} else 1
            rows.append((unit.code, indicator.code, year, round(value, digits)))
    return pd.DataFrame(rows, columns=COLUMNS)


def shandong_values(system: IndicatorSystem, rng: np.random.Generator) -> pd.DataFrame:
    """Long table of the 16 cities: each value placed in the indicator's goalposts by the city's level."""
    rows = []
    for unit in system.units:
        level = SHANDONG_LEVEL[unit.code]
        for indicator in system.indicators:
            assert indicator.goalposts is not None
            low, high = indicator.goalposts
            integer = indicator.unit in {"个", "架"}
            spread = Spread(low, high, digits=0 if integer else 1, log=indicator.transform == "log")
            base = 1.0 - level if indicator.code in SHANDONG_RURAL_FAVOURED else level
            positions = Positions(rng, base, SHANDONG_GROWTH, spread=0.06)
            for k, year in enumerate(SHANDONG_YEARS):
                value = spread.value(positions.at(k))
                if indicator.unit == "%":
                    value = min(value, 100.0)
                rows.append((unit.code, indicator.code, year, value))
    return pd.DataFrame(rows, columns=COLUMNS)


def write_forms(system: IndicatorSystem, values: pd.DataFrame, out_dir: Path, years: Sequence[int]) -> None:
    """Fill one form per unit, as a data officer would in Excel (不适用 where the value is NaN); the rows of
    indicators a department supplies stay empty (read-only: the department's table gives them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    row_of = {indicator.code: FIRST_INDICATOR_ROW + 1 + i for i, indicator in enumerate(form_rows(system))}
    own = values[~values["indicator_code"].isin(list(system.providers))]
    for unit in system.units:
        path = out_dir / f"{unit.code}_{unit.name}.xlsx"
        write_template(system, unit.code, path, years)
        workbook = openpyxl.load_workbook(path)
        sheet = workbook[DATA_SHEET]
        for row in own[own["unit_code"] == unit.code].itertuples(index=False):
            column = FIRST_YEAR_COL + 1 + list(years).index(int(row.year))
            cell = sheet.cell(row=row_of[str(row.indicator_code)], column=column)
            cell.value = NOT_APPLICABLE_TEXT if np.isnan(row.value) else row.value
        workbook.save(path)
        district.fix_timestamps(path)


def write_department_tables(system: IndicatorSystem, values: pd.DataFrame, out_dir: Path) -> None:
    """One long table per department (``departments/{code}.csv``): its indicators for every unit, what its
    department token uploads."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for department in system.departments:
        codes = [node.code for node in system.supplied_by(department.code)]
        table = values[values["indicator_code"].isin(codes)]
        table = table.astype(object).where(table.notna(), NOT_APPLICABLE_TEXT)
        table.to_csv(out_dir / f"{department.code}.csv", index=False, encoding="utf-8-sig")


def write_tables(values: pd.DataFrame, out_dir: Path, years: Sequence[int], wide: bool = True) -> None:
    """The long table (CSV, UTF-8 with BOM) and, optionally, the wide table (one sheet per year)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = values[COLUMNS].assign(value=district.cell_values(with_missing(values)))
    table.to_csv(out_dir / "long_table.csv", index=False, encoding="utf-8-sig")
    if not wide:
        return
    with pd.ExcelWriter(out_dir / "wide_table.xlsx", engine="xlsxwriter") as writer:
        for year in years:
            block = table[table["year"] == year].pivot(
                index="unit_code", columns="indicator_code", values="value"
            )
            block = block.reindex(columns=list(dict.fromkeys(values["indicator_code"])))
            block.reset_index().to_excel(writer, sheet_name=str(year), index=False)
    district.fix_timestamps(out_dir / "wide_table.xlsx")


def with_missing(values: pd.DataFrame) -> pd.DataFrame:
    """The table with the ``missing`` column of :func:`sample_inputs.generate.synthetic_values`: a value NaN
    without it is 不适用 (these systems' samples have no blanks)."""
    if "missing" in values:
        return values
    return values.assign(missing=np.where(values["value"].isna(), NOT_APPLICABLE_TEXT, ""))


def write_readme(out_dir: Path, system: IndicatorSystem, years: Sequence[int], contents: str) -> None:
    span = f"{min(years)}–{max(years)}"
    text = (
        f"# {system.name} — SYNTHETIC DATA / 合成数据（非真实统计数据）\n\n"
        f"Every value here is **synthetic**, written by the seeded script `sample_inputs/generate_systems.py`\n"
        f"(`.venv/bin/python -m sample_inputs.generate_systems`, seed {SEED}) for the system "
        f"`indicators/{out_dir.name}.yaml`: {len(system.units)} unit(s), {span}. Magnitudes are realistic, the numbers "
        f"are not official statistics.\n\n{contents}\n"
    )
    (out_dir / "README.md").write_text(text, encoding="utf-8")


def main() -> None:
    rng = np.random.default_rng(SEED)
    district_system = load_system(district.SYSTEM_FILE)
    district_table = district.synthetic_values(district_system)

    made: list[tuple[str, pd.DataFrame]] = []
    for stem, spreads in (("jinan_smart_city", SMART_CITY), ("jinan_digital_government", DIGITAL_GOVERNMENT)):
        system = load_system(INDICATORS / f"{stem}.yaml")
        values = jinan_values(system, spreads, rng, district_table)
        out_dir = ROOT / stem
        write_forms(system, values, out_dir / "forms", JINAN_YEARS)
        write_department_tables(system, values, out_dir / "departments")
        write_tables(values, out_dir, JINAN_YEARS)
        write_readme(
            out_dir,
            system,
            JINAN_YEARS,
            "- `forms/*.xlsx`: one district form per unit, filled in (the rows of indicators a department\n"
            "  supplies are read-only and empty)\n"
            "- `departments/{code}.csv`: each supplying department's indicators for all units (what its\n"
            "  department token uploads); the forms and these tables together hold every value\n"
            "- `long_table.csv`: all the values as `unit_code, indicator_code, year, value`\n"
            "- `wide_table.xlsx`: the same values, one sheet per year",
        )
        made.append((stem, values))

    system = load_system(INDICATORS / "jinan_industry_it_14th.yaml")
    values = monitoring_values(system, rng)
    out_dir = ROOT / "jinan_industry_it_14th"
    write_forms(system, values, out_dir / "forms", IT_YEARS)
    write_tables(values, out_dir, IT_YEARS)
    write_readme(
        out_dir,
        system,
        IT_YEARS,
        "- `forms/370100_济南市.xlsx`: the city's form, filled in\n"
        "- `long_table.csv`, `wide_table.xlsx`: the same values\n\n"
        "Level indicators move from the (partly inferred) 2020 baselines towards the targets at an\n"
        "indicator-specific pace, so that some are ahead of and some behind the time-elapsed schedule.",
    )
    made.append(("jinan_industry_it_14th", values))

    system = load_system(INDICATORS / "shandong_cities_digital.yaml")
    values = shandong_values(system, rng)
    out_dir = ROOT / "shandong_cities_digital"
    write_tables(values, out_dir, SHANDONG_YEARS)
    write_readme(
        out_dir,
        system,
        SHANDONG_YEARS,
        "- `long_table.csv`, `wide_table.xlsx`: the 16 cities' values\n\n"
        "Cities are placed in each indicator's goalposts by a development level (济南 and 青岛 highest).",
    )
    made.append(("shandong_cities_digital", values))

    system = load_system(INDICATORS / "jinan_digital_composite.yaml")
    composite = pd.concat(
        [district_table, with_missing(made[0][1]), with_missing(made[1][1])], ignore_index=True
    )
    # an indicator the same as another (same_as) is asked once: its value comes from the other's row
    composite = composite[~composite["indicator_code"].isin(list(system.same_as))].reset_index(drop=True)
    out_dir = ROOT / "jinan_digital_composite"
    write_tables(composite, out_dir, JINAN_YEARS, wide=False)
    write_readme(
        out_dir,
        system,
        JINAN_YEARS,
        "- `long_table.csv`: the default system's sample values (`sample_inputs/jinan/`) followed by the\n"
        "  smart-city and digital-government values (`jinan_smart_city/`, `jinan_digital_government/`),\n"
        "  without DG-B-01, DG-C-01 and DG-A-02, which the composite takes from DI-20, DI-21 and DI-27\n"
        "  (`same_as`); the composite can equally be scored on those three directories' files together.",
    )
    for stem, table in [*made, ("jinan_digital_composite", composite)]:
        print(f"{stem}: {len(table)} values")


if __name__ == "__main__":
    main()
