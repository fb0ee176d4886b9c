"""Unit boundaries for maps: a GeoJSON file that a unit list names, read as hostile input and kept small.

A unit list (``indicators/units/*.yaml``) may name a GeoJSON file beside it::

    geometry: jinan.geojson      # a FeatureCollection of Polygon / MultiPolygon features, WGS 84 lon/lat
    geometry_key: code           # the feature property holding the unit code (default: code, else adcode)
    geometry_source: 济南市自然资源和规划局，2024 年行政区划数据   # shown under every map: source and licence
    units:
      - {code: "370102", name: 历下区}
      - {code: "370171", name: 高新区, point: [117.13, 36.68]}   # no official boundary: a marked point

The file is read like every other file a system names (confined to the systems folder, a regular file, at most
``SystemLimits.max_geometry_bytes``) and then checked before anything is built from it: it must be JSON (nesting
deeper than Python's parser allows is refused, not crashed on), a FeatureCollection of at most
``max_geometry_features`` features, each with the key property and a Polygon or MultiPolygon of finite
longitude / latitude pairs in range, closed rings of at least four positions, no code twice, and at most
``max_geometry_vertices`` positions in all. Every refusal names the feature (index and code) and says how to fix
it, in Chinese and English.

Only the features of the list's units are kept, rounded to 5 decimals (about 1 m) and simplified
(Douglas–Peucker, tolerance :data:`SIMPLIFY_DEGREES`), so a detailed office file becomes a few hundred
kilobytes at most. A unit without a feature is never dropped: :func:`map_layout` lists it with the reason.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from scoring.problems import Location, Problem, SystemDefinitionError

if TYPE_CHECKING:
    from scoring.system.models import IndicatorSystem, Unit

Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Position = tuple[Longitude, Latitude]

SIMPLIFY_DEGREES = 0.001  # Douglas–Peucker tolerance: about 100 m, far below a pixel of a district map
DECIMALS = 5  # about 1 m
DEFAULT_KEYS = ("code", "adcode")  # feature properties tried for the unit code when the list names none
_MAX_SHOWN = 60  # characters of a code or name quoted in a message


class UnitShape(BaseModel):
    """One unit's boundary: polygons, each a list of rings (the outer ring first), each ring of [lon, lat]."""

    model_config = ConfigDict(frozen=True)

    code: str
    polygons: list[list[list[Position]]]


class UnitGeometry(BaseModel):
    """The boundaries a unit list names, reduced to its units: the file as written, the key property, the
    shapes in the file's order and how many features of the file matched no unit."""

    model_config = ConfigDict(frozen=True)

    file: str
    key: str
    shapes: list[UnitShape]
    unmatched: int = 0
    source: str | None = None  # where the boundaries come from and under which licence, as the list says

    def shape(self, code: str) -> UnitShape | None:
        for shape in self.shapes:
            if shape.code == code:
                return shape
        return None


class _Refusal(Exception):
    def __init__(self, where: str, zh: str, en: str):
        super().__init__(en)
        self.where, self.zh, self.en = where, zh, en


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def geometry_error(file: str, where: str, zh: str, en: str) -> SystemDefinitionError:
    return SystemDefinitionError(
        Problem(
            "system.geometry",
            location=Location(file=file, cell=where),
            params={"file": _shown(file), "where": where or "(file)", "zh": zh, "en": en},
        )
    )


