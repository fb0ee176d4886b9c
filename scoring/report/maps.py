"""Choropleth maps of the composite and of each top-level dimension (matplotlib patches, no GIS library).

The boundaries are those the unit list names (:mod:`scoring.system.geometry`); a unit without one is drawn as a
marked point when the list gives it a ``point`` (functional zones: no official boundary) and is otherwise left
off the map and listed beside it (:func:`scoring.system.geometry.map_layout`) — never dropped silently.

Chart keys: ``map:1`` is the composite, ``map:2`` … the dimensions in system order (:func:`map_nodes`).
Colours: ``cividis`` (colour-blind safe, the heat map's), stretched over the values shown; a unit without a
score is grey and hatched. Longitude is scaled by cos(mean latitude) so the districts keep their shape.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from scoring.report.language import _
from scoring.system.geometry import MapLayout, map_layout

if TYPE_CHECKING:
    from scoring.analysis.report_data import ReportData

NO_SCORE = "#D0D0D0"
POINT_MARKER = "D"


def map_nodes(data: ReportData) -> list[tuple[str, str]]:
    """(column of ``data.ranking``, name) of each map: the composite (``score``), then each dimension."""
    return [("score", data.system.composite.name), *((d.code, d.name) for d in data.dimensions)]


def layout(data: ReportData) -> MapLayout:
    return map_layout(data.system)


def map_chart(data: ReportData, part: int = 1) -> bytes:
    """The choropleth of map ``part`` (1: the composite, 2…: the dimensions)."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import Normalize
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    from scoring.report.charts import HEATMAP, WIDTH_IN, _figure, _png

    column, name = map_nodes(data)[part - 1]
    shown = layout(data)
    scores = {str(code): float(v) for code, v in data.ranking[column].items()}
    present = [v for v in scores.values() if not math.isnan(v)]
    low, high = (min(present), max(present)) if present else (0.0, 1.0)
    norm = Normalize(vmin=low, vmax=high if high > low else low + 1.0)
    cmap = colormaps[HEATMAP]

    west, south, east, north = shown.bounds()
    aspect = 1.0 / max(0.2, math.cos(math.radians((south + north) / 2)))
    height = min(4.6, max(3.2, (WIDTH_IN - 1.6) * (north - south) * aspect / max(east - west, 1e-6)))
    fig = _figure(WIDTH_IN, height + 0.5)
    ax = fig.add_subplot()
    patches: list[Any] = []
    hatched: list[Any] = []
    colours: list[Any] = []
    labels: list[tuple[float, float, str, float]] = []
    for shape in shown.shapes:
        vertices: list[Any] = []
        codes: list[Any] = []
        for polygon in shape.polygons:
            for ring in polygon:
                vertices.extend(ring)
                codes.extend([Path.MOVETO, *[Path.LINETO] * (len(ring) - 2), Path.CLOSEPOLY])
        value = scores.get(shape.code, math.nan)
        patch = PathPatch(Path(np.asarray(vertices, dtype=float), codes))
        (hatched if math.isnan(value) else patches).append(patch)
        if not math.isnan(value):
            colours.append(cmap(norm(value)))
        x, y = _label_point(shape.polygons)
        labels.append((x, y, data.name(shape.code), value))
    if patches:
        ax.add_collection(
            PatchCollection(patches, facecolors=colours, edgecolors="#FFFFFF", linewidths=0.8, zorder=1)
        )
    if hatched:
        ax.add_collection(
            PatchCollection(
                hatched, facecolors=NO_SCORE, edgecolors="#FFFFFF", linewidths=0.8, hatch="///", zorder=1
            )
        )
    for x, y, label, value in labels:
        dark = not math.isnan(value) and norm(value) < 0.4
        text = f"{label}\n{value:.1f}" if not math.isnan(value) else _("{label}\n无数据", label=label)
        ax.text(
            x, y, text, ha="center", va="center", fontsize=7, color="#FFFFFF" if dark else "#000000", zorder=3
        )
    for code, (lon, lat) in shown.points.items():
        value = scores.get(code, math.nan)
        ax.scatter(
            [lon],
            [lat],
            s=70,
            marker=POINT_MARKER,
            color=NO_SCORE if math.isnan(value) else cmap(norm(value)),
            edgecolors="#000000",
            linewidths=1.0,
            zorder=4,
        )
        score = _("无数据") if math.isnan(value) else f"{value:.1f}"
        ax.annotate(
            f"{data.name(code)} {score}",
            (lon, lat),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=7,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "#FFFFFF", "edgecolor": "none", "alpha": 0.8},
        )
    pad_x, pad_y = (east - west) * 0.03, (north - south) * 0.03
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    ax.set_aspect(aspect)
    ax.set_axis_off()
    from matplotlib.cm import ScalarMappable

    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, label=_("{name}得分", name=name))
    notes = []
    if shown.points:
        notes.append(_("◆ 功能区等无官方行政区划边界的单元，以点标注"))
    if hatched:
        notes.append(_("灰色斜线：无得分"))
    notes.append(_("边界：{value}（示意图，不作为权属界线依据）", value=shown.source or shown.file))
    fig.text(
        0.01, 0.005, _("；").join(notes), fontsize=6.5, color="#444444", ha="left", va="bottom", wrap=True
    )
    return _png(fig)


def _label_point(polygons: list[list[list[tuple[float, float]]]]) -> tuple[float, float]:
    """Where a unit's name goes: the area centroid (shoelace) of the outer ring of its largest polygon."""
    import numpy as np

    best = (0.0, 0.0, -1.0)
    for polygon in polygons:
        ring = np.asarray(polygon[0], dtype=float)
        x, y = ring[:, 0], ring[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = float(cross.sum())
        if abs(area) <= best[2]:
            continue
        if area == 0:
            best = (float(x.mean()), float(y.mean()), 0.0)
        else:
            cx = float(((x[:-1] + x[1:]) * cross).sum()) / (3 * area)
            cy = float(((y[:-1] + y[1:]) * cross).sum()) / (3 * area)
            best = (cx, cy, abs(area))
    return best[0], best[1]
