"""Unit boundaries (scoring/system/geometry.py): a GeoJSON file named by a unit list, read as hostile input, matched
to the units, simplified; a unit without a boundary is listed with the reason, never dropped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scoring.problems import SystemDefinitionError
from scoring.system import load_system
from scoring.system.geometry import (
    REASON_NO_GEOMETRY,
    REASON_NOT_IN_FILE,
    REASON_POINT,
    feature_collection,
    map_layout,
)
from scoring.system.reading import SystemLimits

SYSTEM = """
id: maps
name: 地图测试
version: "1"
units: units/list.yaml
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - {code: A1, name: 指标甲, weight: 1}
"""


def square(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(code: Any, ring: list[list[float]] | None, key: str = "code") -> dict[str, Any]:
    geometry = None if ring is None else {"type": "Polygon", "coordinates": [ring]}
    return {"type": "Feature", "properties": {key: code, "name": "x"}, "geometry": geometry}


def collection(*features: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


UNITS = """
geometry: units.geojson
geometry_source: 测试数据（自制）
units:
  - {code: "U1", name: 甲区}
  - {code: "U2", name: 乙区}
  - {code: "U3", name: 丙县}
  - {code: "Z1", name: 功能区, group: 功能区, point: [117.1, 36.7]}
"""


def write(tmp_path: Path, geojson: str | bytes, units: str = UNITS) -> Path:
    (tmp_path / "units").mkdir(exist_ok=True)
    (tmp_path / "units" / "list.yaml").write_text(units, encoding="utf-8")
    target = tmp_path / "units" / "units.geojson"
    if isinstance(geojson, bytes):
        target.write_bytes(geojson)
    else:
        target.write_text(geojson, encoding="utf-8")
    system = tmp_path / "maps.yaml"
    system.write_text(SYSTEM, encoding="utf-8")
    return system


def refusal(tmp_path: Path, geojson: str | bytes, **limits: int) -> tuple[str, str, str]:
    """The one problem loading the system gives: (cell, Chinese, English)."""
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(write(tmp_path, geojson), limits=SystemLimits(**limits))
    (problem,) = caught.value.problems
    return problem.location.cell, problem.message_zh, problem.message_en


def test_boundaries_are_matched_to_units_and_the_rest_listed(tmp_path: Path) -> None:
    geojson = collection(
        feature("U1", square(117.0, 36.0)),
        feature("U2", square(118.0, 36.0)),
        feature("X9", square(119.0, 36.0)),  # a unit of another list: counted, not kept
    )
    system = load_system(write(tmp_path, geojson))
    assert system.geometry is not None
    assert [s.code for s in system.geometry.shapes] == ["U1", "U2"]
    assert system.geometry.unmatched == 1
    assert system.geometry.source == "测试数据（自制）"
    layout = map_layout(system)
    # U3 has no feature: listed; Z1 has no feature but a point: a marked point, and listed as such
    assert layout.unlisted == {"U3": REASON_NOT_IN_FILE, "Z1": REASON_POINT}
    assert layout.points == {"Z1": (117.1, 36.7)}
    assert layout.bounds() == (117.0, 36.0, 119.0, 37.0)
    served = feature_collection(layout, system.unit_names)
    assert [f["properties"] for f in served["features"]] == [
        {"code": "U1", "name": "甲区"},
        {"code": "U2", "name": "乙区"},
    ]


def test_a_system_without_boundaries_lists_every_unit(tmp_path: Path) -> None:
    units = "units:\n  - {code: U1, name: 甲区}\n  - {code: Z1, name: 功能区, point: [117.1, 36.7]}\n"
    system = load_system(write(tmp_path, "", units=units))
    assert system.geometry is None
    layout = map_layout(system)
    assert not layout.drawable
    assert layout.unlisted == {"U1": REASON_NO_GEOMETRY, "Z1": REASON_NO_GEOMETRY}


def test_the_code_property_is_guessed_and_numbers_are_codes(tmp_path: Path) -> None:
    geojson = collection(feature(370102, square(117.0, 36.0), key="adcode"))
    units = "geometry: units.geojson\nunits:\n  - {code: '370102', name: 历下区}\n"
    system = load_system(write(tmp_path, geojson, units=units))
    assert system.geometry is not None and system.geometry.key == "adcode"
    assert [s.code for s in system.geometry.shapes] == ["370102"]


def test_boundaries_are_simplified_and_rings_closed(tmp_path: Path) -> None:
    # a unit square with a point every 0.0001° along its bottom edge (all on one line) and an open ring: the
    # simplified ring keeps the 4 corners and closes back to the first → 5 positions
    bottom = [[117.0 + i * 0.0001, 36.0] for i in range(10_000)]
    ring = [*bottom, [118.0, 36.0], [118.0, 37.0], [117.0, 37.0]]
    system = load_system(write(tmp_path, collection(feature("U1", ring))))
    assert system.geometry is not None
    (polygon,) = system.geometry.shapes[0].polygons
    assert polygon == [[(117.0, 36.0), (118.0, 36.0), (118.0, 37.0), (117.0, 37.0), (117.0, 36.0)]]


def test_boundaries_count_in_the_hash_and_the_definition_keeps_them(tmp_path: Path) -> None:
    first = load_system(write(tmp_path, collection(feature("U1", square(117.0, 36.0)))))
    moved = load_system(write(tmp_path, collection(feature("U1", square(117.5, 36.0)))))
    assert first.content_hash != moved.content_hash
    # the service stores the definition as JSON and rebuilds the system from it: the boundaries come back
    rebuilt = type(first).model_validate_json(first.model_dump_json())
    assert rebuilt.geometry == first.geometry


@pytest.mark.parametrize(
    ("geojson", "cell", "zh", "en"),
    [
        ("{not json", "line 1, column 2", "不是有效的 JSON", "not valid JSON"),
        ('{"type": "Feature"}', "type", "FeatureCollection", "FeatureCollection"),
        ('{"type": "FeatureCollection"}', "features", "features", "features list"),
        (collection({"type": "Polygon"}), "features[0]", "不是 GeoJSON Feature", "not a GeoJSON Feature"),
        (
            collection(feature("", square(117, 36))),
            "features[0].properties.code",
            "geometry_key",
            "geometry_key",
        ),
        (
            collection(feature("U1", square(117, 36)), feature("U1", square(118, 36))),
            "features[1].properties.code",
            "MultiPolygon",
            "appears twice",
        ),
        (
            collection(
                {
                    "type": "Feature",
                    "properties": {"code": "U1"},
                    "geometry": {"type": "Point", "coordinates": [1, 2]},
                }
            ),
            "features[0].geometry.type",
            "Polygon 或 MultiPolygon",
            "Polygon or MultiPolygon (is Point)",
        ),
        (
            collection(feature("U1", square(500000.0, 4000000.0))),
            "features[0].geometry.coordinates[0][0]",
            "EPSG:4326",
            "not projected metres",
        ),
        (
            collection(feature("U1", [[117, 36], [118, 36], [117, 36]])),
            "features[0].geometry.coordinates[0][0]",
            "至少要有 4 个坐标",
            "at least 4 positions",
        ),
        (
            collection(feature("U1", [[117, 36], [118, "36"], [118, 37], [117, 36]])),
            "features[0].geometry.coordinates[0][0]",
            "[经度, 纬度]",
            "[longitude, latitude]",
        ),
        (
            collection(feature("370102", square(117, 36)), feature("370103", square(118, 36))),
            "features[0].properties.code",
            "没有一个要素",
            "no feature's 'code' matches a code of the unit list (the file has e.g. 370102, 370103)",
        ),
        ('{"type": "FeatureCollection", "features": [NaN]}', "(file)", "无法使用的数值", "cannot be used"),
        ("[" * 100_000 + "]" * 100_000, "(file)", "嵌套过深", "nested too deeply"),
    ],
)
def test_a_bad_boundary_file_is_refused_with_where_and_how_to_fix(
    tmp_path: Path, geojson: str, cell: str, zh: str, en: str
) -> None:
    where, message_zh, message_en = refusal(tmp_path, geojson)
    assert where == cell.replace("(file)", "")
    assert "边界文件 units.geojson" in message_zh and zh in message_zh
    assert "boundary file units.geojson" in message_en and en in message_en


def test_limits_bound_the_file_its_features_and_positions(tmp_path: Path) -> None:
    geojson = collection(feature("U1", square(117, 36)), feature("U2", square(118, 36)))
    _, zh, en = refusal(tmp_path, geojson, max_geometry_bytes=100)
    assert "100" in zh and "geometry" in en
    _, zh, en = refusal(tmp_path, geojson, max_geometry_features=1)
    assert "要素过多：2 个，上限 1" in zh and "too many features: 2, at most 1" in en
    _, zh, en = refusal(tmp_path, geojson, max_geometry_vertices=6)
    assert "超过 6 个" in zh and "mapshaper" in en


def test_the_boundary_file_must_lie_in_the_systems_folder(tmp_path: Path) -> None:
    (tmp_path / "outside.geojson").write_text(collection(), encoding="utf-8")
    inner = tmp_path / "systems"
    inner.mkdir()
    units = "geometry: ../../outside.geojson\nunits:\n  - {code: U1, name: 甲区}\n"
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(write(inner, "", units=units))
    assert caught.value.problems[0].code == "system.file_outside"


def test_a_bad_geometry_field_and_a_bad_point_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(write(tmp_path, "", units="geometry: [a]\nunits:\n  - {code: U1, name: 甲区}\n"))
    assert "geometry_key" in caught.value.problems[0].message_en
    with pytest.raises(SystemDefinitionError) as caught:
        load_system(write(tmp_path, "", units="units:\n  - {code: U1, name: 甲区, point: [200, 36]}\n"))
    assert "point" in caught.value.problems[0].message_en
