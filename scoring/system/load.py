"""Loading an indicator-system file: YAML → JSON Schema → pydantic → semantic checks.

Every problem is collected with its path in the file (``tree[0].children[2].weight``) before anything is
raised, so a user fixes the whole file in one pass.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import ValidationError

from scoring.ahp import ahp_weights
from scoring.methods import AHP_MAX_CR as AHP_MAX_CR  # re-exported: its home is the AHP record's module
from scoring.methods import (
    REQUIREMENT_TEXT,
    STAGE_TEXT,
    Requirement,
    Stage,
    find,
    method_names,
    names,
    record,
    required,
)
from scoring.problems import Location, Problem, SystemDefinitionError
from scoring.system.formula import FormulaError, parse_formula
from scoring.system.geometry import UnitGeometry, parse_geometry
from scoring.system.models import (
    Combine,
    Department,
    IndicatorSystem,
    IndicatorSystemFile,
    Node,
    Unit,
    composite_node,
)
from scoring.system.reading import (
    DEFAULT_LIMITS,
    Reading,
    SystemLimits,
    load_yaml,
    read_text,
    resolve_confined,
)
from scoring.system.schema import system_json_schema


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


_MAX_DETAIL = 300  # characters of a message's detail: a schema message quotes the offending value
MAX_LISTED_PROBLEMS = 100  # problems listed per file; the rest are counted


def _problem(path: str, detail: str, file: str, code: str = "system.invalid", **params: Any) -> Problem:
    detail = detail if len(detail) <= _MAX_DETAIL else detail[: _MAX_DETAIL - 1] + "…"
    return Problem(
        code, location=Location(file=file, cell=path), params={"detail": f"{path}: {detail}", **params}
    )


def _refuse(problems: list[Problem], file: str) -> SystemDefinitionError:
    """The error listing ``problems``: the first ``MAX_LISTED_PROBLEMS``, then how many more there are."""
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return SystemDefinitionError(problems)
    more = Problem(
        "system.more_problems",
        location=Location(file=file),
        params={"count": len(problems) - MAX_LISTED_PROBLEMS},
    )
    return SystemDefinitionError([*problems[:MAX_LISTED_PROBLEMS], more])


def load_system(
    path: str | Path, *, root: str | Path | None = None, limits: SystemLimits = DEFAULT_LIMITS
) -> IndicatorSystem:
    """Read and check an indicator-system YAML file; unit lists and included systems are read relative to it.

    Files it names must lie in ``root`` (default: the folder of ``path``), see :mod:`scoring.system.reading`.
    """
    path = Path(path)
    try:
        real = path.resolve()
    except (OSError, RuntimeError, ValueError):
        real = path
    reading = Reading(root=Path(root) if root is not None else real.parent, limits=limits)
    if root is not None:
        resolve_confined(str(real), real.parent, reading, path.name, path.name)
    text = read_text(real, reading, path.name, path.name, str(path))
    return _parse(text, real.parent, path.name, reading, frozenset({real}))


def parse_system(
    text: str,
    base_dir: Path | None = None,
    file: str = "",
    *,
    root: Path | None = None,
    limits: SystemLimits = DEFAULT_LIMITS,
) -> IndicatorSystem:
    """Check the text of an indicator-system file and build the system, or raise with every problem found.

    Unit lists and included systems are read relative to ``base_dir`` (default: the working folder) and must
    lie in ``root`` (default: ``base_dir``).
    """
    base_dir = base_dir or Path.cwd()
    reading = Reading(root=root or base_dir, limits=limits)
    # a str holds at most 4 bytes of UTF-8 per character: only a long text needs encoding to be measured
    if len(text) > limits.max_bytes // 4 and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise SystemDefinitionError(
            Problem(
                "system.file_too_large",
                location=Location(file=file),
                params={"field": file or "(text)", "name": file or "(text)", "limit": limits.max_bytes},
            )
        )
    return _parse(text, base_dir, file, reading, frozenset())


def _parse(
    text: str, base_dir: Path, file: str, reading: Reading, including: frozenset[Path]
) -> IndicatorSystem:
    document = load_yaml(text, file, reading.limits)
    # the schema check takes about a millisecond per node: count the tree's nodes before it
    problems = _tree_size_problems(document, file, reading.limits.max_tree_nodes) + _unit_count_problems(
        document.get("units") if isinstance(document, dict) else None, file, "units", reading.limits
    )
    if problems:
        raise _refuse(problems, file)
    problems = [
        _schema_problem(error, file)
        for top in _validator().iter_errors(document)
        for error in _innermost(top)
    ]
    problems.sort(key=lambda p: p.location.cell)
    if problems:
        raise _refuse(problems, file)
    try:
        spec = IndicatorSystemFile.model_validate(document)
    except ValidationError as exc:
        raise _refuse(_model_problems(exc, file), file) from None
    units, geometry, listed = _resolve_units(spec.units, base_dir, file, reading)
    shared: list[Node] = []  # the components of included systems
    includes: dict[str, str] = {}  # include node code → the included system's id
    shared_departments: list[Department] = []  # the departments of included systems
    tree = _expand_includes(
        spec.tree,
        base_dir,
        reading,
        including,
        file,
        shared=shared,
        includes=includes,
        departments=shared_departments,
    )
    spec = spec.model_copy(update={"tree": tree, "components": _merged_components(spec.components, shared)})
    problems = _tree_depth_problems(spec.tree, file, reading.limits)
    if problems:
        raise _refuse(problems, file)
    registered, problems = _registered_departments(
        listed, spec.departments or [], shared_departments, units, file
    )
    if problems:
        raise _refuse(problems, file)
    try:
        problems = list(_semantic_problems(spec, file)) + list(_provider_problems(spec, registered, file))
    except (ArithmeticError, ValueError, RecursionError) as exc:  # numpy's LinAlgError is a ValueError
        # the models keep every number finite and bounded, so this is a check meeting values it cannot handle:
        # the file is refused (a 4xx), never a server error
        problems = [
            Problem(
                "system.check_failed",
                location=Location(file=file),
                params={"path": "(root)", "detail": type(exc).__name__},
            )
        ]
    problems += _not_applicable_unit_problems(spec, {unit.code for unit in units}, file)
    if problems:
        raise _refuse(problems, file)
    dumped = _without_translations(_without_unset_additions(spec.model_dump(mode="json")))
    for key, default in (("screen_on", "raw"), ("max_gap", 2), ("base_years", None)):  # later-added defaults
        if dumped["method"].get(key) == default:
            dumped["method"].pop(key)
    dumped.pop("departments", None)  # hashed as resolved below: the registered departments the system uses
    if dumped.get("department_indicators") == "read_only":  # the default of a later-added setting
        dumped.pop("department_indicators")
    used = set(_providers(spec))
    departments = [d for d in registered if d.code in used]
    hashed: dict[str, Any] = {"system": dumped, "units": [_unit_hashed(u) for u in units]}
    if geometry is not None:  # boundaries added later stay out of the hash of a system without them
        hashed["geometry"] = geometry.model_dump(mode="json")
    if departments:  # departments added later stay out of the hash of a system without a provider
        hashed["departments"] = [d.model_dump(mode="json") for d in departments]
    canonical = json.dumps(hashed, sort_keys=True, ensure_ascii=False)
    fields = {
        k: v
        for k, v in spec.model_dump().items()
        if k not in {"units", "synthetic", "components", "departments"}
    }
    return IndicatorSystem(
        **fields,
        units=units,
        components=list(spec.components or []),
        includes=includes,
        geometry=geometry,
        departments=departments,
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
    )


# Settings added after systems were published: left unset, they stay out of the content hash, so that every
# system keeps the hash it had before them. (section, key) pairs; section "node" is every node of the tree.
_ADDED_SETTINGS = {
    ("method", "yoy_warning"),
    ("system", "components"),
    ("system", "coordination"),
    ("node", "formula"),
    ("node", "provider"),
    ("node", "targets"),
    ("node", "interval"),
    ("node", "min_coverage"),
    ("node", "evidence"),
    ("node", "guidance"),
    ("node", "not_applicable"),
    ("node", "same_as"),
    ("target", "annual_rate"),
    ("target", "by_unit"),
}


def _without_unset_additions(dumped: dict[str, Any]) -> dict[str, Any]:
    """The dumped file without the later-added settings that are unset (None)."""
    for section, key in _ADDED_SETTINGS:
        if section == "system" and dumped.get(key) is None:
            dumped.pop(key, None)
        elif section == "method" and dumped["method"].get(key) is None:
            dumped["method"].pop(key, None)
    node_keys = [key for section, key in _ADDED_SETTINGS if section == "node"]
    target_keys = [key for section, key in _ADDED_SETTINGS if section == "target"]
    for node in _dumped_nodes(dumped):
        for part, keys in [(node, node_keys), *((target, target_keys) for target in _dumped_targets(node))]:
            for key in keys:
                if part.get(key) is None:
                    part.pop(key, None)
        if node.get("coverage_by") == "indicators":  # the default of a later-added setting
            node.pop("coverage_by", None)
    return dumped


def _dumped_nodes(dumped: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a dumped file's tree and every component."""
    pending = list(dumped.get("tree") or []) + list(dumped.get("components") or [])
    while pending:
        node = pending.pop()
        yield node
        pending.extend(node.get("children") or [])


