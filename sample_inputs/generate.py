"""Make the synthetic sample inputs of the Jinan system (SYNTHETIC DATA — no public district-level data set exists).

Seeded and deterministic: every run writes the same bytes. For the 12 districts plus 高新区 and 起步区, 2022–2024:

- ``jinan/forms/<code>_<name>.xlsx``: one district form each, made by ``digiscore template`` and filled in (the
  blanks carry a 备注 saying why);
- ``jinan/long_table.csv``: every collected value as ``unit_code, indicator_code, year, value`` (UTF-8 with BOM; a
  blank is an empty value);
- ``jinan/wide_table.xlsx``: one sheet per year, one row per unit, one column per collected code.

All three hold the same numbers. The values are not placed by one development level (which made every pair of
indicators correlate above 0.9) but by a small factor model, as real district data behave:

- four latent factors per unit — digital economy (``dig``), industrial base (``ind``), digital infrastructure
  (``inf``), government capacity (``gov``) — plus agriculture (``agri``) and size (常住人口, 地区生产总值). The
  factors are a judgement of each unit's profile (历下区 strong in services and weak in industry, 钢城区 and 莱芜区
  the other way round, counties low on most) with a seeded perturbation, so central districts and 高新区 lead
  and the counties trail, but no two factors are the same ranking;
- each indicator loads on one or two factors and has its own noise (a persistent offset per unit and a small
  yearly one), so that indicators of one dimension correlate but are not collinear; year to year the values grow
  at a unit's own pace (起步区 faster);
- size indicators are log-normal: 常住人口 and 地区生产总值 from each unit's magnitude, the computing capacity,
  core-industry revenue, enterprise counts and smart factories as skewed stocks concentrated in a few units;
  counts that accumulate (parks, projects, factories, scenarios) never fall;
- the ratios DI-01, DI-06, DI-07 and DI-28 are collected as their parts (components: 5G 基站数, 视频路数,
  核心产业增加值, R&D 经费, and 常住人口 / 地区生产总值 entered once per unit and year); the engine computes them;
- realistic missingness: 不适用 where the system allows it (农业生产信息化率 in the urban cores and 高新区,
  智能算力占比 where there is no computing facility, DI-03 = 0) and a few blanks of indicators that are not
  required, each with a 备注 giving the reason (a growth rate without a comparable previous year …).

Run: ``.venv/bin/python -m sample_inputs.generate``
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from scoring.io.form import DATA_SHEET, HEAD_CODE, HEAD_REMARK, HEADER_ROW, NOT_APPLICABLE_TEXT
from scoring.io.template import write_template
from scoring.system import IndicatorSystem, load_system

ROOT = Path(__file__).resolve().parent
SYSTEM_FILE = ROOT.parent / "indicators" / "jinan_district_digital.yaml"
YEARS = (2022, 2023, 2024)
SEED = 20241124
COLUMNS = ["unit_code", "indicator_code", "year", "value"]

# Each unit's profile in [0, 1] on the latent factors (a judgement for the synthetic data, not a measurement):
#           dig   ind   inf   gov   agri
PROFILE: dict[str, tuple[float, float, float, float, float]] = {
    "370171": (0.93, 0.70, 0.82, 0.74, 0.00),  # 高新区: software park, data centres, electronics
    "370102": (0.86, 0.20, 0.88, 0.80, 0.00),  # 历下区: CBD, financial and software services
    "370103": (0.66, 0.28, 0.70, 0.58, 0.00),  # 市中区
    "370112": (0.58, 0.60, 0.56, 0.48, 0.42),  # 历城区
    "370104": (0.52, 0.40, 0.74, 0.70, 0.30),  # 槐荫区: 西部会展, well-run services
    "370105": (0.46, 0.56, 0.52, 0.40, 0.32),  # 天桥区
    "370172": (0.40, 0.28, 0.80, 0.42, 0.55),  # 起步区: new zone, new infrastructure, fast growth
    "370114": (0.38, 0.80, 0.50, 0.62, 0.60),  # 章丘区: manufacturing, capable county-level government
    "370116": (0.28, 0.72, 0.44, 0.36, 0.52),  # 莱芜区: steel and manufacturing
    "370113": (0.48, 0.36, 0.42, 0.52, 0.62),  # 长清区: universities
    "370117": (0.20, 0.76, 0.30, 0.60, 0.45),  # 钢城区: steel, small and well-organised
    "370115": (0.24, 0.50, 0.36, 0.30, 0.72),  # 济阳区
    "370124": (0.16, 0.38, 0.22, 0.44, 0.76),  # 平阴县
    "370126": (0.10, 0.24, 0.28, 0.50, 0.86),  # 商河县: an e-government pilot county
}
FACTORS = ("dig", "ind", "inf", "gov", "agri")
# Overall development level of each unit in [0, 1], which places the units in the smart-city and
# digital-government samples (generate_systems.py).
LEVEL = {
    "370171": 0.92, "370102": 0.88, "370103": 0.72, "370112": 0.68, "370104": 0.58, "370105": 0.55,
    "370172": 0.50, "370114": 0.46, "370116": 0.40, "370113": 0.38, "370117": 0.33, "370115": 0.30,
    "370124": 0.20, "370126": 0.15,
}  # fmt: skip
GROWTH = {"370172": 0.08}  # position gained per year; default below
DEFAULT_GROWTH = 0.035

# Size (a judgement of each unit's magnitude around 2022): 常住人口 in 万人, 地区生产总值 in 亿元.
POPULATION = {
    "370171": 52.0, "370102": 82.6, "370103": 72.5, "370112": 113.2, "370104": 62.8, "370105": 71.9,
    "370172": 38.0, "370114": 106.5, "370116": 99.8, "370113": 63.0, "370117": 29.6, "370115": 58.9,
    "370124": 35.4, "370126": 55.3,
}  # fmt: skip
GDP = {
    "370171": 1600.0, "370102": 2400.0, "370103": 1150.0, "370112": 1250.0, "370104": 780.0, "370105": 720.0,
    "370172": 320.0, "370114": 1200.0, "370116": 820.0, "370113": 420.0, "370117": 340.0, "370115": 430.0,
    "370124": 260.0, "370126": 230.0,
}  # fmt: skip
POPULATION_GROWTH = {"370172": 0.025}  # a year; default 0.004
GDP_GROWTH = 0.052  # nominal, a year, with a unit's own deviation

# Computing capacity (PFLOPS, 2022) of the units with a data centre, intelligent-computing or supercomputing
# centre (median of a log-normal draw); the others have none and mark 智能算力占比 不适用.
COMPUTING = {
    "370171": 900.0, "370102": 120.0, "370112": 260.0, "370172": 180.0, "370104": 30.0, "370103": 25.0,
    "370105": 15.0, "370114": 20.0, "370113": 40.0, "370116": 8.0,
}  # fmt: skip


@dataclass(frozen=True)
class Loading:
    """An indicator's position in its realistic range: ``Σ w_f · factor_f`` + a persistent offset per unit
    (sd ``noise``) + the unit's yearly gain + a small yearly noise (sd ``yearly``)."""

    weights: dict[str, float]
    noise: float = 0.12
    yearly: float = 0.015


