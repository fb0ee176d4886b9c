"""The dashboard's analysis page (issue 14): coupling coordination (协同发展), obstacle degrees (障碍因子),
regional disparity (区域差异) and ranks within unit groups (分类评价) of a round — the documents of the JSON API
(``service.usecases.regional``), so the page, the API and the report show the same numbers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from scoring.system import IndicatorSystem
from service.usecases import read, regional
from service.web import views
from service.web.i18n import Translator
from service.web.routes import SystemQuery, WebRoute, YearQuery, _empty, _rounds_of, _system
from service.web.ui import WebDep, message

router = APIRouter(route_class=WebRoute, include_in_schema=False)
COMMON_SHOWN = 10  # common obstacles in the chart
LISTED = 3  # indicator obstacles per unit in the table


@router.get("/analysis")
def analysis_page(web: WebDep, year: YearQuery = None, system: SystemQuery = None) -> Response:
    """Coordination, obstacles, disparity and group ranks of the year's round (published; staff: preview)."""
    all_rounds = _rounds_of(web, system)
    year = year or views.default_year(all_rounds, web.principal)
    if year is None:
        return _empty(web, "nav.analysis", "analysis")
    view = read.read_round(web.context, web.principal, year, _system(web))
    documents = regional.regional_documents(web.context, view)
    t = web.t
    coordination = coordination_view(documents["coordination"], view.system, t)
    obstacles = obstacles_view(documents["obstacles"], view.system, t)
    disparity = disparity_view(documents["disparity"], t)
    groups = groups_view(documents["groups"])
    charts = {**coordination.get("charts", {}), **obstacles.get("charts", {}), **disparity.get("charts", {})}
    return web.render(
        "analysis.html",
        active="analysis",
        view=view,
        years=views.visible_years(all_rounds, web.principal),
        co=coordination,
        ob=obstacles,
        di=disparity,
        gr=groups,
        tiers=views.tier_order(view.system, t),
        charts=charts,
    )


def _error(document: dict[str, Any], t: Translator) -> str | None:
    error = document.get("error")
    return None if error is None else message(error, t.lang)


def _name(system: IndicatorSystem, code: str | None, t: Translator) -> str:
    if code is None or code not in system.nodes:
        return code or ""
    return views.node_name(system, code, code, t)


def coordination_view(document: dict[str, Any], system: IndicatorSystem, t: Translator) -> dict[str, Any]:
    """Rows (highest D first) with the subsystem and grade names in the reader's language, the D chart."""
    error = _error(document, t)
    if error is not None:
        return {"error": error}
    subsystems = [
        {"code": s["code"], "name": _name(system, s["code"], t), "weight": s["weight"]}
        for s in document["subsystems"]
    ]
    rows = [
        {
            "unit_code": u["unit_code"],
            "unit_name": u["unit_name"],
            "u": [u[f"U_{s['code']}"] for s in subsystems],
            "C": u["C"],
            "T": u["T"],
            "D": u["D"],
            "grade": t.pick(u["grade"], u["grade_en"]) if u["grade"] else "",
            "lagging": _name(system, u["lagging"], t),
            "synchronous": u["synchronous"],
        }
        for u in document["units"]
    ]
    means = document["years"][-1] if document["years"] else {}
    chart = {
        "kind": "bars",
        "horizontal": True,
        "max": 1,
        "categories": [r["unit_name"] for r in rows],
        "series": [{"name": t("analysis.d"), "values": [r["D"] for r in rows]}],
    }
    return {
        "subsystems": subsystems,
        "rows": rows,
        "mean_d": means.get("D"),
        "counts": [
            {"grade": t.pick(g["grade"], g["grade_en"]), "n": document["grade_counts"][g["grade"]]}
            for g in reversed(document["grades"])
            if document["grade_counts"][g["grade"]]
        ],
        "charts": {"coordination": chart},
    }


def obstacles_view(document: dict[str, Any], system: IndicatorSystem, t: Translator) -> dict[str, Any]:
    """Per unit its main obstacle dimension and top indicators; the chart of the common obstacles."""
    error = _error(document, t)
    if error is not None:
        return {"error": error}
    dims = [{"code": d["code"], "name": _name(system, d["code"], t)} for d in document["dimensions"]]
    rows = [
        {
            "unit_code": u["unit_code"],
            "unit_name": u["unit_name"],
            "dimensions": [u["dimensions"].get(d["code"]) for d in dims],
            "main": _name(system, u["main_dimension"], t),
            "top": [
                {"name": _name(system, item["indicator_code"], t), "value": item["obstacle"]}
                for item in u["top"][:LISTED]
            ],
        }
        for u in document["units"]
    ]
    common = [c for c in document["common"] if c["units"] > 0][:COMMON_SHOWN]
    chart = {
        "kind": "bars",
        "horizontal": True,
        "categories": [_name(system, c["indicator_code"], t) for c in common],
        "series": [{"name": t("analysis.common_units"), "values": [c["units"] for c in common]}],
    }
    return {"dimensions": dims, "rows": rows, "common": common, "charts": {"obstacles": chart}}


def disparity_view(document: dict[str, Any], t: Translator) -> dict[str, Any]:
    """The yearly measures (table and trend chart), the decompositions and the kernel density chart."""
    error = _error(document, t)
    if error is not None:
        return {"error": error}
    years = document["years"]
    trend = {
        "kind": "trend",
        "categories": [str(y["year"]) for y in years],
        "series": [
            {"name": t("analysis.gini"), "values": [y["gini"] for y in years]},
            {"name": t("analysis.theil"), "values": [y["theil"] for y in years]},
            {"name": t("analysis.cv"), "values": [y["cv"] for y in years]},
        ],
    }
    density = document["density"]
    chart = {
        "kind": "density",
        "x": density["grid"],
        "xName": t("analysis.composite"),
        "series": [{"name": year, "values": values} for year, values in density["years"].items()],
    }
    return {
        "years": years,
        "converging": document["converging"],
        "theil": document["theil"],
        "dagum": document["dagum"],
        "groups": document["groups"],
        "charts": {"inequality": trend, "density": chart},
    }


def groups_view(document: dict[str, Any]) -> dict[str, Any]:
    """The units grouped in unit-list order, each group's rows in rank order."""
    by_group: dict[str, list[dict[str, Any]]] = {g: [] for g in document["groups"]}
    for unit in document["units"]:
        by_group.setdefault(unit["group"], []).append(unit)
    return {"groups": [{"name": g, "rows": rows} for g, rows in by_group.items() if rows]}