def _dumped_targets(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A dumped node's targets (``target`` and ``targets``)."""
    return [t for t in [node.get("target"), *(node.get("targets") or [])] if isinstance(t, dict)]


# English versions of the file's descriptive texts (section "system": the file's own fields; "composite": the
# composite; "tier": every tier; "node": every node of the tree and every component; "target": every target).
# They are presentation, not scoring content: set or not, they stay out of the content hash, so translating a
# published system keeps its hash (and its rounds). The English names of nodes, units and departments (name_en,
# group_en), older, are in the hash when set.
TRANSLATIONS = {
    ("system", "name_en"),
    ("system", "description_en"),
    ("composite", "name_en"),
    ("tier", "name_en"),
    ("node", "unit_en"),
    ("node", "definition_en"),
    ("node", "guidance_en"),
    ("node", "source_en"),
    ("node", "remark_en"),
    ("target", "source_en"),
    ("target", "note_en"),
}


def _without_translations(dumped: dict[str, Any]) -> dict[str, Any]:
    """The dumped file without the English versions of its texts (:data:`TRANSLATIONS`), set or not."""
    tiers = dumped.get("tiers")
    parts = [("system", dumped), ("composite", dumped.get("composite"))]
    parts += [("tier", tier) for tier in tiers] if isinstance(tiers, list) else []  # quantile tiers: no names
    for section, part in parts:
        if isinstance(part, dict):
            for key in [key for s, key in TRANSLATIONS if s == section]:
                part.pop(key, None)
    node_keys = [key for section, key in TRANSLATIONS if section == "node"]
    target_keys = [key for section, key in TRANSLATIONS if section == "target"]
    for node in _dumped_nodes(dumped):
        for part, keys in [(node, node_keys), *((target, target_keys) for target in _dumped_targets(node))]:
            for key in keys:
                part.pop(key, None)
    return dumped


def _merged_components(own: list[Node] | None, shared: list[Node]) -> list[Node] | None:
    """The system's components, then those of included systems not already there (same code: entered once)."""
    merged = list(own or [])
    codes = {node.code for node in merged}
    for node in shared:
        if node.code not in codes:
            merged.append(node)
            codes.add(node.code)
    return merged or own


def _unit_hashed(unit: Unit) -> dict[str, Any]:
    """A unit as hashed: ``point``, added later, only when set (units without one keep their hash)."""
    dumped = unit.model_dump(mode="json")
    for key in ("point", "name_en", "group_en"):
        if dumped.get(key) is None:
            dumped.pop(key, None)
    return dumped


_UNION_FIELDS = {
    "tiers",
    "units",
}  # fields of IndicatorSystemFile whose type is a union of a list and another


def _model_problems(exc: ValidationError, file: str) -> list[Problem]:
    """The model's errors at their paths in the file.

    Pydantic puts the member of a union into the path (``tiers.list[Tier][0].min``) and reports every member
    that failed; the member whose error lies deepest is the one the file meant, the others are noise.
    """
    errors = []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) > 1 and loc[0] in _UNION_FIELDS and isinstance(loc[1], str):
            loc = [loc[0], *loc[2:]]
        bound = next(iter((error.get("ctx") or {}).values()), None)
        errors.append((loc, error["msg"], error["type"], error.get("input"), bound))
    deepest = {
        field: max(len(loc) for loc, *_ in errors if loc[:1] == [field])
        for field in _UNION_FIELDS
        if any(loc[:1] == [field] for loc, *_ in errors)
    }
    return [
        _number_problem(format_path(loc), kind, value, bound, file)
        or _problem(format_path(loc), message, file)
        for loc, message, kind, value, bound in errors
        if not loc or loc[0] not in deepest or len(loc) == deepest[loc[0]]
    ]


