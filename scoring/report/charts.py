"""The report's charts as PNG bytes (matplotlib, Agg backend, no pyplot state).

Each chart is drawn once and the same bytes go into the Word and the HTML report. Text is set in Noto Sans CJK
(:func:`scoring.report.fonts.cjk_font`); a glyph the font lacks stops the build (``report.glyph_missing``) rather
than printing a box. Colours are colour-blind safe: the Okabe–Ito palette for categories and ``cividis`` for the
heat map. Charts with one row per unit are split into parts of at most :data:`UNITS_PER_FIGURE` units so that
each fits on an A4 page.

A chart is named by a key: ``trend``, ``ranking:<part>``, ``heatmap:<part>``, ``attainment``, ``change:<part>``,
``radar:<unit code>``, ``coordination``, ``density``, ``map:<n>`` (:mod:`scoring.report.maps`).
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from scoring.analysis.report_data import NO_DATA, NOT_APPLICABLE, NOT_MET, STATUSES, ReportData
from scoring.pipeline.attainment import AHEAD, BEHIND, ON_TRACK
from scoring.problems import Problem
from scoring.report.errors import ReportError
from scoring.report.fonts import cjk_font
from scoring.report.language import _, current
from scoring.report.maps import map_chart

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
STATUS_COLOURS = {
    AHEAD: "#009E73",
    ON_TRACK: "#56B4E9",
    BEHIND: "#D55E00",
    NOT_MET: "#E69F00",
    NO_DATA: "#BBBBBB",
    NOT_APPLICABLE: "#E0E0E0",
}
HEATMAP = "cividis"
DPI = 150
UNITS_PER_FIGURE = 45
WIDTH_IN = 7.0


def wrap_label(text: str, width: int) -> str:
    """An axis label over several lines when it is longer than ``width`` characters: English names are long
    (Chinese ones are not wrapped, they are short and break anywhere)."""
    if current() == "zh" or len(text) <= width:
        return text
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def parts(n_units: int) -> int:
    """Number of figures a per-unit chart is split into."""
    return max(1, math.ceil(n_units / UNITS_PER_FIGURE))


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header (IHDR)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _part(units: Sequence[str], part: int) -> list[str]:
    return list(units[(part - 1) * UNITS_PER_FIGURE : part * UNITS_PER_FIGURE])


@contextmanager
def chart_style() -> Iterator[None]:
    """Matplotlib settings of every chart, with the CJK font; raises on any glyph the font lacks."""
    import matplotlib

    font = cjk_font()
    settings: Any = {
        "font.family": "sans-serif",
        "font.sans-serif": [font.family, "DejaVu Sans"],
        "font.size": 9,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
    }
    with matplotlib.rc_context(settings), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        raise ReportError(Problem("report.glyph_missing", params={"detail": "; ".join(missing[:5])}))


def _png(figure: Any) -> bytes:
    """The figure as a 256-colour PNG. Charts are flat colours and anti-aliased text, so a palette image looks
    the same as full colour at about a quarter of the size (a report carries one radar per district). No
    timestamp or software tag is written, so the same chart always gives the same bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert(
        "RGB"
    )
    palette = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG")
    return buffer.getvalue()


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def render_charts(data: ReportData, keys: Sequence[str]) -> dict[str, bytes]:
    """Draw every chart named in ``keys`` (``kind`` or ``kind:part``, see :data:`CHARTS`; radars share one
    figure, redrawn per unit)."""
    out: dict[str, bytes] = {}
    radar_units = [k.split(":", 1)[1] for k in keys if k.startswith("radar:")]
    with chart_style():
        for key in keys:
            kind, _colon, arg = key.partition(":")
            if kind in CHARTS:
                out[key] = CHARTS[kind](data, int(arg or 1))
        if radar_units:
            out.update({f"radar:{u}": png for u, png in radar_charts(data, radar_units).items()})
    return out


def trend_chart(data: ReportData) -> bytes:
    """City averages of the composite (thick) and of each dimension, by year."""
    fig = _figure(WIDTH_IN, 3.4)
    ax = fig.add_subplot()
    years = list(data.years)
    ax.plot(
        years,
        data.city_mean[data.composite],
        color="#000000",
        linewidth=2.4,
        marker="o",
        label=data.system.composite.name,
    )
    for i, dim in enumerate(data.dimensions):
        ax.plot(
            years,
            data.city_mean[dim.code],
            color=OKABE_ITO[i % len(OKABE_ITO)],
            linewidth=1.4,
            marker="o",
            markersize=3,
            label=dim.name,
        )
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylim(bottom=min(0.0, float(data.system.method.scale[0])))  # a value axis starts at 0
    ax.set_ylabel(_("全市平均得分"))
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return _png(fig)


def _tier_colours(data: ReportData) -> dict[str, str]:
    return {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(data.tier_names)}


