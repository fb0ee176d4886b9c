"""Finding the CJK font the charts are drawn with (Noto Sans CJK, SIL Open Font License).

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs and would draw every character as a box ("tofu"),
so the report refuses to draw charts without a CJK font instead of producing unreadable figures.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from scoring.report.errors import ReportError, font_missing

# Preferred family names, Simplified Chinese first; all are Noto CJK (fonts-noto-cjk on Debian / Ubuntu).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Noto Sans CJK JP", "Noto Sans CJK TC")


@dataclass(frozen=True)
class CjkFont:
    """The font family matplotlib should use, and the file it resolves to."""

    family: str
    path: Path


@cache
def cjk_font() -> CjkFont:
    """The installed Noto Sans CJK font, registered with matplotlib's font manager.

    Looks in matplotlib's font list first; if the font was installed after matplotlib cached that list, asks
    fontconfig (``fc-list``) for the file and adds it. Raises :class:`ReportError` (``report.font_missing``)
    when no Noto CJK font is installed.
    """
    from matplotlib import font_manager

    found = _regular_faces(font_manager.fontManager.ttflist)
    if not any(family in found for family in CJK_FAMILIES):
        for path in _fontconfig_files():
            font_manager.fontManager.addfont(str(path))
        found = _regular_faces(font_manager.fontManager.ttflist)
    for family in CJK_FAMILIES:
        if family in found:
            return CjkFont(family, found[family])
    raise font_missing(", ".join(CJK_FAMILIES))


def font_problem() -> ReportError | None:
    """Why the report's charts cannot be drawn (no Noto CJK font installed), or ``None`` when they can. The CLI
    and the service both ask this before a report and write it without charts, after a warning, when needed."""
    try:
        cjk_font()
    except ReportError as exc:
        return exc
    return None


def _regular_faces(entries: list[Any]) -> dict[str, Path]:
    """Family name → file of its upright face closest to regular weight (400)."""
    best: dict[str, tuple[float, Path]] = {}
    for entry in entries:
        weight = entry.weight if isinstance(entry.weight, int | float) else 400
        score = abs(float(weight) - 400) + (1000 if entry.style != "normal" else 0)
        if entry.name not in best or score < best[entry.name][0]:
            best[entry.name] = (score, Path(entry.fname))
    return {name: path for name, (_, path) in best.items()}


def _fontconfig_files() -> list[Path]:
    """Noto CJK font files fontconfig knows about (empty when fontconfig is not installed)."""
    if shutil.which("fc-list") is None:
        return []
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "file", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = []
    for line in listing.splitlines():
        file, _, family = line.partition(":")
        if "Noto" in family and "CJK" in family and "Mono" not in family:
            files.append(Path(file.strip()))
    return sorted(set(files))
