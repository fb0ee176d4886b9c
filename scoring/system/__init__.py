"""Indicator systems as data: the models of the YAML file and the loader that checks it.

The names are loaded on first use (PEP 562): code that only needs the models (a system read back from the CLI's
cache, :mod:`scoring.cli.systems`) does not import the loader with its YAML and JSON Schema libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.system.load import load_system, parse_system
    from scoring.system.models import Department, IndicatorSystem, Method, Node, Target, Unit

_HOMES = {
    "Department": "scoring.system.models",
    "IndicatorSystem": "scoring.system.models",
    "Method": "scoring.system.models",
    "Node": "scoring.system.models",
    "Target": "scoring.system.models",
    "Unit": "scoring.system.models",
    "load_system": "scoring.system.load",
    "parse_system": "scoring.system.load",
}

__all__ = ["Department", "IndicatorSystem", "Method", "Node", "Target", "Unit", "load_system", "parse_system"]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'scoring.system' has no attribute {name!r}")
