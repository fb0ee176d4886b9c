"""What each page shows: data shaped for the templates from what the use cases return (``service.usecases``).

Nothing here reads the database: the rules (published results are public; before publication staff see a
preview; a district officer sees its own unit's submissions only) and the caches are the use cases'.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from scoring.analysis.report_data import strengths_and_weaknesses
from scoring.pipeline.attainment import AHEAD, BEHIND, NOT_MET, ON_TRACK, status_text
from scoring.system import IndicatorSystem
from scoring.system.geometry import REASON_POINT, REASONS, map_layout
from scoring.system.measures import after_figure, measure_en
from scoring.system.models import QuantileTiers
from service.auth import Principal
from service.context import ServiceContext
from service.errors import ServiceError
from service.results import RoundResults, compare, ranking_item
from service.schemas import YEAR_MAX, YEAR_MIN
from service.submissions import CellComment
from service.usecases import read
from service.usecases.read import RoundRead
from service.web.i18n import Lang, Translator, numbers_whole
from service.web.ui import CHINA_TIME

SORTS = {  # column → the order a first click on its header gives
    "rank": "asc",
    "score": "desc",
    "score_change": "desc",
    "rank_change": "desc",
    "name": "asc",
    "code": "asc",
}
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50

# the badge colour of a target status (the words come from scoring.pipeline.attainment.STATUS_TEXT)
SCHEDULE_CLASS = {AHEAD: "ahead", ON_TRACK: "on", BEHIND: "behind", NOT_MET: "behind"}


# --------------------------------------------------------------------------------------------- rounds


CANCELLED = "cancelled"


def live_rounds(all_rounds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rounds that are not cancelled (a cancelled round is listed on the admin page only)."""
    return [r for r in all_rounds if r["status"] != CANCELLED]


def default_year(all_rounds: list[dict[str, Any]], principal: Principal) -> int | None:
    """The year a results page shows when none is asked for: the newest published round; for staff, failing
    that, the newest round that is not cancelled (as a preview)."""
    published = [r["year"] for r in all_rounds if r["status"] == "published"]
    if published:
        return int(published[-1])
    live = live_rounds(all_rounds)
    if principal.is_staff and live:
        return int(live[-1]["year"])
    return None


def visible_years(all_rounds: list[dict[str, Any]], principal: Principal) -> list[int]:
    """The years whose results this principal may read: published ones, and every live round for staff."""
    return [
        int(r["year"]) for r in live_rounds(all_rounds) if principal.is_staff or r["status"] == "published"
    ]


def node_name(system: IndicatorSystem, code: str, fallback: str, t: Translator) -> str:
    """A node's name in the page's language (``name_en`` when English is asked and the system has it)."""
    node = system.nodes.get(code)
    if node is None:
        return fallback
    if code == system.composite.code and not node.name_en:
        return t.pick(node.name, t("common.composite"))  # the composite's generic name when none is given
    return t.pick(node.name, node.name_en)


class TierOrder(dict[str, int]):
    """Tier name → its place, best first (the colour a tier badge gets), with each tier's name in the page's
    language (``label``: the system's ``name_en`` in English when it gives one, else the name as written)."""

    def __init__(self, places: dict[str, int], labels: dict[str, str]):
        super().__init__(places)
        self.labels = labels

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def tier_order(system: IndicatorSystem, t: Translator | None = None) -> TierOrder:
    """The system's tiers as a :class:`TierOrder` (empty without tiers)."""
    tiers = system.tiers
    if tiers is None:
        return TierOrder({}, {})
    if isinstance(tiers, QuantileTiers):
        return TierOrder({name: i for i, name in enumerate(tiers.quantile)}, {})
    labels = {
        tier.name: t.pick(tier.name, getattr(tier, "name_en", None)) if t is not None else tier.name
        for tier in tiers
    }
    return TierOrder({tier.name: i for i, tier in enumerate(tiers)}, labels)


def averages(context: ServiceContext, view: RoundRead) -> dict[str, float | None]:
    """The city average of every node: the mean score of the units that have one."""

    def build() -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for code, rows in view.results.by_node.items():
            scores = [r["score"] for r in rows if r["score"] is not None]
            out[code] = sum(scores) / len(scores) if scores else None
        return out

    found: dict[str, float | None] = view.derived(context, ("web-averages",), build)
    return found


# ------------------------------------------------------------------------------------------- rankings