# a bound of the schema (jsonschema keyword) or of the models (pydantic error type) → (中文, English) relation
_RELATIONS = {
    "minimum": ("不小于", "at least"),
    "greater_than_equal": ("不小于", "at least"),
    "maximum": ("不大于", "at most"),
    "less_than_equal": ("不大于", "at most"),
    "exclusiveMinimum": ("大于", "greater than"),
    "greater_than": ("大于", "greater than"),
    "exclusiveMaximum": ("小于", "less than"),
    "less_than": ("小于", "less than"),
}


def _number_problem(path: str, kind: str, value: Any, bound: Any, file: str) -> Problem | None:
    """A number that is not finite or out of its bounds, said in both languages with how to fix it."""
    location = Location(file=file, cell=path)
    if kind == "finite_number" or (
        kind in _RELATIONS and isinstance(value, float) and not math.isfinite(value)
    ):
        return Problem("system.not_finite", location=location, params={"path": path})
    if kind in _RELATIONS and isinstance(value, int | float) and not isinstance(value, bool):
        relation_zh, relation_en = _RELATIONS[kind]
        return Problem(
            "system.out_of_range",
            location=location,
            params={
                "path": path,
                "value": f"{value:.6g}",
                "limit": f"{bound:g}",
                "relation_zh": relation_zh,
                "relation_en": relation_en,
            },
        )
    return None


