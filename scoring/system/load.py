"""Loading an indicator-system file: YAML → JSON Schema → pydantic → semantic checks.

Every problem is collected with its path in the file (``tree[0].children[2].weight``) before anything is
raised, so a user fixes the whole file in one pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from pydantic import ValidationError

from scoring.problems import Location, Problem, SystemDefinitionError
from scoring.system.models import Combine, IndicatorSystem, IndicatorSystemFile, Node, Unit, composite_node
from scoring.system.schema import system_json_schema

AHP_MAX_CR = 0.1


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(system_json_schema())


def format_path(parts: Any) -> str:
    """``['tree', 0, 'children', 2, 'weight']`` → ``tree[0].children[2].weight``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _innermost(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The errors that say what is really wrong.

    An optional field is ``anyOf [X, null]`` in the schema, so a bad value deep inside ``children`` is reported
    as "not valid under any of the given schemas" at ``children``; the deepest sub-errors (not the "is not of
    type 'null'" alternative) name the actual field, e.g. ``tree[0].children[1].weight``.
    """
    if not error.context:
        return [error]
    candidates = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
    if not candidates:
        return [error]
    deepest = max(len(e.absolute_path) for e in candidates)
    return [leaf for e in candidates if len(e.absolute_path) == deepest for leaf in _innermost(e)]


def _problem(path: str, detail: str, file: str, code: str = "system.invalid", **params: Any) -> Problem:
    return Problem(
        code, location=Location(file=file, cell=path), params={"detail": f"{path}: {detail}", **params}
    )


def load_system(path: str | Path, _including: frozenset[Path] = frozenset()) -> IndicatorSystem:
    """Read and check an indicator-system YAML file; unit lists and included systems are read relative to it."""
    path = Path(path)
    if path.resolve() in _including:
        raise SystemDefinitionError(
            Problem(
                "system.invalid",
                location=Location(file=path.name),
                params={"detail": f"{path}: includes itself"},
            )
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemDefinitionError(
            Problem("system.yaml", location=Location(file=str(path)), params={"detail": exc})
        ) from None
    return parse_system(text, base_dir=path.parent, file=path.name, _including=_including | {path.resolve()})


def parse_system(
    text: str, base_dir: Path | None = None, file: str = "", _including: frozenset[Path] = frozenset()
) -> IndicatorSystem:
    """Check the text of an indicator-system file and build the system, or raise with every problem found."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SystemDefinitionError(
            Problem("system.yaml", location=Location(file=file), params={"detail": exc})
        ) from None
    problems = [
        _problem(format_path(error.absolute_path) or "(root)", error.message, file, "system.schema")
        for top in _validator().iter_errors(document)
        for error in _innermost(top)
    ]
    problems.sort(key=lambda p: p.location.cell)
    if problems:
        raise SystemDefinitionError(problems)
    try:
        spec = IndicatorSystemFile.model_validate(document)
    except ValidationError as exc:
        raise SystemDefinitionError(
            [_problem(format_path(e["loc"]), e["msg"], file) for e in exc.errors()]
        ) from None
    base_dir = base_dir or Path.cwd()
    units = _resolve_units(spec.units, base_dir, file)
    spec = spec.model_copy(update={"tree": _expand_includes(spec.tree, base_dir, _including)})
    problems = list(_semantic_problems(spec, file))
    if problems:
        raise SystemDefinitionError(problems)
    canonical = json.dumps(
        {"system": spec.model_dump(mode="json"), "units": [u.model_dump(mode="json") for u in units]},
        sort_keys=True,
        ensure_ascii=False,
    )
    return IndicatorSystem(
        **{k: v for k, v in spec.model_dump().items() if k not in {"units", "synthetic"}} | {"units": units},
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def _expand_includes(tree: list[Node], base_dir: Path, including: frozenset[Path]) -> list[Node]:
    """Replace every ``include:`` node's children by the included system's top-level dimensions.

    The included system's own method defaults (normalisation, weighting, aggregation, and its composite's
    weighting / AHP matrix) are written onto its nodes, so it is scored as it would be alone; scale,
    missing-data policy and comparability are the including system's.
    """
    expanded = []
    for node in tree:
        if node.include is not None:
            included = load_system(base_dir / node.include, including)
            method, root = included.method, included.composite
            node = node.model_copy(
                update={
                    "include": None,
                    "children": [_with_defaults(child, included) for child in included.tree],
                    "aggregate": node.aggregate or root.aggregate or method.aggregate,
                    "weighting": node.weighting or root.weighting or method.weighting,
                    "ahp": node.ahp or root.ahp,
                    "combine": node.combine or root.combine,
                }
            )
        elif node.children:
            node = node.model_copy(update={"children": _expand_includes(node.children, base_dir, including)})
        expanded.append(node)
    return expanded


def _with_defaults(node: Node, system: IndicatorSystem) -> Node:
    if node.is_indicator:
        return node.model_copy(update={"normalise": system.normalise_method(node)})
    return node.model_copy(
        update={
            "aggregate": system.aggregate_method(node),
            "weighting": system.weighting_method(node),
            "children": [_with_defaults(child, system) for child in node.children or []],
        }
    )


def _resolve_units(units: str | list[Unit], base_dir: Path, file: str) -> list[Unit]:
    if not isinstance(units, str):
        return units
    unit_path = base_dir / units
    try:
        document = yaml.safe_load(unit_path.read_text(encoding="utf-8"))
        entries = document["units"] if isinstance(document, dict) else document
        return [Unit.model_validate(entry) for entry in entries]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as exc:
        raise SystemDefinitionError(
            Problem(
                "system.units_file",
                location=Location(file=file, cell="units"),
                params={"detail": f"{units}: {exc}"},
            )
        ) from None


def _walk(nodes: list[Node], path: str) -> Iterator[tuple[Node, str]]:
    for i, node in enumerate(nodes):
        here = f"{path}[{i}]"
        yield node, here
        yield from _walk(node.children or [], f"{here}.children")


def _check_method_name(registry: Any, name: str | None, path: str, file: str) -> Iterator[Problem]:
    if name is not None and name not in registry:
        yield _problem(
            path, f"unknown {registry.kind} method '{name}' (choose from {', '.join(registry)})", file
        )


def _semantic_problems(spec: IndicatorSystemFile, file: str) -> Iterator[Problem]:
    """What the schema cannot say: unique codes, known method names, weights present, AHP consistency."""
    # The pipeline's stage modules import the system models; importing their registries here, at call time,
    # keeps that dependency one-way at import time.
    from scoring.pipeline.aggregate import AGGREGATION
    from scoring.pipeline.missing import MISSING
    from scoring.pipeline.normalise import NORMALISATION
    from scoring.pipeline.treat import TREATMENT
    from scoring.pipeline.weights import WEIGHTING

    method = spec.method
    yield from _check_method_name(NORMALISATION, method.normalise, "method.normalise", file)
    yield from _check_method_name(AGGREGATION, method.aggregate, "method.aggregate", file)
    yield from _check_method_name(WEIGHTING, method.weighting, "method.weighting", file)
    yield from _check_method_name(MISSING, method.missing, "method.missing", file)
    yield from _check_method_name(TREATMENT, method.treat, "method.treat", file)
    seen: dict[str, str] = {spec.composite.code: "composite.code"}
    root = composite_node(spec.composite, spec.tree)
    parents: list[tuple[Node, str]] = [(root, "(root)")]
    yield from _check_method_name(AGGREGATION, root.aggregate, "composite.aggregate", file)
    yield from _check_method_name(WEIGHTING, root.weighting, "composite.weighting", file)
    for node, path in _walk(spec.tree, "tree"):
        if node.code in seen:
            yield _problem(f"{path}.code", f"code {node.code} is also used at {seen[node.code]}", file)
        seen.setdefault(node.code, f"{path}.code")
        yield from _check_method_name(AGGREGATION, node.aggregate, f"{path}.aggregate", file)
        yield from _check_method_name(WEIGHTING, node.weighting, f"{path}.weighting", file)
        yield from _check_method_name(NORMALISATION, node.normalise, f"{path}.normalise", file)
        if node.children:
            parents.append((node, path))
        elif node.ahp is not None:
            yield _problem(f"{path}.ahp", "an indicator has no children to compare", file)
    for node, path in parents:
        yield from _weight_problems(
            node, node.weighting or method.weighting, node.combine or method.combine, path, file
        )


def _weight_problems(node: Node, weighting: str, combine: Combine, path: str, file: str) -> Iterator[Problem]:
    from scoring.pipeline.weights import ahp_weights

    children = node.children or []
    prefix = "tree" if path == "(root)" else f"{path}.children"
    scored = [(i, child) for i, child in enumerate(children) if child.role == "score"]
    needs_weights = weighting == "fixed" or (weighting == "combined" and combine.subjective == "fixed")
    if needs_weights:
        for i, child in scored:
            if child.weight is None:
                yield _problem(
                    f"{prefix}[{i}].weight", f"weighting is '{weighting}': every child needs a weight", file
                )
    needs_ahp = weighting == "ahp" or (
        weighting == "combined" and node.combine and node.combine.subjective == "ahp"
    )
    where = "composite" if path == "(root)" else path
    if needs_ahp and node.ahp is None:
        yield _problem(f"{where}.ahp", f"weighting is '{weighting}': a pairwise matrix is needed", file)
    if node.ahp is not None and len(node.ahp) != len(node.scored_children):
        n = len(node.scored_children)
        yield _problem(
            f"{where}.ahp", f"the pairwise matrix must be {n}×{n}, one row and column per child", file
        )
    elif node.ahp is not None:
        result = ahp_weights(node.ahp)
        if result.cr >= AHP_MAX_CR:
            yield _problem(
                f"{where}.ahp", f"CR = {result.cr:.4f} ≥ 0.1", file, "system.ahp_inconsistent", cr=result.cr
            )