@dataclass(frozen=True)
class RankingQuery:
    """What the rankings page was asked for (all server-side: 3 000 units render as fast as 14)."""

    node: str
    q: str = ""
    tier: str = ""
    group: str = ""  # a class of unit (分类评价): only its units, with their rank within it
    sort: str = "rank"
    order: str = "asc"
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE


@dataclass
class RankingPage:
    """One page of a ranking after search, filter and sort."""

    rows: list[dict[str, Any]]
    total: int  # units in the ranking
    matched: int  # after search and tier filter
    page: int
    pages: int
    first: int  # 1-based position of the first row shown (0 when none)
    last: int


def _sort_key(column: str) -> Callable[[dict[str, Any]], Any]:
    field_name = {"name": "unit_name", "code": "unit_code"}.get(column, column)

    def key(row: dict[str, Any]) -> Any:
        return row[field_name]

    return key


def ranking_page(
    results: RoundResults, query: RankingQuery, classes: dict[str, dict[str, Any]] | None = None
) -> RankingPage:
    """Filter by name/code, tier and unit group, sort (missing values last, ties by rank then code), and page.
    With ``query.group``, ``classes`` (unit code → its row of the 分类评价 document) says each unit's group and
    gives each shown row its ``group_rank``."""
    rows = results.by_node[query.node]
    total = len(rows)
    if query.group:
        members = classes or {}
        rows = [r for r in rows if members.get(r["unit_code"], {}).get("group") == query.group]
    if query.q:
        needle = query.q.casefold()
        rows = [r for r in rows if needle in r["unit_name"].casefold() or needle in r["unit_code"].casefold()]
    if query.tier:
        rows = [r for r in rows if r["tier"] == query.tier]
    if query.sort != "rank" or query.order != "asc":
        key = _sort_key(query.sort)
        present = [r for r in rows if key(r) is not None]
        missing = [r for r in rows if key(r) is None]
        # stable sorts: by rank first (the stored order), then by the column
        present.sort(key=key, reverse=query.order == "desc")
        rows = present + missing
    matched = len(rows)
    pages = max(1, math.ceil(matched / query.size))
    page = min(max(query.page, 1), pages)
    start = (page - 1) * query.size
    shown = [ranking_item(r) for r in rows[start : start + query.size]]
    if query.group:
        for row in shown:
            row["group_rank"] = (classes or {})[row["unit_code"]]["group_rank"]
    return RankingPage(shown, total, matched, page, pages, start + 1 if shown else 0, start + len(shown))


def unit_groups(system: IndicatorSystem) -> list[str]:
    """The groups of the system's unit list in the order they first appear (none: no group filter)."""
    return list(dict.fromkeys(u.group for u in system.units if u.group))


def map_panel(view: RoundRead, node: str, t: Translator) -> dict[str, Any] | None:
    """The rankings page's map of ``node``: the chart spec (the map document is fetched from
    ``GET /rounds/{year}/map``, the same the API serves) and the units not drawn as boundaries, listed beside the
    map with the reason; None when the system's unit list names no boundaries."""
    layout = map_layout(view.system)
    if not layout.drawable:
        return None
    names = view.system.unit_names
    rows = {r["unit_code"]: r for r in view.results.by_node[node]}
    unlisted = [
        {
            "code": code,
            "name": names.get(code, code),
            "shown": t("map.shown_point") if reason == REASON_POINT else t("map.shown_none"),
            "reason": REASONS[reason][0 if t.lang == "zh" else 1],
            "score": rows.get(code, {}).get("score"),
        }
        for code, reason in layout.unlisted.items()
    ]
    chart = {
        "kind": "map",
        "url": f"/rounds/{view.year}/map?" + urlencode({"node": node, "system": view.system.id}),
        "name": f"map-{view.year}-{view.system.content_hash[:12]}",
        "labels": {"points": t("map.point_series"), "no_score": t("map.no_score")},
        "node": node_name(view.system, node, node, t),
        # each unit's name as the map document gives it → as the page shows it (the page's tojson puts English
        # names on the right on an English page; ECharts' nameMap relabels the boundaries with them)
        "names": {unit.name: unit.name for unit in view.system.units},
    }
    return {"chart": chart, "unlisted": unlisted, "source": layout.source or layout.file}


def node_options(system: IndicatorSystem, results: RoundResults, t: Translator) -> list[dict[str, Any]]:
    """Every node the results rank, in tree order, with its depth (for the 'ranked by' choice)."""
    out = []
    for node, depth, _ in system.walk():
        if node.code in results.by_node:
            out.append(
                {"code": node.code, "name": node_name(system, node.code, node.name, t), "depth": depth}
            )
    return out