def _schema_problem(error: jsonschema.ValidationError, file: str) -> Problem:
    path = format_path(error.absolute_path) or "(root)"
    return _number_problem(
        path, str(error.validator), error.instance, error.validator_value, file
    ) or _problem(path, error.message, file, "system.schema")


def _tree_too_large(file: str, limit: int) -> Problem:
    return Problem(
        "system.tree_too_large", location=Location(file=file, cell="tree"), params={"limit": limit}
    )


def _tree_size_problems(document: Any, file: str, limit: int) -> list[Problem]:
    """A problem when the document's tree (``tree`` and every ``children`` below) has more than ``limit`` nodes."""
    pending = [document.get("tree")] if isinstance(document, dict) else []
    count = 0
    while pending:
        nodes = pending.pop()
        if not isinstance(nodes, list):
            continue
        count += len(nodes)
        if count > limit:
            return [
                Problem(
                    "system.tree_too_large",
                    location=Location(file=file, cell="tree"),
                    params={"limit": limit},
                )
            ]
        pending.extend(node.get("children") for node in nodes if isinstance(node, dict))
    return []


def _tree_depth_problems(tree: list[Node], file: str, limits: SystemLimits) -> list[Problem]:
    """The first node deeper than the limit (top dimensions are level 1), or one problem when the tree (includes
    expanded) has too many nodes; walked without recursion."""
    # reversed onto the stack, so nodes come off it in file order
    stack: list[tuple[Node, str, int]] = [
        (node, f"tree[{i}]", 1) for i, node in reversed(list(enumerate(tree)))
    ]
    count = 0
    while stack:
        node, path, depth = stack.pop()
        count += 1
        if count > limits.max_tree_nodes:
            return [_tree_too_large(file, limits.max_tree_nodes)]
        if depth > limits.max_tree_depth:
            return [
                Problem(
                    "system.tree_too_deep",
                    location=Location(file=file, cell=path),
                    params={"path": path, "limit": limits.max_tree_depth},
                )
            ]
        stack.extend(
            (child, f"{path}.children[{i}]", depth + 1)
            for i, child in reversed(list(enumerate(node.children or [])))
        )
    return []


def _load_included(
    name: str, base_dir: Path, reading: Reading, including: frozenset[Path], field: str, file: str
) -> IndicatorSystem:
    """The system of ``include: name`` at ``field`` of ``file``: confined, bounded, not including itself."""
    target = resolve_confined(name, base_dir, reading, field, file)
    if target in including:
        raise SystemDefinitionError(
            Problem(
                "system.invalid",
                location=Location(file=file, cell=field),
                params={"detail": f"{field}: {name} includes itself (directly or through other includes)"},
            )
        )
    text = read_text(target, reading, field, file, name)
    return _parse(text, target.parent, name, reading, including | {target})


def _expand_includes(
    tree: list[Node],
    base_dir: Path,
    reading: Reading,
    including: frozenset[Path],
    file: str,
    path: str = "tree",
    *,
    shared: list[Node],
    includes: dict[str, str],
    departments: list[Department],
) -> list[Node]:
    """Replace every ``include:`` node's children by the included system's top-level dimensions; ``includes``
    learns which system each such node brought in (node code → system id).

    The included system's own method defaults (normalisation, weighting, aggregation, and its composite's
    weighting / AHP matrix) are written onto its nodes, so it is scored as it would be alone; scale,
    missing-data policy and comparability are the including system's.
    """
    expanded = []
    for i, node in enumerate(tree):
        here = f"{path}[{i}]"
        if node.include is not None:
            included = _load_included(node.include, base_dir, reading, including, f"{here}.include", file)
            method, root = included.method, included.composite
            shared.extend(included.components)
            departments.extend(included.departments)
            includes[node.code] = included.id
            children = [_with_defaults(child, included) for child in included.tree]
            if isinstance(node.same_as, dict):
                children = _with_same_as(children, node.same_as, included, f"{here}.same_as", file)
            node = node.model_copy(
                update={
                    "include": None,
                    "same_as": None,
                    "children": children,
                    "aggregate": node.aggregate or root.aggregate or method.aggregate,
                    "weighting": node.weighting or root.weighting or method.weighting,
                    "ahp": node.ahp or root.ahp,
                    "combine": node.combine or root.combine,
                }
            )
        elif node.children:
            node = node.model_copy(
                update={
                    "children": _expand_includes(
                        node.children,
                        base_dir,
                        reading,
                        including,
                        file,
                        f"{here}.children",
                        shared=shared,
                        includes=includes,
                        departments=departments,
                    )
                }
            )
        expanded.append(node)
    return expanded


