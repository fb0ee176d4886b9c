"""Units of measurement in English: the one catalogue of the Chinese units that system files use (亿元, 万人, 个 …).

An indicator or component may give its unit in English itself (``unit_en``); where it does not, the English
editions (the report, the dashboard's English pages) look its ``unit`` up here. A compound unit ``a/b``
(``个/万人``, ``万元/亩``) is put together from its parts (``number per 10 000 persons``). A unit that is not
Chinese (``%``, ``PFLOPS``, ``Million USD``) is the same in English; a Chinese unit the catalogue does not know
stays as the file gives it (write ``unit_en`` for it).
"""

from __future__ import annotations

import re
from typing import Final

# A count of things (个, 家): "number" at the head of a column, nothing after a figure (see after_figure).
COUNT: Final = "number"

# Chinese unit → English, as it stands at the head of a column or in a list of indicators.
MEASURES_EN: Final[dict[str, str]] = {
    "%": "%",
    "％": "%",
    "百分比": "%",
    "个百分点": "percentage points",
    "‰": "‰",
    "元": "yuan",
    "万元": "10 000 yuan",
    "亿元": "100 million yuan",
    "万亿元": "trillion yuan",
    "美元": "US dollars",
    "万美元": "10 000 US dollars",
    "亿美元": "100 million US dollars",
    "人": "persons",
    "万人": "10 000 persons",
    "人次": "person-times",
    "万人次": "10 000 person-times",
    "户": "households",
    "万户": "10 000 households",
    "个": COUNT,
    "家": COUNT,
    "所": COUNT,
    "座": COUNT,
    "台": COUNT,
    "套": "sets",
    "件": "items",
    "项": "items",
    "条": "items",
    "起": "cases",
    "次": "times",
    "路": "streams",
    "架": "aircraft",
    "辆": "vehicles",
    "篇": "papers",
    "分": "points",
    "倍": "times",
    "年": "years",
    "天": "days",
    "日": "days",
    "小时": "hours",
    "分钟": "minutes",
    "公里": "km",
    "千米": "km",
    "平方公里": "km²",
    "亩": "mu",
    "万亩": "10 000 mu",
    "吨": "tonnes",
    "万吨": "10 000 tonnes",
    "千瓦时": "kWh",
    "万千瓦时": "10 000 kWh",
    "亿千瓦时": "100 million kWh",
    "吨标准煤": "tonnes of standard coal equivalent",
}

# The same units after "per" where English says them in the singular ("yuan per person", not "per persons").
_PER: Final[dict[str, str]] = {
    "人": "person",
    "户": "household",
    "个": "unit",
    "家": "enterprise",
    "年": "year",
    "天": "day",
    "日": "day",
    "小时": "hour",
}

_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def measure_en(unit: str | None, unit_en: str | None = None) -> str | None:
    """``unit`` in English: ``unit_en`` when given, else the catalogue's English (``亿元`` → ``100 million
    yuan``, ``个/万人`` → ``number per 10 000 persons``), else ``unit`` as it stands (a unit that is not Chinese
    is the same in English; a Chinese one the catalogue does not know stays Chinese)."""
    if unit_en:
        return unit_en
    if unit is None:
        return None
    text = unit.strip()
    if not _CHINESE.search(text):
        return unit
    if text in MEASURES_EN:
        return MEASURES_EN[text]
    numerator, slash, denominator = text.partition("/")
    if slash and numerator in MEASURES_EN:
        per = _PER.get(denominator) or MEASURES_EN.get(denominator)
        if per is not None:
            return f"{MEASURES_EN[numerator]} per {per}"
    return unit


def after_figure(unit: str) -> str:
    """A unit as written after a figure: a count says nothing (``33``, not 33 number), a count per something keeps
    the "per" (``38.5 per 10 000 persons``), a unit that starts with a figure goes in brackets (``206.6 (100
    million yuan)``, not 206.6 100 million yuan); any other unit (``亿元``, ``%``, ``PFLOPS``) as it is."""
    if unit == COUNT:
        return ""
    if unit.startswith(f"{COUNT} per "):
        return unit[len(COUNT) + 1 :]
    if unit[:1].isdigit():
        return f"({unit})"
    return unit