# Indicators placed in their goalposts by a position (the others are computed below from sizes and counts).
LOADINGS: dict[str, Loading] = {
    "DI-01": Loading({"inf": 0.8, "dig": 0.2}),  # collected as 5G 基站数 (÷ 常住人口)
    "DI-02": Loading({"inf": 0.75, "gov": 0.15}, noise=0.15),
    "DI-04": Loading({"dig": 0.6, "inf": 0.3}, noise=0.21, yearly=0.03),
    "DI-05": Loading({"gov": 0.5, "inf": 0.35}, noise=0.18),
    "DI-06": Loading({"gov": 0.5, "inf": 0.4}, noise=0.15),  # collected as 视频路数 (÷ 常住人口)
    "DI-07": Loading({"dig": 0.9}, noise=0.08),  # collected as 核心产业增加值 (÷ 地区生产总值)
    "DI-09": Loading({"dig": 0.3, "gov": 0.1}, noise=0.22, yearly=0.12),  # a growth rate: volatile
    "DI-13": Loading({"ind": 0.6, "dig": 0.25}, noise=0.12),
    "DI-14": Loading({"ind": 0.8}, noise=0.12),
    "DI-15": Loading({"ind": 0.5, "gov": 0.25, "dig": 0.1}, noise=0.18),
    "DI-17": Loading({"dig": 0.5, "inf": 0.25}, noise=0.18),
    "DI-18": Loading({"agri": 0.75, "gov": 0.15}, noise=0.12),
    "DI-20": Loading({"gov": 0.85}, noise=0.11),
    "DI-21": Loading({"gov": 0.7, "inf": 0.15}, noise=0.12),
    "DI-22": Loading({"gov": 0.65}, noise=0.2),
    "DI-24": Loading({"gov": 0.45, "inf": 0.3}, noise=0.18),
    "DI-25": Loading({"gov": 0.5, "inf": 0.2}, noise=0.18),
    "DI-26": Loading({"inf": 0.45, "gov": 0.4}, noise=0.18),
    "DI-27": Loading({"gov": 0.55}, noise=0.22),
    "DI-28": Loading({"dig": 0.5, "ind": 0.3}, noise=0.15),  # collected as R&D 经费 (÷ 地区生产总值)
    "DI-29": Loading({"dig": 0.85}, noise=0.12),
    "DI-30": Loading({"gov": 0.5, "dig": 0.2}, noise=0.22),
}
# The ratios collected as their parts: indicator → (numerator component, denominator component, factor).
RATIOS = {
    "DI-01": ("C-5G", "C-POP", 1.0),
    "DI-06": ("C-VIDEO", "C-POP", 1.0),
    "DI-07": ("C-COREVA", "C-GDP", 100.0),
    "DI-28": ("C-RD", "C-GDP", 100.0),
}
UNIVERSITY_TOWN = "370113"  # 长清区: university R&D raises its R&D intensity
NO_FARMLAND = ("370102", "370103", "370171")  # 农业生产信息化率 不适用 (the system's remark on DI-18)
# Blanks a district could not fill in, with the 备注 it wrote (unit, indicator, year, remark).
BLANKS = (
    ("370172", "DI-09", 2022, "起步区 2021 年未单独统计软件业务收入，2022 年增速无法按可比口径计算。"),
    ("370114", "DI-04", 2022, "2022 年数据中心运营方未分别统计智能算力与通用算力，智能算力占比暂缺。"),
    ("370115", "DI-18", 2022, "2022 年未开展农业生产信息化率测算（2023 年起纳入农业农村局年报）。"),
)
INTEGER_UNITS = {"个", "家", "起", "路"}