def _with_same_as(
    children: list[Node], mapping: dict[str, str], included: IndicatorSystem, path: str, file: str
) -> list[Node]:
    """The included tree with ``same_as`` set on the indicators an include node's map names; a key that is not an
    indicator of the included system is refused."""
    unknown = [code for code in mapping if code not in {node.code for node in included.indicators}]
    if unknown:
        raise _refuse(
            [
                Problem(
                    "system.same_as_not_included",
                    location=Location(file=file, cell=f"{path}.{code}"),
                    params={"path": f"{path}.{code}", "code": code, "system": included.id},
                )
                for code in unknown
            ],
            file,
        )

    def apply(node: Node) -> Node:
        if node.is_indicator:
            return node.model_copy(update={"same_as": mapping[node.code]}) if node.code in mapping else node
        return node.model_copy(update={"children": [apply(child) for child in node.children or []]})

    return [apply(child) for child in children]


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


def _resolve_units(
    units: str | list[Unit], base_dir: Path, file: str, reading: Reading
) -> tuple[list[Unit], UnitGeometry | None, list[Department]]:
    """The unit list, inline or read from the file ``units`` names (confined and bounded), codes unique; the
    boundaries of its units when that file names a GeoJSON file (``geometry:``, :mod:`scoring.system.geometry`);
    and the departments it registers (``departments:``, suppliers of indicators named by ``provider:``)."""
    if not isinstance(units, str):
        duplicates = _duplicate_units(units, file, "units")
        if duplicates:
            raise _refuse(duplicates, file)
        return units, None, []
    target = resolve_confined(units, base_dir, reading, "units", file)
    document = load_yaml(read_text(target, reading, "units", file, units), units, reading.limits)
    entries = document.get("units") if isinstance(document, dict) else document
    too_many = _unit_count_problems(entries, units, "units", reading.limits)
    if too_many:
        raise _refuse(too_many, file)
    if not isinstance(entries, list):
        raise SystemDefinitionError(
            Problem(
                "system.units_file",
                location=Location(file=file, cell="units"),
                params={"detail": f"{units}: a list of units (or units: [...]) is expected"},
            )
        )
    found: list[Unit] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        try:
            found.append(Unit.model_validate(entry))
        except ValidationError as exc:
            # the error's own text quotes the input; the field and the reason are enough to fix it
            problems.extend(
                Problem(
                    "system.units_file",
                    location=Location(file=units, cell=format_path(["units", i, *e["loc"]])),
                    params={"detail": f"{units}: {format_path(['units', i, *e['loc']])}: {e['msg']}"},
                )
                for e in exc.errors()
            )
    problems = problems or _duplicate_units(found, units, "units")
    departments = _listed_departments(document, units, problems)
    if problems:
        raise _refuse(problems, file)
    return found, _read_geometry(document, target, units, found, reading), departments


def _listed_departments(document: Any, units_file: str, problems: list[Problem]) -> list[Department]:
    """The departments a unit list registers (``departments: [{code, name}]``); problems are appended."""
    entries = document.get("departments") if isinstance(document, dict) else None
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append(
            Problem(
                "system.units_file",
                location=Location(file=units_file, cell="departments"),
                params={"detail": f"{units_file}: departments: a list of {{code, name}} is expected"},
            )
        )
        return []
    found: list[Department] = []
    for i, entry in enumerate(entries):
        try:
            found.append(Department.model_validate(entry))
        except ValidationError as exc:
            problems.extend(
                Problem(
                    "system.units_file",
                    location=Location(file=units_file, cell=format_path(["departments", i, *e["loc"]])),
                    params={
                        "detail": f"{units_file}: {format_path(['departments', i, *e['loc']])}: {e['msg']}"
                    },
                )
                for e in exc.errors()
            )
    return found


def _registered_departments(
    listed: list[Department],
    own: list[Department],
    included: list[Department],
    units: list[Unit],
    file: str,
) -> tuple[list[Department], list[Problem]]:
    """The departments a system may name as providers: those of its unit list, its own ``departments:`` and
    those of the systems it includes (the same code twice must be the same department). A code may not also be
    a unit's: a department's uploads are kept under its code beside the units'."""
    problems: list[Problem] = []
    seen: dict[str, Department] = {}
    unit_codes = {unit.code for unit in units}
    placed = [
        *((d, "units") for d in listed),  # registered in the unit list the file names under units:
        *((d, f"departments[{i}].code") for i, d in enumerate(own)),
        *((d, "tree") for d in included),  # brought in by an include: (checked in its own file)
    ]
    for department, path in placed:
        earlier = seen.setdefault(department.code, department)
        if earlier != department:
            problems.append(
                Problem(
                    "system.duplicate_department",
                    location=Location(file=file, cell=path),
                    params={"path": path, "code": department.code},
                )
            )
        elif earlier is department and department.code in unit_codes:
            problems.append(
                Problem(
                    "system.department_is_unit",
                    location=Location(file=file, cell=path),
                    params={"path": path, "code": department.code},
                )
            )
    return list(seen.values()), problems


def _providers(spec: IndicatorSystemFile) -> Iterator[str]:
    """The department codes the collected values of the (expanded) tree and the components name."""
    for node, _ in _walk(spec.tree, "tree"):
        if node.provider is not None:
            yield node.provider
    for node in spec.components or []:
        if node.provider is not None:
            yield node.provider


