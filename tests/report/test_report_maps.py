"""The maps of the report (scoring/report/maps.py, scoring/report/chapters/maps.py): a choropleth of the composite
and of each dimension in Word, HTML and Excel when the unit list names boundaries; every unit not drawn as a
boundary listed with the reason.

The boundaries here are made up for the test (one square per district on a grid, 商河县 left out); the
system is the shipped Jinan district system with its unit list pointing at them."""

from __future__ import annotations

import io
import json
import re
import shutil

import openpyxl
import pytest

from scoring.evaluate import Evaluation, evaluate
from scoring.io import read_data
from scoring.report import build_reports
from scoring.report.charts import png_size
from scoring.system import load_system
from tests.report.conftest import FORMS, ROOT
from tests.report.support import open_docx, tables_by_key

LEFT_OUT = "370126"  # 商河县: no feature in the file → listed
DISTRICTS = [
    "370102",
    "370103",
    "370104",
    "370105",
    "370112",
    "370113",
    "370114",
    "370115",
    "370116",
    "370117",
    "370124",
]


def _grid_geojson() -> str:
    features = []
    for i, code in enumerate(DISTRICTS):
        x, y = 116.8 + (i % 4) * 0.2, 36.4 + (i // 4) * 0.2
        ring = [[x, y], [x + 0.2, y], [x + 0.2, y + 0.2], [x, y + 0.2], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features})


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    folder = tmp_path_factory.mktemp("systems")
    shutil.copytree(ROOT / "indicators", folder, dirs_exist_ok=True)
    units = (folder / "units" / "jinan.yaml").read_text(encoding="utf-8")
    units = units.replace(
        "units:\n", "geometry: grid.geojson\ngeometry_source: 测试用网格（自制）\nunits:\n", 1
    )
    units = units.replace(
        '  - code: "370171"\n    name: 高新区\n',
        '  - code: "370171"\n    name: 高新区\n    point: [117.1, 36.5]\n',
    )
    (folder / "units" / "jinan.yaml").write_text(units, encoding="utf-8")
    (folder / "units" / "grid.geojson").write_text(_grid_geojson(), encoding="utf-8")
    system = load_system(folder / "jinan_district_digital.yaml")
    assert system.geometry is not None and len(system.geometry.shapes) == 11
    return evaluate(system, read_data(FORMS, system), 2024)


@pytest.fixture(scope="module")
def files(mapped: Evaluation) -> dict[str, bytes]:
    return build_reports(mapped)


def test_the_word_report_has_a_map_of_the_composite_and_of_each_dimension(
    mapped: Evaluation, files: dict[str, bytes]
) -> None:
    word = open_docx(files["docx"])
    dimensions = [child.name for child in mapped.system.root.children or []]
    captions = [p.text for p in word.paragraphs if p.text.startswith("图") and "得分分布图" in p.text]
    names = [mapped.system.composite.name, *dimensions]
    assert [re.sub(r"^图 \d+  2024 年(.*)得分分布图$", r"\1", c) for c in captions] == names
    # the figures are embedded: 5 charts, 14 radars, coordination and density, and the maps
    assert len(word.inline_shapes) == 5 + 14 + 2 + len(names)
    described = {shape._inline.docPr.get("descr") for shape in word.inline_shapes}
    assert set(captions) <= described
    # the maps are a section of the chapter 区域差异分析, after the sources of disparity
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name in {"Heading 1", "Heading 2"}]
    chapter = next(i for i, (_, text) in enumerate(headings) if text.endswith("区域差异分析"))
    sections = [text for _, text in headings[chapter + 1 : chapter + 5]]
    assert sections == ["（一）总体差异与收敛", "（二）差异来源分解", "（三）得分空间分布", "（四）分类评价"]
    body = "\n".join(p.text for p in word.paragraphs)
    assert "边界来源：测试用网格（自制）" in body


def test_units_without_a_boundary_are_listed_with_the_reason(files: dict[str, bytes]) -> None:
    header, *rows = tables_by_key(open_docx(files["docx"]))["map_unlisted"]
    assert header == ["单元", "编码", "地图表示", "原因"]
    assert rows == [
        ["商河县", LEFT_OUT, "未绘制", "边界文件中没有此单元的边界"],
        ["高新区", "370171", "以点标注", "无官方行政区划边界（功能区等）"],
        ["起步区", "370172", "未绘制", "边界文件中没有此单元的边界"],
    ]


def test_the_html_report_carries_the_same_maps(mapped: Evaluation, files: dict[str, bytes]) -> None:
    html = files["html"].decode("utf-8")
    figures = re.findall(r"<figure.*?</figure>", html, re.S)
    maps = [f for f in figures if "得分分布图" in f]
    assert len(maps) == 1 + len(mapped.system.root.children or [])
    assert all("data:image/png;base64," in f for f in maps)
    assert "未以边界绘制的单元" in html


def test_the_workbook_has_a_map_sheet_with_every_unit_and_the_pictures(
    mapped: Evaluation, files: dict[str, bytes]
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    sheet = book["地图"]
    rows = list(sheet.iter_rows(min_row=2, max_row=15, values_only=True))
    assert len(rows) == 14  # every unit, drawn or not
    shown = {row[0]: row[2] for row in rows}
    assert shown[LEFT_OUT] == "未绘制" and shown["370171"] == "点" and shown["370102"] == "边界"
    points = {row[0]: (row[4], row[5]) for row in rows}
    assert points["370171"] == (117.1, 36.5) and points["370102"] == (None, None)
    assert len(sheet._images) == 1 + len(mapped.system.root.children or [])


def test_a_map_is_a_png_of_a_page_width(files: dict[str, bytes], mapped: Evaluation) -> None:
    from scoring.analysis.report_data import analyse
    from scoring.report.charts import chart_style
    from scoring.report.maps import map_chart

    with chart_style():  # the CJK font; a missing glyph would raise
        png = map_chart(analyse(mapped), 1)
    assert png.startswith(b"\x89PNG")
    width, height = png_size(png)
    assert width == 1050 and 500 < height < 1300  # 7 in at 150 dpi; tall enough for the grid


def test_a_system_without_boundaries_has_no_map_section(jinan_files: dict[str, bytes]) -> None:
    word = open_docx(jinan_files["docx"])
    assert not any("得分分布图" in p.text for p in word.paragraphs)
    assert "地图" not in openpyxl.load_workbook(io.BytesIO(jinan_files["xlsx"])).sheetnames