def ranking_chart(data: ReportData, part: int = 1) -> bytes:
    """Horizontal bars of the composite in rank order, coloured by tier, with the score at each bar."""
    units = _part(data.units, part)
    frame = data.ranking.loc[units]
    fig = _figure(WIDTH_IN, 0.9 + 0.19 * len(units))
    ax = fig.add_subplot()
    colours = _tier_colours(data)
    bar_colours = [colours.get(t, "#777777") if isinstance(t, str) else "#777777" for t in frame["tier"]]
    y = np.arange(len(units))
    values = frame["score"].fillna(0).to_numpy(dtype=float)
    ax.barh(y, values, color=bar_colours, height=0.72)
    ax.set_yticks(
        y, [f"{_rank_label(r)} {n}" for r, n in zip(frame["rank"], frame["unit_name"], strict=True)]
    )
    ax.invert_yaxis()
    high = max(data.system.method.scale[1], float(np.nanmax(values)) if len(values) else 0)
    ax.set_xlim(min(0.0, data.system.method.scale[0]), high * 1.08)
    for yi, v, s in zip(y, values, frame["score"], strict=True):
        if not math.isnan(float(s)):
            ax.text(v + high * 0.01, yi, f"{float(s):.2f}", va="center", fontsize=7)
    ax.set_xlabel(_("{name}得分", name=data.system.composite.name))
    if colours:
        from matplotlib.patches import Patch

        ax.legend(
            handles=[Patch(color=c, label=n) for n, c in colours.items()],
            loc="lower right",
            fontsize=8,
            frameon=True,
            title=_("梯队"),
            title_fontsize=8,
        )
    return _png(fig)


def _rank_label(rank: object) -> str:
    return "" if not isinstance(rank, float) or math.isnan(rank) else f"{int(rank)}."


def heatmap_chart(data: ReportData, part: int = 1) -> bytes:
    """Units (rows, rank order) × top-level dimensions, coloured by score on the system's scale (cividis)."""
    units = _part(data.units, part)
    dims = [d.code for d in data.dimensions]
    matrix = data.ranking.loc[units, dims].to_numpy(dtype=float)
    fig = _figure(WIDTH_IN, 1.2 + 0.19 * len(units))
    ax = fig.add_subplot()
    lo, hi = data.system.method.scale
    image = ax.imshow(matrix, aspect="auto", cmap=HEATMAP, vmin=lo, vmax=hi, interpolation="nearest")
    ax.set_xticks(range(len(dims)), [wrap_label(d.name, 14) for d in data.dimensions])
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(units)), [data.name(u) for u in units])
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    norm = image.norm
    for (i, j), v in np.ndenumerate(matrix):
        if math.isnan(v):
            continue
        colour = "#000000" if norm(v) > 0.55 else "#FFFFFF"
        ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(image, ax=ax, shrink=0.6, label=_("得分"))
    return _png(fig)


