"""Reading system files safely: files confined to the systems folder, bounded bytes, bounded YAML.

An indicator-system file may come from anyone with an admin token (``POST /systems``), so nothing in it may make
the loader read other server files, block on a device or FIFO, or spend unbounded time and memory:

* a file named in a system (``include:``, ``units:``) must resolve, symbolic links followed, inside the systems
  folder (the *root*), be a regular file, and is read up to ``max_bytes`` (one byte more tells it is too large);
* the YAML is walked as a stream of events first (iteratively, in libyaml) and refused when it nests deeper than
  ``max_depth``, uses more than ``max_aliases`` aliases or would expand to more than ``max_nodes`` nodes (alias
  bombs), or writes a number longer than ``max_number_chars``; only then is it built with the safe loader.

Messages name a file as it is written in the system file and never show a server path or a file's contents.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scoring.problems import Location, Problem, SystemDefinitionError

# libyaml is much faster and never recurses; the pure-Python parser is quadratic on deeply nested flow
# collections (100 000 brackets take minutes), so it is only the fallback of a PyYAML built without libyaml.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class SystemLimits:
    """Bounds on what loading one indicator system may read and build."""

    max_bytes: int = 1024 * 1024  # per file: the system, each included system, each unit list
    max_depth: int = 48  # YAML nesting (a tree level is two: the node and its ``children`` list)
    max_aliases: int = 1000  # YAML aliases (``*name``) per file
    max_nodes: int = 60_000  # YAML nodes per file, aliases counted as what they stand for
    max_number_chars: int = 40  # characters of a number as written
    max_tree_depth: int = 12  # levels of the tree below the composite, includes expanded
    max_tree_nodes: int = 2000  # dimensions and indicators, includes expanded (the largest shipped: ~150)
    max_units: int = 5000  # evaluated units (China has about 2 850 county-level divisions)
    max_files: int = 32  # files read for one system: itself, its includes and unit lists
    max_geometry_bytes: int = 8 * 1024 * 1024  # the GeoJSON a unit list names (scoring/system/geometry.py)
    max_geometry_features: int = 10_000
    max_geometry_vertices: int = (
        1_000_000  # positions in the features of the list's units, before simplifying
    )


DEFAULT_LIMITS = SystemLimits()


@dataclass
class Reading:
    """What one load may still read: the limits, the folder files must stay in, and the files read so far."""

    root: Path
    limits: SystemLimits = DEFAULT_LIMITS
    files_read: int = 0


def _refusal(code: str, file: str, cell: str, **params: Any) -> SystemDefinitionError:
    return SystemDefinitionError(Problem(code, location=Location(file=file, cell=cell), params=params))


def resolve_confined(name: str, base_dir: Path, reading: Reading, field_name: str, file: str) -> Path:
    """The real path of ``name`` (as written at ``field_name`` of ``file``), relative to ``base_dir``, or raise
    when it leads out of the root folder."""
    shown = name if len(name) <= 120 else name[:117] + "…"
    if not name.strip() or "\x00" in name:
        raise _refusal("system.file_outside", file, field_name, field=field_name, name=shown)
    root = reading.root.resolve()
    try:
        target = (base_dir / name).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, an unreadable folder
        raise _refusal("system.file_unreadable", file, field_name, field=field_name, name=shown) from None
    if not target.is_relative_to(root):
        raise _refusal("system.file_outside", file, field_name, field=field_name, name=shown)
    return target


def read_text(
    path: Path, reading: Reading, field_name: str, file: str, shown: str, max_bytes: int | None = None
) -> str:
    """The UTF-8 text of the regular file ``path``, at most ``max_bytes`` long (default: the limits'
    ``max_bytes``), counted against ``max_files``.

    ``O_NOFOLLOW`` and ``O_NONBLOCK`` make opening a symbolic link fail and opening a FIFO return at once; the
    ``fstat`` of the open file then refuses anything but a regular file, so a device is never read.
    """
    limits = reading.limits
    reading.files_read += 1
    if reading.files_read > limits.max_files:
        raise _refusal("system.too_many_files", file, field_name, field=field_name, limit=limits.max_files)
    params = {"field": field_name, "name": shown}
    limit = limits.max_bytes if max_bytes is None else max_bytes
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise _refusal("system.file_missing", file, field_name, **params) from None
    except OSError:  # a symbolic link (ELOOP), no permission…: the reason is not worth a server path
        raise _refusal("system.file_unreadable", file, field_name, **params) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _refusal("system.file_not_regular", file, field_name, **params)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        raise _refusal("system.file_unreadable", file, field_name, **params) from None
    finally:
        os.close(descriptor)
    if size > limit:
        raise _refusal("system.file_too_large", file, field_name, **params, limit=limit)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise _refusal("system.file_encoding", file, field_name, **params) from None


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _yaml_problem(exc: BaseException, file: str) -> Problem:
    """A YAML error as a problem: what is wrong and where (line, column), without the text around it."""
    if isinstance(exc, yaml.MarkedYAMLError):
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "not valid YAML"
        mark = exc.problem_mark or exc.context_mark
        detail = f"{what} ({_where(mark)})" if mark is not None else what
        cell = _where(mark)
    else:  # a scalar the safe constructor cannot convert, e.g. an impossible date
        text = str(exc)
        detail, cell = (text if len(text) <= 200 else text[:199] + "…") or type(exc).__name__, ""
    return Problem("system.yaml", location=Location(file=file, cell=cell), params={"detail": detail})


def _format(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


@dataclass
class _Open:
    """A mapping or sequence being walked: its path, its next index or key, where its nodes start."""

    path: list[Any]
    mapping: bool
    anchor: str | None
    first_node: int
    index: int = 0
    key: Any = None
    expect_key: bool = True


def _check_events(text: str, file: str, limits: SystemLimits) -> None:
    """Walk the YAML events and raise at the first thing over a limit, naming its path in the document."""
    resolver = yaml.resolver.Resolver()
    stack: list[_Open] = []
    sizes: dict[str, int] = {}  # anchor → nodes it stands for
    nodes = aliases = 0

    def refuse(code: str, path: list[Any], **params: Any) -> SystemDefinitionError:
        where = _format(path)
        return _refusal(code, file, where, path=where, **params)

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionEndEvent):
            done = stack.pop()
            if done.anchor is not None:
                sizes[done.anchor] = nodes - done.first_node
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        path: list[Any] = []
        if stack:
            parent = stack[-1]
            if not parent.mapping:
                path = [*parent.path, parent.index]
                parent.index += 1
            elif parent.expect_key:
                parent.expect_key = False
                parent.key = event.value if isinstance(event, yaml.ScalarEvent) else "?"
                path = [*parent.path, parent.key]
            else:
                parent.expect_key = True
                path = [*parent.path, parent.key]
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            nodes += sizes.get(str(event.anchor), 1)
            if aliases > limits.max_aliases or nodes > limits.max_nodes:
                raise refuse(
                    "system.yaml_aliases",
                    path,
                    aliases=aliases,
                    max_aliases=limits.max_aliases,
                    max_nodes=limits.max_nodes,
                )
            continue
        nodes += 1
        if nodes > limits.max_nodes:
            raise refuse("system.yaml_size", path, limit=limits.max_nodes)
        if isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            tag = event.tag if event.tag not in (None, "!") else None
            if tag is None and event.implicit[0]:
                tag = resolver.resolve(yaml.ScalarNode, event.value, (True, False))
            if tag in (_INT, _FLOAT) and len(event.value) > limits.max_number_chars:
                raise refuse(
                    "system.number_too_long",
                    path,
                    start=event.value[:12],
                    length=len(event.value),
                    limit=limits.max_number_chars,
                )
            continue
        # a mapping or a sequence starts
        if len(stack) >= limits.max_depth:
            raise refuse("system.yaml_depth", path, limit=limits.max_depth)
        mapping = isinstance(event, yaml.MappingStartEvent)
        stack.append(_Open(path, mapping, event.anchor, nodes - 1))


def load_yaml(text: str, file: str, limits: SystemLimits = DEFAULT_LIMITS) -> Any:
    """The document of ``text``, built by the safe loader once its events are within ``limits``."""
    try:
        _check_events(text, file, limits)
        return yaml.load(text, Loader=_Loader)  # the safe loader (C or Python), never the full one
    except yaml.YAMLError as exc:
        raise SystemDefinitionError(_yaml_problem(exc, file)) from None
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:
        # the safe constructor converting a scalar (an impossible date, a number given an explicit tag…)
        raise SystemDefinitionError(_yaml_problem(exc, file)) from None
