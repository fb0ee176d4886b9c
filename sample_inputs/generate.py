"""Make the synthetic sample inputs (SYNTHETIC DATA — no public district-level data set exists).

Seeded, so every run writes the same values. For the Jinan system: the 12 districts plus 高新区 and 起步区 for
2022–2024, as

- ``jinan/forms/<code>_<name>.xlsx``: one district form each, made by ``digiscore template`` and filled in;
- ``jinan/long_table.csv``: every value as ``unit_code, indicator_code, year, value`` (UTF-8 with BOM);
- ``jinan/wide_table.xlsx``: one sheet per year, one row per unit, one column per indicator code.

All three hold the same numbers. Magnitudes follow the realistic district ranges of DOMAIN.md, which are the
system's goalposts: a unit's position in the range follows its development level (central districts and 高新区
high, rural counties low), rises a little every year, and gets seeded noise. Indicators concentrated in a few
districts (declared ``transform: log``) are spread geometrically; agricultural informatisation (DI-18) runs
the other way, and the two urban cores without farmland mark it 不适用.

Run: ``.venv/bin/python -m sample_inputs.generate``
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from scoring.io.form import DATA_SHEET, FIRST_INDICATOR_ROW, FIRST_YEAR_COL, NOT_APPLICABLE_TEXT
from scoring.io.template import write_template
from scoring.system import IndicatorSystem, load_system

ROOT = Path(__file__).resolve().parent
SYSTEM_FILE = ROOT.parent / "indicators" / "jinan_district_digital.yaml"
YEARS = (2022, 2023, 2024)
SEED = 20241124

# Development level in [0, 1] of each unit (a judgement for the synthetic data, not a measurement).
LEVEL = {
    "370171": 0.92,  # 高新区: software park, data centres
    "370102": 0.88,  # 历下区: CBD, financial and software services
    "370103": 0.72,  # 市中区
    "370112": 0.68,  # 历城区
    "370104": 0.58,  # 槐荫区
    "370105": 0.55,  # 天桥区
    "370172": 0.50,  # 起步区: new zone, fast growth
    "370114": 0.46,  # 章丘区: manufacturing
    "370116": 0.40,  # 莱芜区: steel and manufacturing
    "370113": 0.38,  # 长清区: universities
    "370117": 0.33,  # 钢城区
    "370115": 0.30,  # 济阳区
    "370124": 0.20,  # 平阴县
    "370126": 0.15,  # 商河县
}
GROWTH = {"370172": 0.08}  # per year; default below
DEFAULT_GROWTH = 0.035
RURAL_FAVOURED = {"DI-18"}  # agricultural informatisation: higher where there is agriculture
NOT_APPLICABLE = {("370102", "DI-18"), ("370103", "DI-18")}  # urban cores without farmland
INTEGER_UNITS = {"个", "家", "起"}


def synthetic_values(system: IndicatorSystem, seed: int = SEED) -> pd.DataFrame:
    """The long table of synthetic values (NaN value = 不适用)."""
    rng = np.random.default_rng(seed)
    rows = []
    for unit in system.units:
        level = LEVEL[unit.code]
        for indicator in system.indicators:
            low, high = indicator.goalposts or (0.0, 100.0)
            for k, year in enumerate(YEARS):
                position = level + k * GROWTH.get(unit.code, DEFAULT_GROWTH) + rng.normal(0.0, 0.07)
                if indicator.code in RURAL_FAVOURED:
                    position = 1.0 - level + k * 0.03 + rng.normal(0.0, 0.07)
                if indicator.direction < 0:
                    position = 1.0 - position
                position = float(np.clip(position, 0.02, 1.05))
                if indicator.transform == "log":
                    value = np.expm1(np.log1p(low) + (np.log1p(high) - np.log1p(low)) * position)
                else:
                    value = low + (high - low) * position
                if indicator.unit in INTEGER_UNITS:
                    value = float(round(value))
                elif indicator.unit == "%":
                    value = round(min(value, 100.0), 1)
                else:
                    value = round(value, 2)
                if (unit.code, indicator.code) in NOT_APPLICABLE:
                    value = np.nan
                rows.append((unit.code, indicator.code, year, value))
    return pd.DataFrame(rows, columns=["unit_code", "indicator_code", "year", "value"])


def write_forms(system: IndicatorSystem, values: pd.DataFrame, out_dir: Path) -> None:
    """Fill one district form per unit, as a district officer would in Excel."""
    out_dir.mkdir(parents=True, exist_ok=True)
    row_of = {indicator.code: FIRST_INDICATOR_ROW + 1 + i for i, indicator in enumerate(system.indicators)}
    for unit in system.units:
        path = out_dir / f"{unit.code}_{unit.name}.xlsx"
        write_template(system, unit.code, path, YEARS)
        workbook = openpyxl.load_workbook(path)
        sheet = workbook[DATA_SHEET]
        for row in values[values["unit_code"] == unit.code].itertuples(index=False):
            cell = sheet.cell(
                row=row_of[row.indicator_code], column=FIRST_YEAR_COL + 1 + YEARS.index(row.year)
            )
            cell.value = NOT_APPLICABLE_TEXT if np.isnan(row.value) else row.value
        workbook.save(path)


def write_tables(values: pd.DataFrame, out_dir: Path) -> None:
    table = values.astype(object).where(values.notna(), NOT_APPLICABLE_TEXT)
    table.to_csv(out_dir / "long_table.csv", index=False, encoding="utf-8-sig")
    with pd.ExcelWriter(out_dir / "wide_table.xlsx", engine="xlsxwriter") as writer:
        for year in YEARS:
            wide = table[values["year"] == year].pivot(
                index="unit_code", columns="indicator_code", values="value"
            )
            wide = wide.reindex(columns=list(dict.fromkeys(values["indicator_code"])))
            wide.reset_index().to_excel(writer, sheet_name=str(year), index=False)


def main() -> None:
    system = load_system(SYSTEM_FILE)
    values = synthetic_values(system)
    out_dir = ROOT / "jinan"
    write_forms(system, values, out_dir / "forms")
    write_tables(values, out_dir)
    print(f"wrote {len(system.units)} forms and 2 tables ({len(values)} values) to {out_dir}")


if __name__ == "__main__":
    main()