def unit_factors(rng: np.random.Generator, codes: list[str]) -> dict[str, np.ndarray]:
    """Each factor over the units: the profile plus a seeded perturbation (sd 0.06)."""
    profile = np.array([PROFILE[code] for code in codes])
    profile = profile + rng.normal(0.0, 0.06, size=profile.shape)
    return {name: profile[:, k] for k, name in enumerate(FACTORS)}


def positions(
    rng: np.random.Generator, loading: Loading, factors: dict[str, np.ndarray], gain: np.ndarray
) -> np.ndarray:
    """Units × years positions of one indicator."""
    n = gain.size
    loaded = np.zeros(n)
    for name, weight in loading.weights.items():
        loaded += weight * factors[name]
    # the mean loading on [0, 1] → [0.05, 0.95], plus the unit's persistent offset on this indicator
    base = loaded / sum(loading.weights.values()) * 0.9 + 0.05 + rng.normal(0.0, loading.noise, size=n)
    k = np.arange(len(YEARS))
    return base[:, None] + gain[:, None] * k[None, :] + rng.normal(0.0, loading.yearly, size=(n, len(YEARS)))


def place(position: np.ndarray, low: float, high: float) -> np.ndarray:
    return low + (high - low) * np.clip(position, 0.02, 1.02)


def cumulative(rng: np.random.Generator, first: np.ndarray, yearly_mean: np.ndarray) -> np.ndarray:
    """A stock that never falls: the first year, then Poisson additions."""
    adds = rng.poisson(np.maximum(yearly_mean, 0.0)[:, None], size=(first.size, len(YEARS) - 1))
    return np.cumsum(np.column_stack([first, adds]), axis=1).astype(float)