# -------------------------------------------------------------------------------------------- profile


def profile_document(context: ServiceContext, view: RoundRead, unit: str) -> dict[str, Any]:
    """The API's profile of a unit (the same cached bytes as ``GET /rounds/{year}/units/{unit}/profile``)."""
    return read.round_profile(context, view, unit)


def scale_max(system: IndicatorSystem, values: list[float | None]) -> float:
    """The top of a chart axis: the system's scale, or the largest value when bonus points pass it."""
    top = float(system.method.scale[1]) if system.method.scale else 100.0
    present = [v for v in values if v is not None]
    return max([top, *present]) if present else top


def dimension_codes(system: IndicatorSystem) -> list[str]:
    """The composite's children: the dimensions of radar charts and dimension bars."""
    return [child.code for child in system.root.children or []]


def profile_view(context: ServiceContext, view: RoundRead, unit: str, t: Translator) -> dict[str, Any]:
    """Everything the profile page shows: cards, dimensions against the city average, strengths and
    weaknesses, indicator contributions, target attainment, the trend, and the charts' data."""
    system = view.system
    document = profile_document(context, view, unit)
    average = averages(context, view)
    nodes = {n["code"]: n for n in document["nodes"]}
    ranked = document["composite"]["units_ranked"]

    def name(code: str) -> str:
        return node_name(system, code, nodes.get(code, {}).get("name", code), t)

    dimensions = [
        nodes[code] | {"name": name(code), "average": average.get(code)}
        for code in dimension_codes(system)
        if code in nodes
    ]
    indicator_codes = set(system.indicator_codes)
    indicators = []
    for code in system.indicator_codes:
        node = nodes.get(code)
        if node is None:
            continue
        path = system.path(code)
        dimension = path[1] if len(path) > 2 else code
        given = system.nodes[code]
        measure = (
            numbers_whole(measure_en(given.unit, given.unit_en) or "") or None
            if t.lang == "en"
            else given.unit
        )
        indicators.append(
            node
            | {
                "name": name(code),
                "dimension": name(dimension),
                "average": average.get(code),
                # the system file's texts in the page's language (English where the file gives it; a unit of
                # measurement also from the catalogue of scoring.system.measures)
                "unit": measure,
                "unit_after_figure": after_figure(measure or ""),  # 33, not 33 number
                "definition": t.pick(given.definition or "", given.definition_en),
                "source": t.pick(given.source or "", given.source_en),
            }
        )
    # the report's rule (scoring.analysis.report_data.strengths_and_weaknesses): the same ones for the same round
    ranked_on = {
        n["code"]: n.get("units_ranked") or ranked for n in indicators
    }  # older cached documents: none
    by_code = {n["code"]: n | {"units_ranked": ranked_on[n["code"]]} for n in indicators}
    best, worst = strengths_and_weaknesses(
        [
            (n["code"], n["rank"], ranked_on[n["code"]], n["score"] - (n["average"] or 0.0))
            for n in indicators
            if n["rank"] is not None and n["score"] is not None
        ]
    )
    strengths = [by_code[c] for c in best]
    weaknesses = [by_code[c] for c in worst]

    attainment = [
        row
        | {
            "name": name(row["indicator_code"]),
            "status_text": status_text(row["target_status"], t.lang),
            "status_class": SCHEDULE_CLASS.get(row["target_status"], "none"),
        }
        for row in document["attainment"]
        if row.get("indicator_code") in indicator_codes
    ]
    trend_codes = [system.composite.code, *dimension_codes(system)]
    years = sorted({int(r["year"]) for r in document["trend"]})
    by_node: dict[str, dict[int, float | None]] = {}
    for row in document["trend"]:
        by_node.setdefault(row["node_code"], {})[int(row["year"])] = row["score"]
    trend = [
        {"code": code, "name": name(code), "values": [by_node[code].get(y) for y in years]}
        for code in trend_codes
        if code in by_node
    ]
    contributions = sorted(
        (n for n in indicators if n["contribution"] is not None),
        key=lambda n: n["contribution"],
        reverse=True,
    )
    listed = next((u for u in system.units if u.code == unit), None)
    unit_name = t.pick(
        document["unit"]["name"], getattr(listed, "name_en", None)
    )  # the chart legends' name too
    top = scale_max(system, [d["score"] for d in dimensions] + [d["average"] for d in dimensions])
    charts = {
        "radar": {
            "kind": "radar",
            "axes": [{"name": d["name"], "max": top} for d in dimensions],
            "series": [
                {"name": unit_name, "values": [d["score"] for d in dimensions]},
                {"name": t("common.city_average"), "values": [d["average"] for d in dimensions]},
            ],
        },
        "dimensions": {
            "kind": "bars",
            "categories": [d["name"] for d in dimensions],
            "max": top,
            "series": [
                {"name": unit_name, "values": [d["score"] for d in dimensions]},
                {"name": t("common.city_average"), "values": [d["average"] for d in dimensions]},
            ],
        },
        "contributions": {
            "kind": "bars",
            "horizontal": True,
            "categories": [n["name"] for n in contributions],
            "series": [
                {"name": t("profile.contribution"), "values": [n["contribution"] for n in contributions]}
            ],
        },
        "trend": {
            "kind": "trend",
            "categories": [str(y) for y in years],
            "series": [{"name": s["name"], "values": s["values"]} for s in trend],
        },
    }
    return {
        "document": document,
        "unit_name": unit_name,
        "composite": document["composite"],
        "ranked": ranked,
        "dimensions": dimensions,
        "indicators": indicators,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "attainment": attainment,
        "years": years,
        "trend": trend,
        "charts": charts,
    }


