"""The import layers of scoring/ and service/, read from the source with ``ast``.

Every ``import`` counts for the layering, wherever it is (module level, inside a function, under
``TYPE_CHECKING``): a lower layer never names a higher one. Import circles are looked for among the imports that
run when a module is imported (module level and class bodies, not functions, not ``TYPE_CHECKING``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scoring", "service")

# The layers, lowest first. A module may import modules of its own layer and of the layers below, never above.
# An entry names a module or package and everything in it; "scoring" alone is only the package's __init__
# (see ``layer_of``), so a new top-level module of the engine must be given its place here.
LAYERS: tuple[tuple[str, ...], ...] = (
    # the problem records: everything reports through them; where the shipped data (systems, schemas) live
    ("scoring", "scoring.problems", "scoring.shipped"),
    ("scoring.methods",),  # the method records: nothing of the engine but the problems
    ("scoring.registry", "scoring.ahp"),  # methods registered by name; the AHP computation
    ("scoring.system", "scoring.data"),  # the indicator-system files; the dataset read from data files
    ("scoring.io", "scoring.pipeline"),  # reading/writing data files; the pipeline's stages
    # the evaluation (orchestrator and result object), its explanation and outputs
    ("scoring.evaluate", "scoring.result", "scoring.explain", "scoring.outputs"),
    ("scoring.analysis",),  # uncertainty, audit, what-if
    ("scoring.report",),  # the annual report
    ("scoring.cli",),  # the command line
    ("service",),  # the HTTP service: the engine never imports it
)
EXACT = {"scoring"}  # entries that do not take in their submodules

# Libraries of the web stack the engine must not import (the service brings them).
WEB_ONLY = {"fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn"}

# Imports up the layers that exist today and are being removed, as (importer, imported) module pairs with a
# comment saying who removes them. Each entry must still be found (test_known_violations_are_still_there), so
# that it is deleted here once the code no longer needs it. Empty since the loader checks method requirements
# from scoring.methods instead of the pipeline's registries (issue 11 item 1).
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    """One imported module, as named by one import statement."""

    importer: str
    imported: str
    path: str  # the importing file, relative to the root read
    line: int
    at_import: bool  # runs when the importer is imported (not in a function, not under TYPE_CHECKING)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported}"


def module_name(path: Path, root: Path) -> str:
    """``scoring/cli/common.py`` → ``scoring.cli.common``; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path, packages: Iterable[str]) -> Iterator[Path]:
    for package in packages:
        yield from sorted((root / package).rglob("*.py"))


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, root: Path, modules: set[str]) -> list[Import]:
    """Every import in one file, resolved to the modules it names (``from a import b`` names ``a.b`` when that
    is a module, else ``a``; relative imports are made absolute)."""
    importer = module_name(path, root)
    is_package = path.name == "__init__.py"
    relative = path.relative_to(root).as_posix()
    found: list[Import] = []

    def absolute(node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])

    def visit(node: ast.AST, at_import: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(importer, alias.name, relative, node.lineno, at_import))
        elif isinstance(node, ast.ImportFrom):
            source = absolute(node)
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                target = candidate if candidate in modules else source
                found.append(Import(importer, target, relative, node.lineno, at_import))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for child in ast.iter_child_nodes(node):
                visit(child, False)
        elif isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, at_import)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, at_import)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), True)
    # one record per (statement, module): ``from a import b, c`` with b and c not modules names ``a`` once
    return list(dict.fromkeys(found))


def read_imports(root: Path, packages: Iterable[str] = PACKAGES) -> tuple[set[str], list[Import]]:
    """The modules of ``packages`` under ``root`` and every import they contain."""
    files = list(source_files(root, packages))
    modules = {module_name(path, root) for path in files}
    return modules, [i for path in files for i in imports_of(path, root, modules)]


