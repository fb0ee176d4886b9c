"""The command line's cache of checked indicator systems, so that a command does not parse the YAML and check it
against the JSON Schema and the models every time it starts (about a tenth of ``digiscore validate``'s time,
issue 16's start-up budget).

One file per system path in the cache folder (``DIGISCORE_CACHE_DIR``; default ``$XDG_CACHE_HOME/digiscore`` or
``~/.cache/digiscore``; set it empty to turn the cache off), holding the system as checked and a digest of all it
was made from: every file under the system's folder (the loader reads ``units:`` and ``include:`` files only
there), and the code and library versions that check and hold a system. A cached system is used only when that
digest is the same now, so editing any file of the folder, or upgrading digiscore or pydantic, checks the system
again. A system that fails its checks is never cached: its problems are listed every time.

The cache is a convenience: anything odd about it (a folder that cannot be written, a damaged or foreign file, a
folder too large to hash cheaply) means the system is simply loaded and checked as without it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring.system.models import IndicatorSystem

CACHE_VARIABLE = "DIGISCORE_CACHE_DIR"
MAX_FILES = 256  # files under a system's folder that are hashed; a larger folder is not cached
# the loader reads no larger file (scoring.system.reading: SystemLimits.max_geometry_bytes, the boundary file a
# unit list may name; the others are at most 1 MiB): a larger one counts by its size only
MAX_FILE_BYTES = 8 << 20
FORMAT = b"digiscore-system-cache 1"
# the code that reads, checks and holds a system: a change to it checks every system again
CODE = (
    ("scoring.system", None),
    ("scoring", "methods.py"),
    ("scoring", "ahp.py"),
    ("scoring", "problems.py"),
)
LIBRARIES = ("digiscore", "pydantic", "pydantic-core", "PyYAML", "jsonschema")


def cache_dir() -> Path | None:
    """The cache folder, or None when ``DIGISCORE_CACHE_DIR`` is set empty (no cache)."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "digiscore"


def load_system_cached(path: Path) -> IndicatorSystem:
    """The checked system of the file ``path`` (as :func:`scoring.system.load_system` gives it), from the cache
    when nothing it was made from has changed."""
    folder = cache_dir()
    real = path.resolve()
    digest = _digest(real) if folder is not None else None
    entry = folder / f"{hashlib.sha256(str(real).encode()).hexdigest()[:32]}.pickle" if folder else None
    if digest is not None and entry is not None:
        cached = _read(entry, digest)
        if cached is not None:
            return cached
    from scoring.system.load import load_system

    system = load_system(path)
    if digest is not None and entry is not None:
        _write(entry, digest, system)
    return system


def _digest(real: Path) -> bytes | None:
    """sha256 of the code, the library versions, and every file under the system's folder (path, size, and the
    bytes of those the loader could read); None when the folder holds more than ``MAX_FILES`` files."""
    digest = hashlib.sha256(FORMAT)
    digest.update(sys.version.encode())
    for library in LIBRARIES:
        try:
            digest.update(f"{library} {metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library} -\n".encode())
    for package, name in CODE:
        files = resources.files(package)
        chosen = [files / name] if name else sorted(files.iterdir(), key=lambda f: f.name)
        for file in chosen:
            if file.name.endswith(".py"):
                digest.update(file.name.encode() + b"\0" + file.read_bytes())
    digest.update(str(real).encode() + b"\0")
    count = 0
    for directory, folders, names in os.walk(real.parent):
        folders.sort()
        for name in sorted(names):
            file = Path(directory, name)
            try:
                info = file.lstat()
            except OSError:
                continue
            count += 1
            if count > MAX_FILES:
                return None
            relative = str(file.relative_to(real.parent)).encode()
            digest.update(relative + b"\0" + str(info.st_size).encode() + b"\0")
            if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                try:
                    digest.update(file.read_bytes())
                except OSError:
                    return None
    return digest.digest()


def _read(entry: Path, digest: bytes) -> IndicatorSystem | None:
    """The cached system, if ``entry`` is this user's own file, not writable by others, made from ``digest``."""
    from scoring.system.models import IndicatorSystem

    try:
        info = entry.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
        stored_digest, system = pickle.loads(entry.read_bytes())
    except Exception:  # absent, unreadable, damaged, or made by code that no longer loads: check afresh
        return None
    return system if stored_digest == digest and isinstance(system, IndicatorSystem) else None


def _write(entry: Path, digest: bytes, system: IndicatorSystem) -> None:
    """Store ``system`` atomically (a whole file or none), readable by this user only; failures are ignored."""
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".system-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump((digest, system), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError):
        return
