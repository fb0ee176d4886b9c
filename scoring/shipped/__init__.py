"""Where the shipped data live: indicator systems and unit lists, JSON Schemas and sample inputs.

The data stay at the top of the repository (indicators/, schemas/, sample_inputs/) and are mapped into the
packages ``scoring.shipped.indicators``, ``.schemas`` and ``.sample_inputs`` (pyproject.toml ``package-dir``), so
that an editable install and a wheel find them the same way, through ``importlib.resources``. User systems are
found by path or in the folder named by ``DIGISCORE_SYSTEMS_DIR`` (default: the shipped systems).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

SYSTEMS_DIR_VARIABLE = "DIGISCORE_SYSTEMS_DIR"


def package_dir(package: str) -> Path:
    """The directory of a package holding data files (found through ``importlib.resources``); pip installs packages unzipped, so it is a real directory."""
    root = files(package)
    path = Path(str(root))
    if not path.is_dir():  # a zipped install would need as_file(); digiscore is never installed that way
        raise RuntimeError(f"shipped data {package} are not a directory on disk: {root}")
    return path


def shipped_systems_dir() -> Path:
    """The shipped indicator systems (``*.yaml``) and their unit lists (``units/``)."""
    return package_dir("scoring.shipped.indicators")


def systems_dir() -> Path:
    """The systems folder: ``DIGISCORE_SYSTEMS_DIR`` if set, else the shipped systems.

    ``include:`` and ``units:`` of a system are confined to this folder (scoring/system/reading.py).
    """
    configured = os.environ.get(SYSTEMS_DIR_VARIABLE)
    return Path(configured).expanduser().resolve() if configured else shipped_systems_dir()


def schemas_dir() -> Path:
    """The JSON Schemas of systems, long tables and results."""
    return package_dir("scoring.shipped.schemas")


def sample_inputs_dir() -> Path:
    """The sample data the demo and the documentation use."""
    return package_dir("scoring.shipped.sample_inputs")