def synthetic_values(system: IndicatorSystem, seed: int = SEED) -> pd.DataFrame:
    """The long table of the collected values: ``unit_code, indicator_code, year, value, missing`` with value
    NaN where ``missing`` is 不适用 or a blank's 备注 (the reason), "" otherwise."""
    rng = np.random.default_rng(seed)
    codes = [unit.code for unit in system.units]
    n = len(codes)
    factors = unit_factors(rng, codes)
    gain = np.array([GROWTH.get(code, DEFAULT_GROWTH) for code in codes])
    k = np.arange(len(YEARS))
    out: dict[str, np.ndarray] = {}
    not_applicable: dict[str, np.ndarray] = {}

    nodes = {node.code: node for node in system.collected} | system.nodes

    def goal(code: str) -> tuple[float, float]:
        low, high = nodes[code].goalposts or (0.0, 100.0)
        return float(low), float(high)

    for code, loading in LOADINGS.items():
        position = positions(rng, loading, factors, gain)
        if code == "DI-28":
            position[codes.index(UNIVERSITY_TOWN)] += 0.15
        out[code] = place(position, *goal(code))

    # Size: log-normal magnitudes growing at their own pace.
    pop_growth = np.array([POPULATION_GROWTH.get(code, 0.004) for code in codes])
    population = np.array([POPULATION[code] for code in codes]) * np.exp(rng.normal(0.0, 0.03, n))
    out["C-POP"] = population[:, None] * (1 + pop_growth[:, None]) ** k[None, :]
    gdp_growth = GDP_GROWTH + rng.normal(0.0, 0.015, n) + 0.02 * (gain > DEFAULT_GROWTH)
    gdp = np.array([GDP[code] for code in codes]) * np.exp(rng.normal(0.0, 0.08, n))
    out["C-GDP"] = (
        gdp[:, None]
        * (1 + gdp_growth[:, None]) ** k[None, :]
        * np.exp(rng.normal(0.0, 0.01, (n, len(YEARS))))
    )
    out["C-POP"] = np.round(out["C-POP"], 2)
    out["C-GDP"] = np.round(out["C-GDP"], 2)

    # Ratios collected as their parts: the numerator from the ratio's position and the denominator.
    for indicator, (numerator, denominator, factor) in RATIOS.items():
        value = out.pop(indicator) * out[denominator] / factor
        integer = nodes[numerator].unit in INTEGER_UNITS
        out[numerator] = np.round(value) if integer else np.round(value, 2)

    # Core-industry revenue (亿元, log-normal): value added × a revenue multiple; enterprises = revenue ÷ revenue
    # per enterprise; leading enterprises and featured software parks follow the revenue.
    core_va = out["C-COREVA"]
    multiple = np.exp(np.log(2.8) + rng.normal(0.0, 0.25, n))
    out["DI-08"] = np.round(core_va * multiple[:, None] * np.exp(rng.normal(0.0, 0.04, (n, len(YEARS)))), 1)
    per_firm = np.exp(np.log(3.0) + rng.normal(0.0, 0.35, n))
    out["DI-10"] = np.round(out["DI-08"] / per_firm[:, None])
    leading = np.floor(out["DI-08"][:, 0] / 160 * np.exp(rng.normal(0.0, 0.3, n)))
    out["DI-11"] = cumulative(rng, leading, 0.25 + leading / 8)
    parks = np.clip(np.round(4.2 * factors["dig"] ** 2 + rng.normal(0.0, 0.35, n) - 0.3), 0, 3)
    out["DI-12"] = cumulative(rng, parks, np.where(factors["dig"] > 0.55, 0.15, 0.03))
    out["DI-12"] = np.minimum(out["DI-12"], 4)

    # Computing capacity (PFLOPS): log-normal around each facility's size, growing 25 % a year; 0 without one.
    has = np.array([code in COMPUTING for code in codes])
    first = np.array([COMPUTING.get(code, 0.0) for code in codes]) * np.exp(rng.normal(0.0, 0.3, n))
    capacity = first[:, None] * np.exp(np.log(1.25) * k[None, :] + rng.normal(0.0, 0.08, (n, len(YEARS))))
    out["DI-03"] = np.round(np.where(has[:, None], capacity, 0.0), 1)
    not_applicable["DI-04"] = ~has

    # Stocks that accumulate: smart factories (industrial size), demonstration projects, scenarios.
    industry = factors["ind"] * np.sqrt(gdp / np.median(gdp))
    out["DI-16"] = cumulative(
        rng, rng.poisson(np.maximum(28 * industry**1.5, 0.2)).astype(float), 1.5 + 5 * industry
    )
    projects = 5 + 45 * (0.5 * factors["dig"] + 0.5 * factors["ind"]) ** 1.3 * np.exp(rng.normal(0, 0.25, n))
    out["DI-19"] = cumulative(rng, np.round(projects), 1 + 5 * factors["dig"])
    scenes = 2 + 16 * (0.5 * factors["dig"] + 0.5 * factors["gov"]) ** 1.5 * np.exp(rng.normal(0, 0.3, n))
    out["DI-23"] = cumulative(rng, np.round(scenes), 0.5 + 3 * factors["gov"])

    # Cybersecurity incidents (reverse): more exposure where there is more digital activity, not less care.
    out["DI-31"] = rng.poisson((2.0 + 9.0 * factors["dig"])[:, None], size=(n, len(YEARS))).astype(float)

    not_applicable["DI-18"] = np.array([code in NO_FARMLAND for code in codes])

    rows = []
    for code in system.collected_codes:
        node = nodes[code]
        value = out[code]
        if node.unit == "%":
            value = np.minimum(value, 100.0)
        if node.unit in INTEGER_UNITS:
            value = np.round(value)
        elif code not in ("C-POP", "C-GDP", "DI-03", "DI-08") and not code.startswith("C-"):
            value = np.round(value, 1 if node.unit == "%" else 2)
        na = not_applicable.get(code, np.zeros(n, dtype=bool))
        for i, unit in enumerate(codes):
            for j, year in enumerate(YEARS):
                if na[i]:
                    rows.append((unit, code, year, np.nan, NOT_APPLICABLE_TEXT))
                else:
                    rows.append((unit, code, year, float(value[i, j]), ""))
    table = pd.DataFrame(rows, columns=[*COLUMNS, "missing"])
    for unit, code, year, remark in BLANKS:
        at = (table["unit_code"] == unit) & (table["indicator_code"] == code) & (table["year"] == year)
        table.loc[at, ["value", "missing"]] = [np.nan, remark]
    return table


