"""Excel and CSV in, the district form out: reading data files into a Dataset and writing blank forms.

The names are loaded on first use (PEP 562), so that reading data does not import the form writer (xlsxwriter)
and writing a form does not import the readers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.io.read import read_bytes, read_data
    from scoring.io.template import write_all_templates, write_template
    from scoring.io.validate import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNUSABLE, validate_paths

_HOMES = {
    "EXIT_CLEAN": "scoring.io.validate",
    "EXIT_PROBLEMS": "scoring.io.validate",
    "EXIT_UNUSABLE": "scoring.io.validate",
    "read_bytes": "scoring.io.read",
    "read_data": "scoring.io.read",
    "validate_paths": "scoring.io.validate",
    "write_all_templates": "scoring.io.template",
    "write_template": "scoring.io.template",
}

__all__ = [
    "EXIT_CLEAN",
    "EXIT_PROBLEMS",
    "EXIT_UNUSABLE",
    "read_bytes",
    "read_data",
    "validate_paths",
    "write_all_templates",
    "write_template",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'scoring.io' has no attribute {name!r}")
