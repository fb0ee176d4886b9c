"""Writing analysis results by file extension: ``.xlsx`` (one sheet per table), ``.json`` (one document) or
``.csv`` (the main table in the file, every other table beside it as ``<stem>_<table>.csv``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.analysis.audit import AuditResult
from scoring.analysis.uncertainty import UncertaintyResult
from scoring.analysis.whatif import WhatIfResult
from scoring.outputs import escape_frame, jsonable, records, write_csv


def write_tables(
    tables: dict[str, pd.DataFrame], path: str | Path, extra: dict[str, Any] | None = None
) -> Path:
    """Write named tables (the first is the main one) and, for JSON, extra top-level fields."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
            for name, frame in tables.items():
                escape_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
                writer.sheets[name[:31]].freeze_panes(1, 0)
    elif suffix == ".json":
        document: dict[str, Any] = dict(extra or {})
        document.update({name: records(frame) for name, frame in tables.items()})
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix == ".csv":
        for i, (name, frame) in enumerate(tables.items()):
            target = path if i == 0 else path.with_name(f"{path.stem}_{name}.csv")
            write_csv(frame, target)
    else:
        raise ValueError(f"unsupported output format {suffix!r}: use .csv, .json or .xlsx")
    return path


def write_uncertainty(result: UncertaintyResult, path: str | Path) -> Path:
    """Units (rank intervals, tier probabilities), sensitivity indices, per-unit indices, settings."""
    return write_tables(
        {
            "units": result.units,
            "sensitivity": result.sensitivity,
            "unit_sensitivity": result.unit_sensitivity,
            "settings": result.settings_table().astype({"value": str}),
        },
        path,
        {
            "system": result.system_id,
            "year": result.year,
            "seed": result.seed,
            "replications": result.replications,
        },
    )


def write_audit(result: AuditResult, path: str | Path) -> Path:
    """Indicators (flags), dimensions (alpha, PC1), high pairs, unit coverage, the correlation matrices, text."""
    return write_tables(
        {
            "indicators": result.indicators,
            "dimensions": result.dimensions,
            "pairs": result.pairs,
            "units": result.units,
            "correlations": result.correlations.reset_index(names="indicator_code"),
            "node_correlations": result.node_correlations.reset_index(),
            "text": pd.DataFrame({"text": result.text.splitlines()}),
        },
        path,
        {"year": result.year, "text": result.text},
    )


def whatif_tables(result: WhatIfResult) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The tables of a what-if result (gap decomposition, goals, gains, text) and its scalar fields."""
    tables = {
        "gap": result.gap.table.assign(unit_above=result.gap.above),
        "goals": result.goals,
        "gains": result.gains,
        "text": pd.DataFrame({"text": result.text.splitlines()}),
    }
    fields = {
        "unit": result.unit,
        "year": result.year,
        "score": result.score,
        "rank": result.rank,
        "text": result.text,
    }
    return tables, fields


def whatif_document(result: WhatIfResult) -> dict[str, Any]:
    """The what-if result as one JSON-ready document (as the HTTP service returns it)."""
    tables, fields = whatif_tables(result)
    return {**jsonable(fields), **{name: records(frame) for name, frame in tables.items() if name != "text"}}


def write_whatif(result: WhatIfResult, path: str | Path) -> Path:
    """The gap decomposition, goals reached one at a time, marginal gains, and the text."""
    tables, fields = whatif_tables(result)
    return write_tables(tables, path, fields)