def _provider_problems(
    spec: IndicatorSystemFile, registered: list[Department], file: str
) -> Iterator[Problem]:
    """Every ``provider:`` names a registered department (or is ``district``)."""
    known = {department.code: department.name for department in registered}
    listed = "、".join(f"{code}（{name}）" for code, name in known.items()) or "-"
    placed = [
        *_walk(spec.tree, "tree"),
        *((n, f"components[{i}]") for i, n in enumerate(spec.components or [])),
    ]
    for node, path in placed:
        if node.provider is not None and node.provider not in known:
            yield Problem(
                "system.unknown_provider",
                location=Location(file=file, cell=f"{path}.provider"),
                params={"path": f"{path}.provider", "provider": node.provider, "known": listed},
            )


def _read_geometry(
    document: Any, units_path: Path, units_file: str, units: list[Unit], reading: Reading
) -> UnitGeometry | None:
    """The boundaries the unit list's ``geometry:`` names (relative to the list, confined like it), or None."""
    if not isinstance(document, dict) or document.get("geometry") is None:
        return None
    name, key, source = document["geometry"], document.get("geometry_key"), document.get("geometry_source")
    if (
        not isinstance(name, str)
        or not (key is None or (isinstance(key, str) and key.strip()))
        or not (source is None or isinstance(source, str))
    ):
        raise SystemDefinitionError(
            Problem(
                "system.units_file",
                location=Location(file=units_file, cell="geometry"),
                params={
                    "detail": f"{units_file}: geometry: the name of a GeoJSON file beside the unit list "
                    "(e.g. geometry: jinan.geojson); geometry_key: the name of the code property; "
                    "geometry_source: where the boundaries come from (text)"
                },
            )
        )
    limits = reading.limits
    path = resolve_confined(name, units_path.parent, reading, "geometry", units_file)
    text = read_text(path, reading, "geometry", units_file, name, max_bytes=limits.max_geometry_bytes)
    return parse_geometry(
        text,
        file=name,
        key=key,
        units=units,
        max_features=limits.max_geometry_features,
        max_vertices=limits.max_geometry_vertices,
        source=(source or "").strip() or None,
    )


def _unit_count_problems(units: Any, file: str, path: str, limits: SystemLimits) -> list[Problem]:
    if isinstance(units, list) and len(units) > limits.max_units:
        return [
            Problem(
                "system.too_many_units",
                location=Location(file=file, cell=path),
                params={"path": path, "count": len(units), "limit": limits.max_units},
            )
        ]
    return []


def _duplicate_units(units: list[Unit], file: str, prefix: str) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for i, unit in enumerate(units):
        path = f"{prefix}[{i}].code"
        if unit.code in seen:
            problems.append(
                Problem(
                    "system.duplicate_unit",
                    location=Location(file=file, cell=path),
                    params={"path": path, "code": unit.code, "other": seen[unit.code]},
                )
            )
        seen.setdefault(unit.code, path)
    return problems


def _walk(nodes: list[Node], path: str) -> Iterator[tuple[Node, str]]:
    for i, node in enumerate(nodes):
        here = f"{path}[{i}]"
        yield node, here
        yield from _walk(node.children or [], f"{here}.children")


def _check_method_name(stage: Stage, name: str | None, path: str, file: str) -> Iterator[Problem]:
    if name is not None and find(stage, name) is None:
        yield _problem(path, f"unknown {stage} method '{name}' (choose from {', '.join(names(stage))})", file)


def _semantic_problems(spec: IndicatorSystemFile, file: str) -> Iterator[Problem]:
    """What the schema cannot say: unique codes, known method names, what each method requires (from its record
    in :mod:`scoring.methods`), AHP consistency."""
    method = spec.method
    yield from _check_method_name(Stage.NORMALISATION, method.normalise, "method.normalise", file)
    yield from _check_method_name(Stage.AGGREGATION, method.aggregate, "method.aggregate", file)
    yield from _check_method_name(Stage.WEIGHTING, method.weighting, "method.weighting", file)
    yield from _check_method_name(Stage.MISSING, method.missing, "method.missing", file)
    yield from _check_method_name(Stage.TREATMENT, method.treat, "method.treat", file)
    seen: dict[str, str] = {spec.composite.code: "composite.code"}
    root = composite_node(spec.composite, spec.tree)
    parents: list[tuple[Node, str]] = [(root, "(root)")]
    yield from _check_method_name(Stage.AGGREGATION, root.aggregate, "composite.aggregate", file)
    yield from _check_method_name(Stage.WEIGHTING, root.weighting, "composite.weighting", file)
    for node, path in _walk(spec.tree, "tree"):
        if node.code in seen:
            yield _problem(f"{path}.code", f"code {node.code} is also used at {seen[node.code]}", file)
        seen.setdefault(node.code, f"{path}.code")
        yield from _check_method_name(Stage.AGGREGATION, node.aggregate, f"{path}.aggregate", file)
        yield from _check_method_name(Stage.WEIGHTING, node.weighting, f"{path}.weighting", file)
        yield from _check_method_name(Stage.NORMALISATION, node.normalise, f"{path}.normalise", file)
        if node.children:
            parents.append((node, path))
        elif node.ahp is not None:
            yield _problem(f"{path}.ahp", "an indicator has no children to compare", file)
        elif node.is_indicator and node.role == "score":
            yield from _indicator_requirements(node, node.normalise or method.normalise, path, file)
    yield from _coordination_problems(spec, root, file)
    for node, path in parents:
        yield from _weight_problems(
            node, node.weighting or method.weighting, node.combine or method.combine, path, file
        )
    yield from _component_problems(spec, seen, file)
    yield from _same_as_problems(spec, file)


