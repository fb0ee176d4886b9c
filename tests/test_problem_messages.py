"""Every problem message of the catalogue (scoring.problems.MESSAGES and its fuller VARIANTS), built in both
languages with sample arguments: it says what is wrong and how to fix it, in one language only, never with a
Python exception's text. And the faults issue 17 names, as a reader meets them in the CLI."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.problems import MESSAGES, VARIANTS, Location, Problem, _render

ROOT = Path(__file__).resolve().parents[1]
FORMS = sorted((ROOT / "sample_inputs" / "jinan" / "forms").glob("*.xlsx"))

# sample arguments by placeholder; data names are Chinese as a system file gives them (they may appear in the
# English text), everything else is a number, a code or a file name
SAMPLES: dict[str, object] = {
    "value": "12个",
    "number": 12,
    "example": "12",
    "coverage": 0.4,
    "threshold": 0.6,
    "cr": 0.1234,
    "indicator_name": "每万人5G基站数",
    "unit_name": "历下区",
    "measure": "个/万人",
    "unit": "370102",
    "expected": "370103",
    "indicator": "DI-01",
    "node": "D1",
    "year": 2030,
    "years": "2022–2024",
    "file": "370102.xlsx",
    "name": "units/jinan.yaml",
    "sheet": "数据填报",
    "cell": "H9",
    "detail_zh": "第 3 行缺少冒号",
    "detail_en": "line 3 lacks a colon",
    "detail": "第 3 行缺少冒号",
    "zh": "第 3 个要素没有几何图形",
    "en": "feature 3 has no geometry",
    "analysis_zh": "耦合协调度分析",
    "analysis_en": "coupling coordination",
    "label_zh": "极差标准化",
    "label_en": "min-max",
    "stage_zh": "标准化",
    "needs_zh": "目标值",
    "needs_en": "a target",
    "relation_zh": "大于",
    "relation_en": "greater than",
    "mixup_zh": "万元与亿元",
    "mixup_en": "ten-thousand against hundred-million yuan",
    "basis_zh": "本表填报的",
    "basis_en": "as filled in the same form",
    "systems": "jinan-digital-government",
    "system": "jinan-district-digital",
    "form_system": "jinan-smart-city",
    "system_name": "济南市区县数字化发展水平评价指标体系",
    "deadline": "2025-03-31 17:00",
    "confirmed": "370102",
    "missing": "370103",
    "cells": "370102 DI-01 2024",
    "cells_en": "Lixia DI-01 5G base stations per 10 000 residents (2024)",
    "formula": "DI-01 / DI-02",
    "formula_en": "5G base stations ÷ Resident population at year end",
    "components": "DI-02",
    "parts": "C-POP 年末常住人口",
    "parts_en": "C-POP Resident population at year end",
    "choices": "minmax, zscore",
    "supported": "arithmetic",
    "methods": "geometric",
    "nodes": "D1",
    "kind": "normalise",
    "code": "D1-01",
    "column": "年份",
    "measure_column": "D",
    "known": "370102",
    "fmt": "pdf",
    "searched": "/usr/share/fonts",
    "start": "123456",
    "path": "tree[0].children[2].weight",
    "field": "units",
    "other": "数据填报!H10",
    "other_name": "政务服务事项全程网办率",
    "part": "xl/workbook.xml",
    "formula_no_value": "=A1",
    "allowed": "minmax, goalpost",
    "method": "zscore",
    "stage": "normalise",
    "where": "features[3]",
    "provider": "bigdata",
    "department": "bigdata",
    "department_name": "市大数据局",
    "department_name_en": "Big Data Bureau",
    "supplied": "DI-01",
    "version": "2025.1",
    "form_version": "2024.1",
    "low": 0,
    "high": 100,
    "stored": 0.5,
    "last": 582.17,
    "last_year": 2023,
    "change": 250,
    "median": 80.5,
    "factor": 100,
    "first": 2020,
    "current": 2026,
    "latest": 2027,
    "suffix": ".png",
    "why": "已被接受",
    "why_en": "was accepted",
    "indicators": "DG-C-02 镇街政务服务自助终端覆盖率",
    "reason": "2024 年起由市统计局统一核算",
    "unavailable": "数据缺失",
    "units_zh": "历下区、市中区",
    "units_en": "历下区, 市中区",
    "what_zh": "计量单位",
    "what_en": "unit",
    "diff": "% ≠ 个",
}
# counts and limits
SAMPLES |= {
    name: 1000
    for name in (
        "limit",
        "count",
        "size",
        "length",
        "aliases",
        "max_aliases",
        "max_nodes",
        "rows",
        "columns",
        "cells",
        "max_rows",
        "max_columns",
        "max_cells",
        "seconds",
    )
}
# Latin words that belong in Chinese text: formats, file types, standards, the product's own names
LATIN_IN_CHINESE = {
    "Excel",
    "xlsx",
    "csv",
    "CSV",
    "UTF",
    "BOM",
    "GBK",
    "YAML",
    "XML",
    "DTD",
    "include",
    "units",
    "docs",
    "indicator",
    "systems",
    "md",
    "PFLOPS",
    "jinan",
    "yaml",
    "Noto",
    "Sans",
    "CJK",
    "scripts",
    "install",
    "system",
    "deps",
    "sh",
    "apt",
    "get",
    "fonts",
    "noto",
    "cjk",
    "DI",
    "nan",
    "inf",
    "min_coverage",
    "CR",
    "method",
    "base_years",
    "interval",
    "analysis",
    "domain",
    "coordination",
    "subsystems",
    "id",
    "AHP",
    "tree",
    "departments",
    "district",
    "PDF",
    "PNG",
    "JPEG",
    "docx",
    "Office",
}
PYTHON_TEXT = re.compile(r"Errno|Traceback|NoneType|Exception|Error:|\{'|'\}|\bdict\(|<class ")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
CJK = re.compile(r"[\u3400-\u9fff]")
FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff01-\uff5e]")
# info about a conversion that was made (nothing to fix), or a text that only relays what its argument says
NOTHING_TO_FIX = {
    "cell.thousands_separator",
    "cell.percent_sign",
    "cell.full_width",
    "cell.percent_format",
    "analysis.domain",
    "system.more_problems",
}
FIX_EN = re.compile(
    r"\b(check|enter|fill|use|write|remove|delete|save|add|give|change|upload|ask|choose|name|list|shorten|"
    r"flatten|revise|accept|correct|open|install|keep|split|lay|rename|download|copy|fix|explain|include|register|close|publish|comment|leave|tell|send)\b",
    re.IGNORECASE,
)


def _fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _templates() -> list[tuple[str, str, str]]:
    out = [(code, zh, en) for code, (zh, en) in MESSAGES.items()]
    out += [
        (f"{code}~{i}", zh, en)
        for code, variants in VARIANTS.items()
        for i, (_, zh, en) in enumerate(variants)
    ]
    return out


def _without_arguments(text: str, arguments: dict[str, object]) -> str:
    for value in sorted((str(v) for v in arguments.values()), key=len, reverse=True):
        text = text.replace(value, " ")
    return text


@pytest.mark.parametrize(("code", "zh", "en"), _templates(), ids=lambda v: v if "." in str(v) else "")
def test_every_message_says_what_and_how_to_fix_in_one_language(code: str, zh: str, en: str) -> None:
    arguments = {name: SAMPLES.get(name, name.upper()) for name in _fields(zh) | _fields(en)}
    unknown = [name for name in arguments if name not in SAMPLES]
    assert not unknown, f"{code}: give the test a sample for {unknown}"
    text_zh, text_en = zh.format(**arguments), en.format(**arguments)
    for text in (text_zh, text_en):
        assert not PYTHON_TEXT.search(text), f"{code}: Python text in {text!r}"
        assert "{" not in text and "}" not in text
    plain_zh = _without_arguments(text_zh, arguments)
    latin = set(LATIN_WORD.findall(plain_zh)) - LATIN_IN_CHINESE
    assert not latin, f"{code}: English in the Chinese message: {sorted(latin)} in {text_zh!r}"
    plain_en = _without_arguments(text_en, arguments)
    assert not CJK.search(plain_en), f"{code}: Chinese in the English message: {text_en!r}"
    assert not FULL_WIDTH.search(plain_en), f"{code}: full-width punctuation in {text_en!r}"
    if code.split("~")[0] not in NOTHING_TO_FIX:
        assert "请" in text_zh or "可" in text_zh, f"{code}: no 'how to fix' in {text_zh!r}"
        assert FIX_EN.search(text_en), f"{code}: no 'how to fix' in {text_en!r}"


def test_a_variant_is_chosen_only_when_its_context_is_given() -> None:
    bare = Problem("cell.not_number", params={"value": "12个"})
    assert bare.message_zh == "单元格内容“12个”不是数值；请只填写数字，例如 12"
    named = Problem(
        "cell.not_number",
        location=Location("f.xlsx", "数据填报", "H9"),
        indicator="DI-01",
        params={
            "value": "12个",
            "indicator_name": "每万人5G基站数",
            "measure": "个/万人",
            "measure_column": "D",
        },
    )
    assert named.message_zh == (
        "“每万人5G基站数”一栏填的“12个”不是数值；请只填写数字，计量单位已在 D 列给出（个/万人），例如 12"
    )
    assert "column D" in named.message_en and "e.g. 12" in named.message_en


def test_a_bilingual_detail_shows_one_language() -> None:
    problem = Problem("upload.not_xlsx", params={"detail": "没有 zip 文件头 / no zip signature"})
    assert "no zip signature" not in problem.message_zh
    assert "文件头" not in problem.message_en
    both = Problem("file.unreadable", params={"detail_zh": "文件已损坏", "detail_en": "it is damaged"})
    assert "it is damaged" not in both.message_zh and "it is damaged" in both.message_en


def test_a_missing_parameter_never_shows_the_parameters() -> None:
    assert _render("cell.out_of_range", 0, {"value": 5}).startswith("数值 5 超出允许范围 […, …]；请核对")
    assert _render("no.such.code", 1, {"value": 5}) == "no.such.code"


runner = CliRunner(env={"COLUMNS": "250"})


def test_cli_names_the_missing_file_and_the_years_present(tmp_path: Path) -> None:
    missing = tmp_path / "没有这个文件.xlsx"
    result = runner.invoke(app, ["validate", str(missing)])
    assert "Errno" not in result.output
    assert f"找不到文件“{missing}”" in result.output
    result = runner.invoke(
        app, ["score", "--year", "2030", *map(str, FORMS), "--out", str(tmp_path / "s.csv")]
    )
    assert "数据包含 2022、2023、2024 年" in result.output
    assert "they hold 2022, 2023, 2024" in result.output


def test_cli_names_the_indicator_and_its_unit_column(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(FORMS[0])
    sheet = workbook["数据填报"]
    sheet["H10"], sheet["H9"] = "12个", None  # DI-03 算力规模 (PFLOPS) typed with a unit; DI-02 left empty
    spoiled = tmp_path / FORMS[0].name
    workbook.save(spoiled)
    result = runner.invoke(app, ["validate", str(spoiled)])
    assert result.exit_code == 1, result.output
    assert (
        "“算力规模”一栏填的“12个”不是数值；请只填写数字，计量单位已在 D 列给出（PFLOPS），例如 12"
        in result.output
    )
    assert "必填指标“千兆宽带用户占比”2023 年的数值未填写" in result.output


def test_a_message_that_names_the_indicator_by_code_names_it_by_name_too() -> None:
    names = {"indicator_name": "算力规模", "indicator_name_en": "Computing capacity"}
    duplicate = Problem(
        "data.duplicate", indicator="DI-03", year=2024, params={"other": "a.xlsx!数据填报!I10"}
    )
    assert duplicate.message_zh.startswith("指标 DI-03 在 2024 年重复填报")  # no name known: the code alone
    named = Problem(
        "data.duplicate", indicator="DI-03", year=2024, params={"other": "a.xlsx!数据填报!I10"}, names=names
    )
    assert named.message_zh.startswith("指标 DI-03“算力规模”在 2024 年重复填报（另见 a.xlsx!数据填报!I10）")
    assert named.message_en.startswith("indicator DI-03 (Computing capacity) is given twice for 2024")
    missing = Problem("form.missing_indicator", indicator="DI-03", params={"indicator": "DI-03"}, names=names)
    assert missing.message_zh == "填报表中缺少指标 DI-03“算力规模”所在的行，请勿删除行或修改指标编码"
