"""Reading published snapshots and serialising results: the indexed results of a round (:class:`RoundResults`),
ranking pages as JSON or CSV, a unit's profile, two units compared.

A snapshot never changes: what is read here is cached per worker under its id (:mod:`service.results.cache`);
which snapshot is a round's current one changes only when a correction is published.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from scoring.evaluate import Evaluation
from scoring.outputs import escape_text, records
from scoring.pipeline.attainment import resolved_status
from service.db import Database
from service.errors import not_found
from service.results.cache import PublishedRef, ResultsCache
from service.tables import RoundRow, SnapshotRow


@dataclass
class RoundResults:
    """A results document indexed for serving: rows by node (in rank order) and by unit."""

    year: int
    system: dict[str, Any]
    composite: str
    published: bool
    sha256: str | None
    nodes: dict[str, dict[str, Any]]  # code → code, name, level (tree order)
    by_node: dict[str, list[dict[str, Any]]]
    by_unit: dict[str, dict[str, dict[str, Any]]]
    attainment: dict[str, list[dict[str, Any]]]
    trend: dict[str, list[dict[str, Any]]]
    unit_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_document(cls, document: dict[str, Any], sha256: str | None, published: bool) -> RoundResults:
        """Index a snapshot document (or a preview's) for serving."""
        rows = document["results"]["results"]
        nodes: dict[str, dict[str, Any]] = {}
        by_node: dict[str, list[dict[str, Any]]] = {}
        by_unit: dict[str, dict[str, dict[str, Any]]] = {}
        names: dict[str, str] = {}
        for row in rows:
            code = row["node_code"]
            if code not in nodes:
                nodes[code] = {"code": code, "name": row["node_name"], "level": row["level"]}
            by_node.setdefault(code, []).append(row)
            by_unit.setdefault(row["unit_code"], {})[code] = row
            names[row["unit_code"]] = row["unit_name"]
        for ranked in by_node.values():
            ranked.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit_code"]))
        composite = next((code for code, node in nodes.items() if node["level"] == 0), "")
        attainment: dict[str, list[dict[str, Any]]] = {}
        for row in document["results"]["attainment"]:
            attainment.setdefault(row["unit_code"], []).append(row)
        trend: dict[str, list[dict[str, Any]]] = {}
        for row in document["trend"]:
            trend.setdefault(row["unit_code"], []).append(row)
        return cls(
            year=document["year"],
            system=document["system"],
            composite=composite,
            published=published,
            sha256=sha256,
            nodes=nodes,
            by_node=by_node,
            by_unit=by_unit,
            attainment=attainment,
            trend=trend,
            unit_names=names,
        )

    def node(self, code: str | None) -> str:
        """The node asked for (the composite by default), or 404."""
        chosen = code or self.composite
        if chosen not in self.nodes:
            raise not_found(f"node {chosen}")
        return chosen

    def unit(self, code: str) -> dict[str, dict[str, Any]]:
        """The unit's row per node, or 404."""
        if code not in self.by_unit:
            raise not_found(f"results of unit {code} in round {self.year}")
        return self.by_unit[code]


def ranking_item(row: dict[str, Any]) -> dict[str, Any]:
    """A ranking row as the API shows it."""
    return {
        "rank": row["rank"],
        "unit_code": row["unit_code"],
        "unit_name": row["unit_name"],
        "score": row["score"],
        "tier": row["tier"],
        "score_change": row["score_change"],
        "rank_change": row["rank_change"],
    }


def ranking_json(results: RoundResults, node: str, offset: int, limit: int) -> bytes:
    """One page of a node's ranking as JSON bytes."""
    rows = results.by_node[node]
    body = {
        "year": results.year,
        "system": results.system,
        "published": results.published,
        "snapshot_sha256": results.sha256,
        "node": results.nodes[node],
        "total": len(rows),
        "offset": offset,
        "limit": limit,
        "items": [ranking_item(row) for row in rows[offset : offset + limit]],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


RANKING_CSV_COLUMNS = [
    "rank",
    "unit_code",
    "unit_name",
    "node_code",
    "score",
    "tier",
    "score_change",
    "rank_change",
]


def ranking_csv(results: RoundResults, node: str, offset: int, limit: int) -> bytes:
    """One page of a node's ranking as CSV (UTF-8 with BOM for Excel); text a spreadsheet would run is escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RANKING_CSV_COLUMNS)
    for row in results.by_node[node][offset : offset + limit]:
        item = ranking_item(row) | {"node_code": node}
        writer.writerow(["" if item[c] is None else escape_text(item[c]) for c in RANKING_CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def profile(results: RoundResults, evaluation: Evaluation, unit_code: str) -> dict[str, Any]:
    """A unit's scores, ranks and change per node, the contributions along the tree, attainment and trend."""
    rows = results.unit(unit_code)
    explanation = {row["node_code"]: row for row in records(evaluation.explain(unit_code))}
    nodes = []
    for code, row in rows.items():
        explained = explanation.get(code, {})
        nodes.append(
            {
                "code": code,
                "name": row["node_name"],
                "level": row["level"],
                "parent": explained.get("parent"),
                "score": row["score"],
                "rank": row["rank"],
                "units_ranked": sum(r["rank"] is not None for r in results.by_node.get(code, [])),
                "score_change": row["score_change"],
                "rank_change": row["rank_change"],
                "raw_value": explained.get("raw_value"),
                "unit": explained.get("unit"),
                "weight": explained.get("weight"),
                "overall_weight": explained.get("overall_weight"),
                "contribution": explained.get("contribution"),
                "share": explained.get("share"),
            }
        )
    composite = rows[results.composite]
    return {
        "year": results.year,
        "system": results.system,
        "published": results.published,
        "snapshot_sha256": results.sha256,
        "unit": {"code": unit_code, "name": results.unit_names.get(unit_code, unit_code)},
        "composite": {
            "score": composite["score"],
            "rank": composite["rank"],
            "tier": composite["tier"],
            "score_change": composite["score_change"],
            "rank_change": composite["rank_change"],
            "units_ranked": sum(r["rank"] is not None for r in results.by_node[results.composite]),
        },
        "nodes": nodes,
        "attainment": _attainment(results, evaluation, unit_code),
        "trend": results.trend.get(unit_code, []),
    }


def _attainment(results: RoundResults, evaluation: Evaluation, unit_code: str) -> list[dict[str, Any]]:
    """The unit's attainment rows, each with ``target_status``: the word the report and the CLI give the same
    row (scoring.pipeline.attainment.resolved_status: 不适用, 无数据 and 未达目标 where ``status`` has none)."""
    marked = evaluation.not_applicable
    key = (results.year, unit_code)
    rows = []
    for row in results.attainment.get(unit_code, []):
        code = row["indicator_code"]
        na = bool(marked.at[key, code]) if key in marked.index and code in marked.columns else False
        rows.append(row | {"target_status": resolved_status(row["value"], row["status"], na)})
    return rows


def compare(results: RoundResults, a: str, b: str) -> dict[str, Any]:
    """Two units side by side on every node: scores, ranks and the difference ``a − b``."""
    rows_a, rows_b = results.unit(a), results.unit(b)
    nodes = []
    for code, node in results.nodes.items():
        ra, rb = rows_a.get(code, {}), rows_b.get(code, {})
        sa, sb = ra.get("score"), rb.get("score")
        nodes.append(
            node
            | {
                "a_score": sa,
                "b_score": sb,
                "difference": None if sa is None or sb is None else sa - sb,
                "a_rank": ra.get("rank"),
                "b_rank": rb.get("rank"),
            }
        )
    composite = results.composite
    return {
        "year": results.year,
        "system": results.system,
        "published": results.published,
        "snapshot_sha256": results.sha256,
        "a": {"code": a, "name": results.unit_names.get(a, a), "tier": rows_a[composite]["tier"]},
        "b": {"code": b, "name": results.unit_names.get(b, b), "tier": rows_b[composite]["tier"]},
        "nodes": nodes,
    }


def current_snapshot_query(round_id: Any) -> Any:
    """The id of a round's current snapshot: its newest version (a correction replaces the one before)."""
    newest = aliased(SnapshotRow)
    return (
        select(newest.id)
        .where(newest.round_id == round_id)
        .order_by(newest.version.desc())
        .limit(1)
        .scalar_subquery()
    )


def find_published(db: Database, cache: ResultsCache, year: int, system: str) -> PublishedRef | None:
    """The current snapshot of a published round (remembered for a few seconds: a correction published by
    another worker is seen after that), None for a round not yet published; 404 if no round."""
    known = cache.published(year, system)
    if known is not None:
        return known
    with db.read() as session:
        row = session.execute(
            select(
                RoundRow.id,
                RoundRow.status,
                RoundRow.system_pk,
                SnapshotRow.id,
                SnapshotRow.sha256,
                SnapshotRow.version,
            )
            .join(SnapshotRow, SnapshotRow.id == current_snapshot_query(RoundRow.id), isouter=True)
            .where(RoundRow.year == year, RoundRow.system_id == system)
        ).first()
    if row is None:
        raise not_found(f"round {year} of system {system}")
    round_id, status, system_pk, snapshot_id, sha256, version = row
    if status != "published" or snapshot_id is None:
        return None
    ref = PublishedRef(year, system, round_id, system_pk, snapshot_id, sha256, version)
    cache.remember(ref)
    return ref


def load_results(db: Database, ref: PublishedRef) -> RoundResults:
    """Decode a snapshot for serving."""
    with db.read() as session:
        stored = session.execute(
            select(SnapshotRow.document).where(SnapshotRow.id == ref.snapshot_id)
        ).scalar_one()
    return RoundResults.from_document(json.loads(zlib.decompress(stored)), ref.sha256, published=True)


def snapshot_bytes(db: Database, ref: PublishedRef) -> bytes:
    """The stored results document, uncompressed: exactly the bytes whose sha256 the round shows."""
    with db.read() as session:
        stored = session.execute(
            select(SnapshotRow.document).where(SnapshotRow.id == ref.snapshot_id)
        ).scalar_one()
    return zlib.decompress(stored)