def _not_applicable_unit_problems(spec: IndicatorSystemFile, units: set[str], file: str) -> list[Problem]:
    """Every unit code an indicator's ``not_applicable`` lists is a unit of the system."""
    return [
        Problem(
            "system.not_applicable_unit",
            location=Location(file=file, cell=f"{path}.not_applicable[{k}]"),
            params={"path": f"{path}.not_applicable[{k}]", "code": node.code, "unit": code},
        )
        for node, path in _walk(spec.tree, "tree")
        if isinstance(node.not_applicable, list)
        for k, code in enumerate(node.not_applicable)
        if code not in units
    ]


def _same_as_problems(spec: IndicatorSystemFile, file: str) -> Iterator[Problem]:
    """An indicator's ``same_as`` names a collected indicator or component of the loaded system (not derived,
    not the same as another itself) with the same unit and direction (and interval)."""
    collected: dict[str, Node] = {node.code: node for node in spec.components or []}
    pointing: list[tuple[Node, str]] = []
    for node, path in _walk(spec.tree, "tree"):
        if not node.is_indicator:
            continue
        if isinstance(node.same_as, str):
            pointing.append((node, path))
        elif node.formula is None:
            collected[node.code] = node
    for node, path in pointing:
        code = str(node.same_as)
        other = collected.get(code)
        if other is None:
            yield Problem(
                "system.same_as_unknown",
                location=Location(file=file, cell=f"{path}.same_as"),
                params={"path": f"{path}.same_as", "code": node.code, "other": code},
            )
            continue
        differs = [
            (zh, en, f"{mine!s} ≠ {theirs!s}")
            for zh, en, mine, theirs in (
                ("计量单位", "unit", node.unit or "—", other.unit or "—"),
                ("方向", "direction", node.direction, other.direction),
                ("适度区间", "interval", node.interval, other.interval),
            )
            if mine != theirs
        ]
        if differs:
            yield Problem(
                "system.same_as_differs",
                location=Location(file=file, cell=f"{path}.same_as"),
                params={
                    "path": f"{path}.same_as",
                    "code": node.code,
                    "other": code,
                    "what_zh": "、".join(zh for zh, _, _ in differs),
                    "what_en": ", ".join(en for _, en, _ in differs),
                    "diff": "; ".join(d for _, _, d in differs),
                },
            )


def _component_problems(spec: IndicatorSystemFile, seen: dict[str, str], file: str) -> Iterator[Problem]:
    """Components are plain collected values (unique codes, no children, no formula); every formula parses and
    names only collected codes (components and indicators without a formula)."""
    components = spec.components or []
    for i, node in enumerate(components):
        path = f"components[{i}]"
        if node.code in seen:
            yield _problem(f"{path}.code", f"code {node.code} is also used at {seen[node.code]}", file)
        seen.setdefault(node.code, f"{path}.code")
        if node.children or node.include or node.formula or node.role != "score":
            yield _problem(
                path, "a component is a collected value: no children, include, formula or role", file
            )
    collected = {node.code for node in components}
    derived: set[str] = set()
    for node, _ in _walk(spec.tree, "tree"):
        if node.is_indicator:
            (derived if node.formula is not None else collected).add(node.code)
    for node, path in _walk(spec.tree, "tree"):
        if node.formula is None:
            continue
        try:
            formula = parse_formula(node.formula)
        except FormulaError as exc:
            yield _problem(f"{path}.formula", str(exc), file, "system.formula")
            continue
        for code in formula.codes:
            if code in derived:
                yield _problem(
                    f"{path}.formula",
                    f"{code} 本身是计算得出的指标，公式只能引用采集的数据 / {code} is derived itself: a formula "
                    "names collected values only (components or indicators without a formula)",
                    file,
                    "system.formula",
                )
            elif code not in collected:
                yield _problem(
                    f"{path}.formula",
                    f"{code} 不是本体系的构成数据或指标 / {code} is not a component or indicator of the system "
                    "(declare it under components:)",
                    file,
                    "system.formula",
                )