def parse_geometry(
    text: str,
    *,
    file: str,
    key: str | None,
    units: list[Unit],
    max_features: int,
    max_vertices: int,
    source: str | None = None,
) -> UnitGeometry:
    """The boundaries of ``units`` in the GeoJSON ``text`` (named ``file`` in messages), or raise
    :class:`~scoring.problems.SystemDefinitionError` with problem ``system.geometry``."""
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise geometry_error(
            file,
            f"line {exc.lineno}, column {exc.colno}",
            f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}），请导出为 GeoJSON 文本",
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); export it as GeoJSON text",
        ) from None
    except RecursionError:
        raise geometry_error(
            file, "", "JSON 嵌套过深，不是 GeoJSON", "JSON nested too deeply: not GeoJSON"
        ) from None
    except ValueError as exc:  # NaN / Infinity, or an integer longer than Python converts
        raise geometry_error(
            file,
            "",
            f"含有无法使用的数值（{_shown(exc)}）",
            f"holds a number that cannot be used ({_shown(exc)})",
        ) from None
    try:
        geometry = _build(document, file, key, units, max_features, max_vertices)
        return geometry.model_copy(update={"source": source})
    except _Refusal as refusal:
        raise geometry_error(file, refusal.where, refusal.zh, refusal.en) from None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _build(
    document: Any, file: str, key: str | None, units: list[Unit], max_features: int, max_vertices: int
) -> UnitGeometry:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _Refusal(
            "type",
            "应为 GeoJSON FeatureCollection（顶层 type 为 FeatureCollection，features 为要素列表）",
            "must be a GeoJSON FeatureCollection (top-level type FeatureCollection with a features list)",
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise _Refusal("features", "缺少 features 要素列表", "the features list is missing")
    if len(features) > max_features:
        raise _Refusal(
            "features",
            f"要素过多：{len(features)} 个，上限 {max_features}；请只保留评价单元所在地区的要素",
            f"too many features: {len(features)}, at most {max_features}; keep only the units' region",
        )
    key = key or _guess_key(features)
    wanted = {unit.code for unit in units}
    seen: dict[str, int] = {}
    shapes: list[UnitShape] = []
    vertices = unmatched = 0
    for i, feature in enumerate(features):
        where = f"features[{i}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise _Refusal(where, "不是 GeoJSON Feature", "is not a GeoJSON Feature")
        properties = feature.get("properties")
        code = properties.get(key) if isinstance(properties, dict) else None
        if isinstance(code, bool) or not isinstance(code, str | int) or str(code).strip() == "":
            raise _Refusal(
                f"{where}.properties.{key}",
                f"缺少单元编码属性“{key}”（应与单位名单的 code 相同）；或在单位名单中用 geometry_key 指明属性名",
                f"has no unit-code property '{key}' (the code of the unit list); or name the property "
                "with geometry_key in the unit list",
            )
        code = str(code).strip()
        if code in seen:
            raise _Refusal(
                f"{where}.properties.{key}",
                f"单元编码 {_shown(code)} 重复（另见 features[{seen[code]}]），每个单元只能有一个要素，"
                "多块飞地请合并为 MultiPolygon",
                f"unit code {_shown(code)} appears twice (also features[{seen[code]}]); one feature per unit, "
                "join separate parts into one MultiPolygon",
            )
        seen[code] = i
        geometry = feature.get("geometry")
        if code not in wanted:
            unmatched += 1
            continue
        if geometry is None:  # a unit the file knows but has no boundary for: listed beside the map
            continue
        polygons, count = _polygons(geometry, f"{where}.geometry", code)
        vertices += count
        if vertices > max_vertices:
            raise _Refusal(
                where,
                f"坐标点过多（超过 {max_vertices} 个）；请先简化边界（如 mapshaper -simplify）再提供",
                f"too many positions (more than {max_vertices}); simplify the boundaries first "
                "(e.g. mapshaper -simplify)",
            )
        shapes.append(UnitShape(code=code, polygons=[_simplified(p) for p in polygons]))
    if unmatched and not shapes and not set(seen) & wanted:
        codes = [_shown(code) for code in list(seen)[:3]]
        some_zh, some_en = "、".join(codes), ", ".join(codes)
        raise _Refusal(
            f"features[0].properties.{key}",
            f"没有一个要素的“{key}”与单位名单的编码相符（文件中如 {some_zh}）；请核对编码，或用 geometry_key 指明属性名",
            f"no feature's '{key}' matches a code of the unit list (the file has e.g. {some_en}); check the codes "
            "or name the property with geometry_key",
        )
    return UnitGeometry(file=file, key=key, shapes=shapes, unmatched=unmatched)


def _guess_key(features: list[Any]) -> str:
    """The first of :data:`DEFAULT_KEYS` that the first feature's properties have (``code`` otherwise)."""
    first = features[0] if features and isinstance(features[0], dict) else {}
    properties = first.get("properties") if isinstance(first, dict) else None
    for candidate in DEFAULT_KEYS:
        if isinstance(properties, dict) and candidate in properties:
            return candidate
    return DEFAULT_KEYS[0]


def _polygons(geometry: Any, where: str, code: str) -> tuple[list[list[list[tuple[float, float]]]], int]:
    """The polygons of a Polygon or MultiPolygon, checked, and the number of positions."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        raw = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        raw = coordinates
    else:
        raise _Refusal(
            f"{where}.type",
            f"单元 {_shown(code)} 的几何类型应为 Polygon 或 MultiPolygon（现为 {_shown(kind)}）",
            f"the geometry of unit {_shown(code)} must be a Polygon or MultiPolygon (is {_shown(kind)})",
        )
    polygons = []
    count = 0
    for p, polygon in enumerate(raw):
        if not isinstance(polygon, list) or not polygon:
            raise _Refusal(
                f"{where}.coordinates[{p}]",
                f"单元 {_shown(code)} 的多边形应为非空的环列表",
                f"a polygon of unit {_shown(code)} must be a non-empty list of rings",
            )
        rings = []
        for r, ring in enumerate(polygon):
            at = f"{where}.coordinates[{p}][{r}]"
            rings.append(_ring(ring, at, code))
            count += len(ring)
        polygons.append(rings)
    return polygons, count


def _ring(ring: Any, where: str, code: str) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _Refusal(
            where,
            f"单元 {_shown(code)} 的边界环至少要有 4 个坐标（首尾相同）",
            f"a ring of unit {_shown(code)} needs at least 4 positions (first = last)",
        )
    out = []
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise _Refusal(
                where,
                f"单元 {_shown(code)} 的坐标应为 [经度, 纬度] 数值对",
                f"positions of unit {_shown(code)} must be [longitude, latitude] number pairs",
            )
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise _Refusal(
                where,
                f"单元 {_shown(code)} 的坐标 [{_shown(position[0])}, {_shown(position[1])}] 超出经纬度范围；"
                "请用 WGS 84 经纬度（EPSG:4326），不要用投影坐标",
                f"position [{_shown(position[0])}, {_shown(position[1])}] of unit {_shown(code)} is not a "
                "longitude/latitude; use WGS 84 degrees (EPSG:4326), not projected metres",
            )
        out.append((lon, lat))
    if out[0] != out[-1]:
        out.append(out[0])  # GeoJSON requires closed rings; closing one costs nothing and hurts nobody
    return out


def _simplified(polygon: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """Each ring simplified by Douglas–Peucker (a ring that would fall below 4 positions is kept whole) and
    rounded to :data:`DECIMALS`."""
    import numpy as np

    out = []
    for ring in polygon:
        points = np.asarray(ring, dtype=float)
        keep = _douglas_peucker(points, SIMPLIFY_DEGREES)
        kept = points[keep] if int(keep.sum()) >= 4 else points
        out.append([(round(float(x), DECIMALS), round(float(y), DECIMALS)) for x, y in kept])
    return out


def _douglas_peucker(points: Any, tolerance: float) -> Any:
    """Which positions Douglas–Peucker keeps: each step finds, in one vectorised pass over a span, the position
    farthest from the chord of its ends and splits there while that distance exceeds ``tolerance``."""
    import numpy as np

    n = len(points)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    spans = [(0, n - 1)]
    while spans:
        first, last = spans.pop()
        if last - first < 2:
            continue
        inner = points[first + 1 : last]
        a, b = points[first], points[last]
        chord = b - a
        length = math.hypot(float(chord[0]), float(chord[1]))
        offset = inner - a
        if length == 0:  # a closed ring's ends coincide: distance from that point
            distance = np.hypot(offset[:, 0], offset[:, 1])
        else:
            distance = np.abs(chord[0] * offset[:, 1] - chord[1] * offset[:, 0]) / length
        k = int(np.argmax(distance))
        if distance[k] > tolerance:
            split = first + 1 + k
            keep[split] = True
            spans.append((first, split))
            spans.append((split, last))
    return keep


class MapLayout(BaseModel):
    """How a system's units appear on a map: boundaries, marked points, and every unit on neither with the
    reason (``no_geometry``: the list names no boundary file; ``not_in_file``: the file has no boundary for it).
    A unit with a point is drawn as a point and listed with the reason ``point`` (no official boundary)."""

    model_config = ConfigDict(frozen=True)

    shapes: list[UnitShape]
    points: dict[str, Position]
    unlisted: dict[str, str]  # unit code → reason, for units drawn as points or not drawn at all
    file: str | None  # the boundary file as the unit list names it
    source: str | None  # where its boundaries come from, as the unit list says (geometry_source)

    @property
    def drawable(self) -> bool:
        return bool(self.shapes)

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the shapes and points."""
        xs = [x for s in self.shapes for poly in s.polygons for x, _ in poly[0]]
        ys = [y for s in self.shapes for poly in s.polygons for _, y in poly[0]]
        xs += [p[0] for p in self.points.values()]
        ys += [p[1] for p in self.points.values()]
        return min(xs), min(ys), max(xs), max(ys)


REASON_POINT = "point"
REASON_NOT_IN_FILE = "not_in_file"
REASON_NO_GEOMETRY = "no_geometry"
REASONS = {
    REASON_POINT: ("无官方行政区划边界（功能区等）", "no official boundary (e.g. a functional zone)"),
    REASON_NOT_IN_FILE: ("边界文件中没有此单元的边界", "the boundary file has no boundary for this unit"),
    REASON_NO_GEOMETRY: ("单位名单未指定边界文件", "the unit list names no boundary file"),
}


def map_layout(system: IndicatorSystem) -> MapLayout:
    """Where each unit of ``system`` goes on a map; no unit is left out."""
    geometry = system.geometry
    shapes = list(geometry.shapes) if geometry is not None else []
    drawn = {shape.code for shape in shapes}
    points: dict[str, Position] = {}
    unlisted: dict[str, str] = {}
    for unit in system.units:
        if unit.code in drawn:
            continue
        if unit.point is not None and geometry is not None:
            points[unit.code] = unit.point
            unlisted[unit.code] = REASON_POINT
        else:
            unlisted[unit.code] = REASON_NOT_IN_FILE if geometry is not None else REASON_NO_GEOMETRY
    return MapLayout(
        shapes=shapes,
        points=points,
        unlisted=unlisted,
        file=geometry.file if geometry is not None else None,
        source=geometry.source if geometry is not None else None,
    )


def feature_collection(layout: MapLayout, names: dict[str, str]) -> dict[str, Any]:
    """The layout's boundaries as GeoJSON (``properties.name`` is the unit name, as ECharts' registerMap
    matches series data by it; ``properties.code`` the unit code)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": shape.code, "name": names.get(shape.code, shape.code)},
                "geometry": {"type": "MultiPolygon", "coordinates": shape.polygons},
            }
            for shape in layout.shapes
        ],
    }