def units_of(results: RoundResults) -> list[dict[str, str]]:
    """The units with results, in code order (for the choice of a district)."""
    return [{"code": code, "name": results.unit_names.get(code, code)} for code in sorted(results.by_unit)]


# -------------------------------------------------------------------------------------------- compare


def compare_view(view: RoundRead, a: str, b: str, t: Translator) -> dict[str, Any]:
    """Two units on every node, with the dimension radar and the differences."""
    system = view.system
    document = compare(view.results, a, b)
    rows = []
    for node in document["nodes"]:
        rows.append(node | {"name": node_name(system, node["code"], node["name"], t)})
    dims = set(dimension_codes(system))
    dimensions = [r for r in rows if r["code"] in dims]
    top = scale_max(system, [d["a_score"] for d in dimensions] + [d["b_score"] for d in dimensions])
    name_a, name_b = document["a"]["name"], document["b"]["name"]
    charts = {
        "radar": {
            "kind": "radar",
            "axes": [{"name": d["name"], "max": top} for d in dimensions],
            "series": [
                {"name": name_a, "values": [d["a_score"] for d in dimensions]},
                {"name": name_b, "values": [d["b_score"] for d in dimensions]},
            ],
        },
        "difference": {
            "kind": "bars",
            "horizontal": True,
            "signed": True,
            "categories": [d["name"] for d in dimensions],
            "series": [{"name": t("compare.difference"), "values": [d["difference"] for d in dimensions]}],
        },
    }
    composite = next(r for r in rows if r["code"] == view.results.composite)
    return {
        "document": document,
        "rows": rows,
        "composite": composite,
        "dimensions": dimensions,
        "charts": charts,
    }


# ------------------------------------------------------------------------------------- upload, review


def china_time(text: str) -> datetime | None:
    """A date and time typed in a form (``2025-03-31T18:00``, China time, as ``<input type=datetime-local>``
    sends it) as a UTC-aware moment; None for an empty field; 422 for anything else."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ServiceError(422, "invalid-request", "not a date and time: use YYYY-MM-DDTHH:MM") from None
    if not YEAR_MIN <= moment.year <= YEAR_MAX:
        raise ServiceError(422, "invalid-request", f"the year must be between {YEAR_MIN} and {YEAR_MAX}")
    return moment.replace(tzinfo=CHINA_TIME) if moment.tzinfo is None else moment


def upload_rounds(all_rounds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rounds an officer may pick on the upload page: every round not cancelled, newest first."""
    return sorted(live_rounds(all_rounds), key=lambda r: -int(r["year"]))


def default_upload_year(all_rounds: list[dict[str, Any]]) -> int | None:
    """The newest open round, else the newest round not cancelled."""
    live = live_rounds(all_rounds)
    open_rounds = [r["year"] for r in live if r["status"] == "open"]
    if open_rounds:
        return int(max(open_rounds))
    return int(max(r["year"] for r in live)) if live else None