def _coordination_problems(spec: IndicatorSystemFile, root: Node, file: str) -> Iterator[Problem]:
    """The coupling-coordination subsystems are scored nodes of the tree (not the composite, not a bonus or
    deduction indicator), none inside another."""
    if spec.coordination is None:
        return
    nodes: dict[str, Node] = {}
    parent: dict[str, str] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        nodes[node.code] = node
        for child in node.children or []:
            parent[child.code] = node.code
            stack.append(child)
    named = set(spec.coordination.subsystems)
    for i, code in enumerate(spec.coordination.subsystems):
        path = f"coordination.subsystems[{i}]"
        found = nodes.get(code)
        if found is None or code == root.code:
            yield _problem(path, f"{code} is not a node of the tree (name a dimension's code)", file)
            continue
        if found.role != "score":
            yield _problem(path, f"{code} is a bonus or deduction indicator, not a scored subsystem", file)
        above = parent.get(code)
        while above is not None:
            if above in named:
                yield _problem(
                    path, f"{code} lies inside {above}, also named: subsystems must not nest", file
                )
            above = parent.get(above)


def _requirements(stage: Stage, name: str, combine: Combine) -> list[Requirement]:
    """What the method requires from the file (a combination: what its parts in force require), in a fixed
    order so that problems come in the same order every time."""
    needs = required(stage, name, (combine.subjective, combine.objective))
    return [requirement for requirement in Requirement if requirement in needs]


def _requirement_problem(
    path: str, stage: Stage, method: str, requirement: Requirement, file: str
) -> Problem:
    """A method's requirement missing at ``path``, named in both languages with the method's labels."""
    found = record(stage, method)
    needs_zh, needs_en = REQUIREMENT_TEXT[requirement]
    return Problem(
        "system.method_requirement",
        location=Location(file=file, cell=path),
        params={
            "path": path,
            "stage": str(stage),
            "stage_zh": STAGE_TEXT[stage],
            "method": method,
            "label_zh": found.label_zh,
            "label_en": found.label_en,
            "needs_zh": needs_zh,
            "needs_en": needs_en,
        },
    )


def _indicator_requirements(node: Node, normalise: str, path: str, file: str) -> Iterator[Problem]:
    """An indicator's goalposts or target, when its normalisation's record requires them; an interval only under
    a normalisation whose record scores intervals."""
    found = find(Stage.NORMALISATION, normalise)
    if node.interval is not None and found is not None and not found.interval:
        allowed = sorted(method_names(Stage.NORMALISATION, interval=True))
        yield Problem(
            "system.interval_unsupported",
            location=Location(file=file, cell=f"{path}.interval"),
            params={
                "path": f"{path}.interval",
                "method": normalise,
                "label_zh": found.label_zh,
                "allowed": ", ".join(allowed),
            },
        )
    for requirement in _requirements(Stage.NORMALISATION, normalise, Combine()):
        if requirement is Requirement.GOALPOSTS and node.goalposts is None:
            yield _requirement_problem(f"{path}.goalposts", Stage.NORMALISATION, normalise, requirement, file)
        elif requirement is Requirement.TARGET and node.final_target is None:
            yield _requirement_problem(f"{path}.target", Stage.NORMALISATION, normalise, requirement, file)


def _weight_problems(node: Node, weighting: str, combine: Combine, path: str, file: str) -> Iterator[Problem]:
    """A parent's child weights and AHP matrix, when its weighting's record (or the combination in force, for
    ``combined``) requires them; the matrix's size and consistency whenever it is given."""
    children = node.children or []
    prefix = "tree" if path == "(root)" else f"{path}.children"
    where = "composite" if path == "(root)" else path
    for requirement in _requirements(Stage.WEIGHTING, weighting, combine):
        if requirement is Requirement.CHILD_WEIGHTS:
            for i, child in enumerate(children):
                if child.role == "score" and child.weight is None:
                    yield _requirement_problem(
                        f"{prefix}[{i}].weight", Stage.WEIGHTING, weighting, requirement, file
                    )
        elif requirement is Requirement.AHP_MATRIX and node.ahp is None:
            yield _requirement_problem(f"{where}.ahp", Stage.WEIGHTING, weighting, requirement, file)
    if node.ahp is not None and len(node.ahp) != len(node.scored_children):
        n = len(node.scored_children)
        yield _problem(
            f"{where}.ahp", f"the pairwise matrix must be {n}×{n}, one row and column per child", file
        )
    elif node.ahp is not None:
        result = ahp_weights(node.ahp)
        if result.cr >= AHP_MAX_CR:
            yield _problem(
                f"{where}.ahp",
                f"CR = {result.cr:.4f} ≥ {AHP_MAX_CR:g}",
                file,
                "system.ahp_inconsistent",
                cr=result.cr,
            )
