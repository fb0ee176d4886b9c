"""The command line end to end on the shipped sample data and on small files made in the test."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from scoring.cli import app

ROOT = Path(__file__).resolve().parents[1]
FORMS = sorted((ROOT / "sample_inputs" / "jinan" / "forms").glob("*.xlsx"))
runner = CliRunner(env={"COLUMNS": "250"})


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_validate_sample_forms_is_clean() -> None:
    code, output = run("validate", *map(str, FORMS))
    assert code == 0, output


def test_score_writes_the_contract_columns_for_every_unit_and_node(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    code, output = run("score", "--year", "2024", *map(str, FORMS), "--out", str(out))
    assert code == 0, output
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"unit_code": str})
    assert {"unit_code", "node_code", "level", "score", "rank"} <= set(table.columns)
    composite = table[table["node_code"] == "INDEX"]
    assert len(composite) == 14
    assert sorted(composite["rank"]) == list(range(1, 15))  # no ties in the sample
    assert composite["score"].between(0, 100).all()
    # 31 indicators + 5 dimensions + the composite, for each of the 14 units
    assert len(table) == 14 * 37


def test_score_json_matches_the_results_schema(tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    code, output = run("score", "--year", "2024", *map(str, FORMS), "--out", str(out))
    assert code == 0, output
    document = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert document["system"]["id"] == "jinan-district-digital"


def test_score_xlsx_has_a_readable_summary(tmp_path: Path) -> None:
    out = tmp_path / "scores.xlsx"
    code, output = run("score", "--year", "2024", *map(str, FORMS), "--out", str(out))
    assert code == 0, output
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames[0] == "汇总"
    header = next(workbook["汇总"].iter_rows(max_row=1, values_only=True))
    assert header[:5] == ("排名", "区县编码", "区县名称", "综合指数", "梯队")
    # printed (issue 17): A4, fitted to the width, header row on every page, page numbers; the 34 columns of
    # 原始数据 take two pages across with the unit code repeated; numbers show at most four decimals and a
    # float column of whole numbers (target_year) none
    workbook = openpyxl.load_workbook(out)
    for sheet in workbook.worksheets:
        assert sheet.page_setup.paperSize == 9 and sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1" and "&P" in sheet.oddFooter.center.text, sheet.title
    raw = workbook["原始数据"]
    assert raw.page_setup.orientation == "landscape" and int(raw.page_setup.fitToWidth) >= 2
    assert raw.print_title_cols == "$A:$A"
    attainment = workbook["目标完成度"]
    head = [c.value for c in attainment[1]]
    assert attainment.cell(2, head.index("target_year") + 1).number_format == "0"
    assert attainment.cell(2, head.index("value") + 1).number_format == "0.00##"


def test_three_input_layouts_give_the_same_scores(tmp_path: Path) -> None:
    sample = ROOT / "sample_inputs" / "jinan"
    outputs = {}
    for name, files in {
        "forms": FORMS,
        "long": [sample / "long_table.csv"],
        "wide": [sample / "wide_table.xlsx"],
    }.items():
        out = tmp_path / f"{name}.csv"
        code, output = run("score", "--year", "2024", *map(str, files), "--out", str(out))
        assert code == 0, output
        outputs[name] = pd.read_csv(out, encoding="utf-8-sig", dtype={"unit_code": str})
    pd.testing.assert_frame_equal(outputs["forms"], outputs["long"])
    pd.testing.assert_frame_equal(outputs["forms"], outputs["wide"])


def test_explain_contributions_add_up_to_the_composite() -> None:
    code, output = run("explain", "--year", "2024", "--unit", "370102", *map(str, FORMS))
    assert code == 0, output
    line = next(line for line in output.splitlines() if "sum of indicator contributions" in line)
    total, composite = (float(part.split("=")[1].split(";")[0]) for part in line.split(";"))
    assert total == pytest.approx(composite, abs=1e-6)


def test_validate_reports_each_bad_cell_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "unit_code,indicator_code,year,value\n370102,DI-01,2024,abc\n370102,DI-02,2024,150\n370102,XX-99,2024,1\n",
        encoding="utf-8",
    )
    code, output = run("validate", str(bad))
    assert code == 1
    assert "DI-01" in output and "DI-02" in output and "XX-99" in output


def test_validate_unusable_file_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a spreadsheet")
    code, _ = run("validate", str(junk))
    assert code == 2


def test_score_refuses_data_with_errors_unless_forced(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    sample = pd.read_csv(ROOT / "sample_inputs" / "jinan" / "long_table.csv", encoding="utf-8-sig", dtype=str)
    sample.loc[0, "value"] = "abc"
    sample.to_csv(bad, index=False)
    out = tmp_path / "out.csv"
    code, _ = run("score", "--year", "2024", str(bad), "--out", str(out))
    assert code == 1 and not out.exists()
    code, output = run("score", "--year", "2024", str(bad), "--out", str(out), "--force")
    assert code == 0, output


def test_template_for_one_unit(tmp_path: Path) -> None:
    out = tmp_path / "form.xlsx"
    code, output = run("template", "--unit", "370102", "--year", "2024", "--out", str(out))
    assert code == 0, output
    assert out.exists()
    code, _ = run("template", "--unit", "999999", "--out", str(out))
    assert code != 0


def test_bad_system_file_is_listed_not_a_traceback(tmp_path: Path) -> None:
    system = tmp_path / "bad.yaml"
    system.write_text("id: x\nname: x\nversion: '1'\nunits: []\ntree:\n  - {code: A, name: a, weight: -1}\n")
    code, output = run("validate", "--system", str(system), str(FORMS[0]))
    assert code == 2
    assert "tree[0].weight" in output
    assert "Traceback" not in output


def test_demo_runs_the_whole_flow(tmp_path: Path) -> None:
    code, output = run("demo", "--out", str(tmp_path))
    assert code == 0, output
    assert {p.name for p in tmp_path.iterdir()} == {
        "results_2024.csv",
        "results_2024.json",
        "results_2024.xlsx",
        "report_2024.docx",
        "report_2024.xlsx",
        "report_2024.html",
    }


# What `--help` must not load: the data stack, the web stack, the report's writers and the engine past its
# problem records (each command imports those when it runs).
HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "docx",
    "openpyxl",
    "matplotlib",
    "scoring.system",
    "scoring.pipeline",
    "scoring.evaluate",
    "scoring.io",
    "scoring.report",
    "service.app",
)


def test_help_imports_only_what_it_needs() -> None:
    """``digiscore --help`` and every command's and subcommand's ``--help`` (the service's too), in a fresh
    interpreter."""
    import subprocess
    import sys

    script = f"""
import sys
import typer.main
from scoring.cli import app

def paths(command, prefix=()):
    yield prefix
    if hasattr(command, "commands"):  # a group (typer's own click: not click.Group)
        for name, sub in command.commands.items():
            yield from paths(sub, (*prefix, name))

for path in list(paths(typer.main.get_command(app))):
    try:
        app([*path, "--help"], prog_name="digiscore")
    except SystemExit as exit:
        assert exit.code == 0, path
heavy = {HEAVY!r}
print("LOADED:", *sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True, cwd=ROOT
    )
    assert done.stdout.strip().splitlines()[-1] == "LOADED:", done.stdout[-2000:]


# The engine's own commands (scoring/cli/) and the service's (plugged in by entry point).
ENGINE_COMMANDS = {
    "template",
    "validate",
    "score",
    "explain",
    "monitor",
    "report",
    "uncertainty",
    "whatif",
    "audit",
    "demo",
}
SERVICE_COMMANDS = {"serve", "token"}


def test_every_command_is_there_and_in_the_readme() -> None:
    import typer.main

    command = typer.main.get_command(app)
    assert isinstance(command, typer.main.TyperGroup)
    assert set(command.commands) >= ENGINE_COMMANDS | SERVICE_COMMANDS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in command.commands if f"digiscore {name} " not in readme]
    assert not missing, f"commands the README does not name: {missing}"


def test_uncertainty_defaults_are_the_one_default_design(tmp_path: Path) -> None:
    """The option defaults come from DEFAULT_UNCERTAINTY, which the report and the dashboard use too."""
    import typer.main

    from scoring.analysis.design import DEFAULT_UNCERTAINTY
    from scoring.cli.common import split_list

    group = typer.main.get_command(app)
    assert isinstance(group, typer.main.TyperGroup)
    defaults = {param.name: param.default for param in group.commands["uncertainty"].params}
    for name in ("replications", "seed", "weights", "spread", "concentration"):
        assert defaults[name] == getattr(DEFAULT_UNCERTAINTY, name), name
    for name in ("normalisations", "aggregations", "missing"):
        assert split_list(str(defaults[name])) == getattr(DEFAULT_UNCERTAINTY, name), name
    # and a run without --seed records the default seed
    out = tmp_path / "u.json"
    sample = ROOT / "sample_inputs" / "jinan" / "long_table.csv"
    code, output = run("uncertainty", "-y", "2024", str(sample), "--out", str(out), "--replications", "12")
    assert code == 0, output
    assert json.loads(out.read_text(encoding="utf-8"))["seed"] == DEFAULT_UNCERTAINTY.seed