def cell_values(values: pd.DataFrame) -> pd.Series:
    """What a cell holds: the number, 不适用, or nothing (None) for a blank."""
    cells = values["value"].astype(object)
    cells[values["missing"] == NOT_APPLICABLE_TEXT] = NOT_APPLICABLE_TEXT
    cells[values["value"].isna() & (values["missing"] != NOT_APPLICABLE_TEXT)] = None
    return cells


FIXED_TIME = (2025, 1, 1, 0, 0, 0)  # the workbooks' zip entries and document properties: same bytes every run
_STAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def fix_timestamps(path: Path) -> None:
    """Rewrite an .xlsx with fixed zip-entry times and fixed created / modified properties, so that the
    generator writes the same bytes every run (openpyxl and XlsxWriter stamp the current time)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>2025-01-01T00:00:00Z\g<3>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def write_forms(system: IndicatorSystem, values: pd.DataFrame, out_dir: Path) -> None:
    """Fill one district form per unit, as a district officer would in Excel; a blank gets its 备注."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = values.assign(cell=cell_values(values))
    for unit in system.units:
        path = out_dir / f"{unit.code}_{unit.name}.xlsx"
        write_template(system, unit.code, path, YEARS)
        workbook = openpyxl.load_workbook(path)
        sheet = workbook[DATA_SHEET]
        header = [cell.value for cell in sheet[HEADER_ROW + 1]]
        code_col = header.index(HEAD_CODE) + 1
        remark_col = header.index(HEAD_REMARK) + 1
        year_col = {year: [str(h) for h in header].index(str(year)) + 1 for year in YEARS}
        row_of = {
            sheet.cell(row, code_col).value: row
            for row in range(HEADER_ROW + 2, sheet.max_row + 1)
            if sheet.cell(row, code_col).value
        }
        for row in table[table["unit_code"] == unit.code].itertuples(index=False):
            sheet.cell(row=row_of[row.indicator_code], column=year_col[row.year]).value = row.cell
            if row.missing and row.missing != NOT_APPLICABLE_TEXT:
                sheet.cell(row=row_of[row.indicator_code], column=remark_col).value = row.missing
        workbook.save(path)
        fix_timestamps(path)


def write_tables(values: pd.DataFrame, out_dir: Path) -> None:
    table = values[COLUMNS].assign(value=cell_values(values))
    table.to_csv(out_dir / "long_table.csv", index=False, encoding="utf-8-sig")
    with pd.ExcelWriter(out_dir / "wide_table.xlsx", engine="xlsxwriter") as writer:
        for year in YEARS:
            wide = table[table["year"] == year].pivot(
                index="unit_code", columns="indicator_code", values="value"
            )
            wide = wide.reindex(columns=list(dict.fromkeys(table["indicator_code"])))
            wide.reset_index().to_excel(writer, sheet_name=str(year), index=False)
    fix_timestamps(out_dir / "wide_table.xlsx")


def main() -> None:
    system = load_system(SYSTEM_FILE)
    values = synthetic_values(system)
    out_dir = ROOT / "jinan"
    write_forms(system, values, out_dir / "forms")
    write_tables(values, out_dir)
    print(f"wrote {len(system.units)} forms and 2 tables ({len(values)} values) to {out_dir}")


if __name__ == "__main__":
    main()
