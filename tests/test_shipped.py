"""Shipped data as package data (issue 16 item 1): found through importlib.resources, and every data file of the
checkout matched by a package-data glob, so the wheel carries it (scripts/smoke-wheel checks the built wheel)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from scoring import shipped

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_shipped_folders_are_the_checkout_folders_in_an_editable_install() -> None:
    assert shipped.shipped_systems_dir() == REPO / "indicators"
    assert shipped.schemas_dir() == REPO / "schemas"
    assert shipped.sample_inputs_dir() == REPO / "sample_inputs"
    assert (shipped.shipped_systems_dir() / "jinan_district_digital.yaml").is_file()
    assert (shipped.shipped_systems_dir() / "units" / "jinan.yaml").is_file()
    assert len(sorted((shipped.sample_inputs_dir() / "jinan" / "forms").glob("*.xlsx"))) == 14


def test_systems_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(shipped.SYSTEMS_DIR_VARIABLE, raising=False)
    assert shipped.systems_dir() == shipped.shipped_systems_dir()
    monkeypatch.setenv(shipped.SYSTEMS_DIR_VARIABLE, str(tmp_path))
    assert shipped.systems_dir() == tmp_path.resolve()


def _package_folder(package: str) -> Path:
    """Where a package's files are in the checkout, by the package-dir mapping or else by its name."""
    mapped: dict[str, str] = SETUPTOOLS["package-dir"]
    return REPO / mapped.get(package, package.replace(".", "/"))


@pytest.mark.parametrize(
    ("package", "folder", "skipped"),
    [
        ("scoring.shipped.indicators", "indicators", {".py"}),
        ("scoring.shipped.schemas", "schemas", {".py"}),
        ("scoring.shipped.sample_inputs", "sample_inputs", {".py", ".md"}),
        ("service.web", "service/web/templates", set()),
        ("service.web", "service/web/static", set()),
        # the migration scripts and their template, whatever package discovery makes of versions/
        ("service", "service/migrations", {"__init__.py", "env.py"}),
    ],
)
def test_every_data_file_is_package_data(package: str, folder: str, skipped: set[str]) -> None:
    """Each data file under the folder (but the package's own modules) matches a package-data glob."""
    base = _package_folder(package)
    globs: list[str] = SETUPTOOLS["package-data"][package]
    matched = {path for pattern in globs for path in base.glob(pattern) if path.is_file()}
    files = {
        path
        for path in (REPO / folder).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in skipped
        and path.name not in skipped
    }
    assert files, folder
    assert files <= matched, sorted(str(p.relative_to(REPO)) for p in files - matched)


def test_the_mapped_data_packages_are_in_the_package_list() -> None:
    """setup.py lists the mapped data packages, which package discovery cannot see."""
    text = (REPO / "setup.py").read_text(encoding="utf-8")
    for package in SETUPTOOLS["package-dir"]:
        assert f'"{package}"' in text