def indicator_names(system: IndicatorSystem, t: Translator) -> dict[str, str]:
    """Indicator code → its name in the page's language (the problem list names the indicator of a cell); the
    components (base data, the parts of derived indicators) too: they are rows of the form."""
    return {node.code: t.pick(node.name, node.name_en) for node in [*system.indicators, *system.components]}


def cell_comments(keys: list[str], comments: list[str]) -> list[CellComment]:
    """The review form's comments per cell (``indicator|year`` keys beside their comment fields, or
    ``unit|indicator|year`` on a department's version), the empty ones left out; 400 when the two lists do
    not pair up."""
    if len(keys) != len(comments):
        raise ServiceError(400, "invalid-request", "cell_key and cell_comment must pair up")
    out = []
    for key, comment in zip(keys, comments, strict=True):
        text = comment.strip()
        if text:
            head, _, year = key.rpartition("|")
            unit, _, code = head.rpartition("|")
            out.append(CellComment(code, int(year), text, unit or None))
    return out


def late_units(units: list[dict[str, Any]], names: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The units late (first upload after the deadline) and missing (none, deadline passed), by name; the
    departments of the round (``department_code`` entries of the departments' overview) among them."""
    out: dict[str, list[dict[str, str]]] = {"late": [], "missing": []}
    for unit in units:
        if unit.get("timeliness") in out:
            code = unit.get("unit_code") or unit["department_code"]
            out[unit["timeliness"]].append({"code": code, "name": names.get(code, code)})
    return out


def sorted_problems(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Errors first, then warnings, then notes; within each, in sheet and cell order (row, then column)."""
    order = {"error": 0, "warning": 1, "info": 2}

    def cell_key(cell: str | None) -> tuple[int, str]:
        if not cell:
            return (0, "")
        letters = "".join(c for c in cell if c.isalpha())
        digits = "".join(c for c in cell if c.isdigit())
        return (int(digits) if digits else 0, letters.rjust(3))

    return sorted(
        problems,
        key=lambda p: (order.get(p.get("severity", ""), 3), p.get("sheet") or "", cell_key(p.get("cell"))),
    )


def sensitivity_rows(sensitivity: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """The sensitivity table, most influential assumption first, each assumption and its levels named as the
    report names them (``scoring.analysis.design``: labels from the method records) and each index printed as
    the report prints it (an estimate below 0 as ``≈0``)."""
    from scoring.analysis.design import factor_label, level_labels
    from scoring.report.chapters.robustness import sensitivity_index

    rows = sorted(sensitivity, key=lambda r: -(r.get("total_effect") or 0.0))
    return [
        r
        | {
            "assumption_label": factor_label(str(r["assumption"]), lang),
            "levels_label": level_labels(str(r["assumption"]), str(r["levels"]), lang),
            "first_order_text": _index_text(r.get("first_order"), sensitivity_index),
            "total_effect_text": _index_text(r.get("total_effect"), sensitivity_index),
        }
        for r in rows
    ]


def _index_text(value: Any, printed: Callable[[float], str]) -> str:
    return "—" if value is None else printed(float(value))


def sensitivity_note(sensitivity: list[dict[str, Any]], lang: Lang) -> str | None:
    """The report's note on ``≈0`` when an index of the table is an estimate below 0, in the page's language."""
    from scoring.report.chapters.robustness import negative_note
    from scoring.report.language import language

    values = [r.get(key) for r in sensitivity for key in ("first_order", "total_effect")]
    if not any(v is not None and float(v) < 0 for v in values):
        return None
    with language(lang):
        return negative_note()


def evidence_rows(
    system: IndicatorSystem, listed: dict[str, Any] | None, t: Translator
) -> list[dict[str, Any]]:
    """One row per indicator the district fills in itself for the evidence table of the upload page: its name, whether the system
    requires evidence and the version still lacks it, and the files attached (``listed``: the use case's
    ``version_evidence``)."""
    files: dict[str, list[dict[str, Any]]] = {}
    for item in (listed or {}).get("evidence", []):
        files.setdefault(item["indicator_code"], []).append(item)
    required = set((listed or {}).get("required", []))
    missing = set((listed or {}).get("missing", []))
    return [
        {
            "code": node.code,
            "name": t.pick(node.name, node.name_en),
            "required": node.code in required or node.evidence == "required",
            "missing": node.code in missing,
            "files": files.get(node.code, []),
        }
        for node in system.district_collected  # a department's indicators carry its own evidence, not a unit's
    ]