def layer_of(module: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> int | None:
    """The index of the module's layer (by its longest matching entry), or None when no entry holds it."""
    best: tuple[int, int] | None = None  # (entry length, layer)
    for index, entries in enumerate(layers):
        for entry in entries:
            holds = module == entry or (entry not in EXACT and module.startswith(entry + "."))
            if holds and (best is None or len(entry) > best[0]):
                best = (len(entry), index)
    return None if best is None else best[1]


def ours(module: str, packages: Iterable[str] = PACKAGES) -> bool:
    return module.split(".")[0] in set(packages)


def upward_imports(imports: Iterable[Import], layers: tuple[tuple[str, ...], ...] = LAYERS) -> list[Import]:
    """Imports from a lower layer to a higher one."""
    upward = []
    for record in imports:
        if not ours(record.imported):
            continue
        low, high = layer_of(record.importer, layers), layer_of(record.imported, layers)
        if low is not None and high is not None and low < high:
            upward.append(record)
    return upward


def cycles(modules: set[str], imports: Iterable[Import]) -> list[list[str]]:
    """Import circles among ``modules`` (strongly connected components of the imports that run at import
    time with more than one module, or a module importing itself), by Tarjan's algorithm."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for record in imports:
        if record.at_import and record.importer in graph and record.imported in graph:
            graph[record.importer].add(record.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found)


def describe_cycles(found: list[list[str]], imports: Iterable[Import]) -> str:
    records = list(imports)
    lines = []
    for component in found:
        members = set(component)
        lines.append("circle: " + " ↔ ".join(component))
        lines += [
            f"  {r}" for r in records if r.at_import and r.importer in members and r.imported in members
        ]
    return "\n".join(lines)


# --- the checks on the project -----------------------------------------------------------------------------


def project() -> tuple[set[str], list[Import]]:
    return read_imports(ROOT)


def test_every_module_has_a_layer() -> None:
    modules, _ = project()
    missing = sorted(m for m in modules if layer_of(m) is None)
    assert not missing, "modules with no layer; give each its place in LAYERS:\n" + "\n".join(missing)


def test_no_import_runs_up_the_layers() -> None:
    _, imports = project()
    upward = [r for r in upward_imports(imports) if (r.importer, r.imported) not in KNOWN_VIOLATIONS]
    assert not upward, "imports from a lower layer to a higher one (see LAYERS):\n" + "\n".join(
        map(str, upward)
    )


def test_known_violations_are_still_there() -> None:
    _, imports = project()
    present = {(r.importer, r.imported) for r in upward_imports(imports)}
    gone = sorted(KNOWN_VIOLATIONS - present)
    assert not gone, "no longer imported; delete from KNOWN_VIOLATIONS:\n" + "\n".join(map(str, gone))


def test_the_engine_imports_no_web_library() -> None:
    _, imports = project()
    web = [r for r in imports if r.importer.startswith("scoring") and r.imported.split(".")[0] in WEB_ONLY]
    assert not web, "the engine imports the web stack:\n" + "\n".join(map(str, web))


def test_no_import_circle() -> None:
    modules, imports = project()
    found = cycles(modules, imports)
    assert not found, "import circles (module-level imports):\n" + describe_cycles(found, imports)


# --- the checker catches what it should ------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_finds_an_upward_import_and_a_circle(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "scoring/__init__.py": "",
            "scoring/problems.py": "",
            "scoring/system/__init__.py": "from scoring.system.load import load\n",
            "scoring/system/load.py": (
                "from scoring.problems import Problem\n"
                "def load():\n"
                "    from scoring.pipeline import weights\n"  # up, inside a function: still counts
            ),
            "scoring/pipeline/__init__.py": "",
            "scoring/pipeline/weights.py": "import scoring.system.load\nfrom . import normalise\n",
            "scoring/pipeline/normalise.py": "from .weights import x\n",  # a circle with weights
            "scoring/analysis/a.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from scoring.analysis.b import B\n"  # type-only: no circle, but a layered import
                "    from scoring.cli import main\n"
            ),
            "scoring/analysis/b.py": "from scoring.analysis import a\n",
            "scoring/cli/main.py": "import service.app\n",
            "service/app.py": "from scoring.system import load\n",
        },
    )
    modules, imports = read_imports(tmp_path)
    assert "scoring.pipeline.weights" in modules
    upward = {(r.importer, r.imported, r.line) for r in upward_imports(imports)}
    assert upward == {
        ("scoring.system.load", "scoring.pipeline.weights", 3),
        ("scoring.analysis.a", "scoring.cli.main", 4),  # under TYPE_CHECKING: still counts
        ("scoring.cli.main", "service.app", 1),  # the engine names the service
    }
    found = cycles(modules, imports)
    assert found == [["scoring.pipeline.normalise", "scoring.pipeline.weights"]]
    message = describe_cycles(found, imports)
    assert (
        "scoring/pipeline/normalise.py:1: scoring.pipeline.normalise imports scoring.pipeline.weights"
        in message
    )
    assert (
        "scoring/pipeline/weights.py:2: scoring.pipeline.weights imports scoring.pipeline.normalise"
        in message
    )


def test_layer_of_takes_the_longest_entry_and_the_root_alone() -> None:
    assert layer_of("scoring") == 0
    assert layer_of("scoring.problems") == 0
    assert layer_of("scoring.cli.common") == LAYERS.index(("scoring.cli",))
    assert layer_of("service.web.routes") == len(LAYERS) - 1
    assert layer_of("scoring.something_new") is None  # not taken in by "scoring"
    layers = (("a",), ("a.b",))
    assert layer_of("a.b.c", layers) == 1 and layer_of("a.c", layers) == 0