def attainment_chart(data: ReportData) -> bytes:
    """For each targeted indicator, stacked bars of how many units are ahead, on track, behind, …"""
    targets = list(data.targets)
    fig = _figure(WIDTH_IN, 1.2 + 0.3 * max(1, len(targets)))
    ax = fig.add_subplot()
    y = np.arange(len(targets))
    left = np.zeros(len(targets))
    for status in STATUSES:
        counts = np.array([t.counts[status] for t in targets], dtype=float)
        if not counts.any():
            continue
        ax.barh(y, counts, left=left, color=STATUS_COLOURS[status], label=_(status), height=0.7)
        for yi, c, l0 in zip(y, counts, left, strict=True):
            if c:
                ax.text(
                    l0 + c / 2,
                    yi,
                    str(int(c)),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#FFFFFF" if status in {AHEAD, BEHIND} else "#000000",
                )
        left += counts
    ax.set_yticks(y, [wrap_label(t.name, 40) for t in targets])
    ax.invert_yaxis()
    ax.set_xlabel(_("单元数"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return _png(fig)


def change_chart(data: ReportData, part: int = 1) -> bytes:
    """Each unit's change of the composite split into its dimensions' Δ(w·S), positive parts stacked right and
    negative parts left, with the total change marked."""
    units = [u for u in _part(data.units, part) if u in data.change.index]
    dims = [d.code for d in data.parts]
    delta = data.change.loc[units, dims].to_numpy(dtype=float)
    fig = _figure(WIDTH_IN, 1.1 + 0.19 * max(1, len(units)))
    ax = fig.add_subplot()
    y = np.arange(len(units))
    positive = np.zeros(len(units))
    negative = np.zeros(len(units))
    for j, dim in enumerate(data.parts):
        values = np.nan_to_num(delta[:, j])
        base = np.where(values >= 0, positive, negative)
        ax.barh(y, values, left=base, color=OKABE_ITO[j % len(OKABE_ITO)], label=dim.name, height=0.7)
        positive += np.where(values >= 0, values, 0)
        negative += np.where(values < 0, values, 0)
    totals = data.change.loc[units, "total"].to_numpy(dtype=float)
    ax.scatter(totals, y, marker="D", s=14, color="#000000", zorder=3, label=_("得分变化"))
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(y, [data.name(u) for u in units])
    ax.invert_yaxis()
    ax.set_xlabel(_("较 {previous_year} 年的变化（分）", previous_year=data.previous_year))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return _png(fig)


def radar_charts(data: ReportData, units: Sequence[str]) -> dict[str, bytes]:
    """One radar per unit: its dimension scores against the city average. The axes, the city-average polygon
    and the labels are drawn once; only the unit's polygon changes between units."""
    dims = list(data.dimensions)
    n = len(dims)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    closed = np.r_[angles, angles[:1]]
    mean = data.city_mean.loc[data.year, [d.code for d in dims]].to_numpy(dtype=float)
    lo, hi = data.system.method.scale
    from matplotlib.figure import Figure
    from matplotlib.projections.polar import PolarAxes

    # a fixed layout: the figure is saved once per unit, and constrained layout would be recomputed each time
    fig = Figure(figsize=(3.8, 3.6), dpi=DPI)
    ax: PolarAxes = fig.add_axes((0.17, 0.15, 0.66, 0.68), projection="polar")  # type: ignore[assignment]
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(lo, hi)
    ax.set_xticks(angles, [wrap_label(d.name, 16) for d in dims], fontsize=8)
    ax.tick_params(axis="y", labelsize=6)
    ax.plot(
        closed, np.r_[mean, mean[:1]], color=OKABE_ITO[1], linewidth=1.4, linestyle="--", label=_("全市平均")
    )
    (line,) = ax.plot([], [], color=OKABE_ITO[0], linewidth=1.8, label=_("本单元"))
    fill = None
    fig.legend(loc="lower center", ncols=2, fontsize=7, frameon=False)
    out = {}
    scores = data.ranking[[d.code for d in dims]]
    for unit in units:
        values = np.nan_to_num(scores.loc[unit].to_numpy(dtype=float), nan=lo)
        line.set_data(closed, np.r_[values, values[:1]])
        if fill is not None:
            fill.remove()
        (fill,) = ax.fill(closed, np.r_[values, values[:1]], color=OKABE_ITO[0], alpha=0.22)
        ax.set_title(data.name(unit), fontsize=10, pad=14)
        out[unit] = _png(fig)
    return out


def coordination_chart(data: ReportData) -> bytes:
    """Horizontal bars of each unit's coupling coordination D (highest first) on [0, 1], with the grade
    boundaries every 0.1 and the grade at each bar."""
    result = data.regional.coordination
    assert result is not None
    frame = result.year(data.year).dropna(subset=["D"])
    fig = _figure(WIDTH_IN, 0.9 + 0.22 * len(frame))
    ax = fig.add_subplot()
    labels = [data.name(str(u)) for u in frame.index][::-1]
    values = frame["D"].to_numpy()[::-1]
    grades = list(frame["grade"])[::-1]
    ax.barh(labels, values, color=OKABE_ITO[0], height=0.65)
    for y, (value, grade) in enumerate(zip(values, grades, strict=True)):
        ax.text(value + 0.01, y, f"{value:.3f} {_(grade)}", va="center", fontsize=7.5)
    ax.set_xlim(0, 1.18)
    ax.set_xticks(np.arange(0, 1.01, 0.1))
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_xlabel(_("耦合协调度 D"))
    return _png(fig)


def density_chart(data: ReportData) -> bytes:
    """The kernel density of the composite across units, one line per year (the report year thick)."""
    result = data.regional.disparity
    assert result is not None
    fig = _figure(WIDTH_IN, 3.2)
    ax = fig.add_subplot()
    for i, year in enumerate(result.density.columns):
        current = int(year) == data.year
        ax.plot(
            result.grid,
            result.density[year],
            color=OKABE_ITO[i % len(OKABE_ITO)],
            linewidth=2.2 if current else 1.2,
            label=_("{year} 年", year=year),
        )
    ax.set_ylim(bottom=0)
    ax.set_xlabel(_("综合得分"))
    ax.set_ylabel(_("核密度"))
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.legend(frameon=False, fontsize=8)
    return _png(fig)


# chart kind → drawing function (report data, part number → PNG); a new kind of chart is one function and one
# entry here, named by a chapter as ``w.figure("<kind>:<part>", …)``. Radars (``radar:<unit>``) are drawn
# together by :func:`radar_charts`.
CHARTS: dict[str, Callable[[ReportData, int], bytes]] = {
    "trend": lambda data, part: trend_chart(data),
    "ranking": ranking_chart,
    "heatmap": heatmap_chart,
    "attainment": lambda data, part: attainment_chart(data),
    "change": change_chart,
    "coordination": lambda data, part: coordination_chart(data),
    "density": lambda data, part: density_chart(data),
    "map": map_chart,  # map:1 the composite, map:2… the dimensions (scoring.report.maps)
}
