"""The map of a round: the boundaries its system's unit list names (GeoJSON for ECharts' ``registerMap``), the
marked points of units without an official boundary, every unit not drawn as a boundary with the reason, and
the scores of one node (the composite by default) — for ``GET /rounds/{year}/map`` and the dashboard's map.

The layout is the engine's (:func:`scoring.system.geometry.map_layout`), the same the report draws; the scores are
the round's results as the caller may read them (:func:`service.usecases.read.read_round`).
"""

from __future__ import annotations

from typing import Any

from scoring.system.geometry import REASONS, MapLayout, feature_collection, map_layout
from service.auth import Principal
from service.context import ServiceContext
from service.usecases import read


def round_map(
    context: ServiceContext, principal: Principal, year: int, node: str | None, system: str | None = None
) -> dict[str, Any]:
    """The map document of ``year`` (and ``system``: the default system's round without it) for ``node`` (404 for
    an unknown node; published rounds for everyone, a preview for staff)."""
    view = read.read_round(context, principal, year, system)
    chosen = view.results.node(node)
    layout = map_layout(view.system)
    rows = view.results.by_node[chosen]
    return map_document(view.year, layout, view.system.unit_names, chosen, view.results.nodes[chosen], rows)


def map_document(
    year: int,
    layout: MapLayout,
    names: dict[str, str],
    node: str,
    node_info: dict[str, Any],
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "year": year,
        "node": {"code": node, "name": node_info["name"]},
        "source": layout.source,
        "file": layout.file,
        "geojson": feature_collection(layout, names),
        "points": [
            {"code": code, "name": names.get(code, code), "lon": lon, "lat": lat}
            for code, (lon, lat) in layout.points.items()
        ],
        "unlisted": [
            {
                "code": code,
                "name": names.get(code, code),
                "reason": reason,
                "reason_zh": REASONS[reason][0],
                "reason_en": REASONS[reason][1],
            }
            for code, reason in layout.unlisted.items()
        ],
        "scores": [
            {"code": r["unit_code"], "name": r["unit_name"], "score": r["score"], "rank": r["rank"]}
            for r in rows
        ],
    }
