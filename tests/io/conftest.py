"""Fixtures for the io tests: a small indicator system of five Jinan districts and six indicators."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from scoring.problems import Problem
from scoring.system.models import Composite, IndicatorSystem, Method, Node, Unit

UNITS = [
    ("370102", "历下区"),
    ("370103", "市中区"),
    ("370104", "槐荫区"),
    ("370105", "天桥区"),
    ("370112", "历城区"),
]


def make_system() -> IndicatorSystem:
    """Two dimensions, six indicators; DI-12 is optional, DI-09 may be negative, DI-31 has no range; DI-02 may
    be 不适用."""
    tree = [
        Node(
            code="D1",
            name="数字基础设施",
            weight=40,
            children=[
                Node(
                    code="DI-01",
                    name="每万人5G基站数",
                    unit="个/万人",
                    weight=50,
                    valid=(0, None),
                    source="工信局",
                ),
                Node(
                    code="DI-02",
                    name="千兆宽带用户占比",
                    unit="%",
                    weight=50,
                    valid=(0, 100),
                    not_applicable="allowed",
                ),
            ],
        ),
        Node(
            code="D2",
            name="数字产业化",
            weight=60,
            children=[
                Node(code="DI-08", name="数字经济核心产业营业收入", unit="亿元", weight=40, valid=(0, None)),
                Node(code="DI-09", name="软件业务收入增速", unit="%", weight=20, valid=(-100, 1000)),
                Node(
                    code="DI-12",
                    name="省级特色软件产业园区数",
                    unit="个",
                    weight=20,
                    valid=(0, 50),
                    required=False,
                ),
                Node(code="DI-31", name="网络安全事件数", unit="起", weight=20, direction=-1),
            ],
        ),
    ]
    return IndicatorSystem(
        id="test-district",
        name="测试区县数字化评价",
        version="2025.1",
        units=[Unit(code=code, name=name) for code, name in UNITS],
        composite=Composite(),
        method=Method(),
        tiers=None,
        tree=tree,
    )


@pytest.fixture
def system() -> IndicatorSystem:
    return make_system()


Rows = list[list[object]]


class Kit:
    """Helpers the tests use to write input files and look at problems (a fixture, so no test imports conftest)."""

    @staticmethod
    def xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
        """An xlsx written with openpyxl: formulas (text starting with "=") are stored without a cached value,
        and texts such as "#DIV/0!" as Excel errors, exactly as openpyxl does."""
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)  # type: ignore[arg-type]
        for name, rows in sheets.items():
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(row)
        workbook.save(path)
        return path

    @staticmethod
    def csv(path: Path, rows: Rows, encoding: str = "utf-8") -> Path:
        """A CSV in the given encoding ("utf-8-sig" for UTF-8 with BOM, "gbk" for GBK)."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [["" if v is None else v for v in row] for row in rows]
        )
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    @staticmethod
    def by_code(problems: list[Problem], code: str) -> list[Problem]:
        return [p for p in problems if p.code == code]

    @staticmethod
    def where(problem: Problem) -> tuple[str, str, str, str | None, str | None, int | None]:
        """(file, sheet, cell, unit, indicator, year): everything that says where a problem is."""
        loc = problem.location
        return (loc.file, loc.sheet, loc.cell, problem.unit, problem.indicator, problem.year)

    @staticmethod
    def has_chinese(text: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def kit() -> Kit:
    return Kit()
