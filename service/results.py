"""A round's results: computed by the engine from the accepted submissions, frozen as a snapshot on publishing,
and served from that snapshot.

The snapshot is one JSON document — the engine's results document (``scoring.outputs.results_document``:
scores, ranks, tiers, change, weights, attainment, flags, log) plus the trend over the years the data cover and
the exact inputs (unit, version, sha256) — serialized canonically (sorted keys, no whitespace, shortest float
repr), stored zlib-compressed with the sha256 of the uncompressed bytes. Rescoring the same inputs gives the same
bytes (:func:`rescore`).

Published results never change, so everything derived from a snapshot is cached per worker with no need to
invalidate across workers: the decoded results (:class:`RoundResults`), the evaluation rebuilt for profiles
(contributions come from ``Evaluation.explain``), and the encoded response bytes of each ranking page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import select

from scoring.evaluate import Evaluation, evaluate
from scoring.outputs import escape_text, records, results_document
from scoring.problems import PipelineError
from scoring.system import IndicatorSystem
from service import audit
from service.auth import Principal
from service.db import Database
from service.errors import ServiceError, conflict, not_found
from service.submissions import accepted_inputs, dataset_of, load_inputs, round_for_update
from service.systems import SystemCatalog
from service.tables import RoundRow, SnapshotRow, SubmissionRow, SystemRow

SNAPSHOT_FORMAT = "digiscore-snapshot-1"
T = TypeVar("T")


# ------------------------------------------------------------------------------------------ computing results


def evaluate_inputs(system: IndicatorSystem, year: int, inputs: list[SubmissionRow]) -> Evaluation:
    """The engine on the given submission versions (their parsed values, in unit order)."""
    dataset = dataset_of([(row.unit_code, row.values_json) for row in inputs])
    if not inputs or dataset.values.empty:
        raise conflict("no-accepted-submissions", f"round {year} has no accepted submission to score")
    try:
        return evaluate(system, dataset, year)
    except PipelineError as error:
        raise ServiceError(
            409, "cannot-score", "the accepted submissions cannot be scored", list(error.problems)
        ) from error


def snapshot_document(
    year: int, system: IndicatorSystem, inputs: list[SubmissionRow], evaluation: Evaluation
) -> dict[str, Any]:
    """What publishing freezes: the engine's results document, the trend over the years and the inputs."""
    return {
        "format": SNAPSHOT_FORMAT,
        "year": year,
        "system": {
            "id": system.id,
            "version": system.version,
            "name": system.name,
            "hash": system.content_hash,
        },
        "inputs": [{"unit_code": r.unit_code, "version": r.version, "sha256": r.sha256} for r in inputs],
        "results": results_document(evaluation),
        "trend": _trend(evaluation),
    }


def _trend(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Score and rank of the composite and every dimension in every year of the data."""
    parents = [node.code for node, _, _ in evaluation.system.walk() if node.children]
    scores = evaluation.scores[parents].stack(future_stack=True).rename("score")
    ranks = evaluation.ranks[parents].stack(future_stack=True).rename("rank")
    frame = pd.concat([scores, ranks], axis=1).reset_index()
    frame.columns = ["year", "unit_code", "node_code", "score", "rank"]
    frame["rank"] = frame["rank"].astype("Int64")
    return records(frame.sort_values(["unit_code", "node_code", "year"]).reset_index(drop=True))


def encode_document(document: dict[str, Any]) -> bytes:
    """Canonical JSON bytes: sorted keys, no whitespace, no NaN (the engine gives null for a missing number)."""
    return json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _round_and_system(session: Any, catalog: SystemCatalog, year: int) -> tuple[RoundRow, IndicatorSystem]:
    round_row = session.execute(select(RoundRow).where(RoundRow.year == year)).scalar_one_or_none()
    if round_row is None:
        raise not_found(f"round {year}")
    system_row = session.get(SystemRow, round_row.system_pk)
    return round_row, catalog.system(system_row)


def publish(
    db: Database, catalog: SystemCatalog, year: int, principal: Principal, now: datetime
) -> dict[str, Any]:
    """Score a closed round from its accepted submissions and freeze the results; the round becomes published.

    The scoring runs outside the write transaction; the transaction then checks that the round is still
    closed and that its accepted inputs did not change meanwhile (a review in between: publish again).
    """
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year)
        if round_row.status != "closed":
            raise conflict(
                "round-not-closed", f"round {year} is {round_row.status}; close it before publishing"
            )
        inputs = accepted_inputs(session, round_row)
    evaluation = evaluate_inputs(system, year, inputs)
    document = encode_document(snapshot_document(year, system, inputs, evaluation))
    digest = hashlib.sha256(document).hexdigest()
    with db.write() as session:
        round_row = round_for_update(session, db, year, exclusive=True)
        if round_row.status != "closed":
            raise conflict("round-not-closed", f"round {year} is {round_row.status}")
        if [r.id for r in accepted_inputs(session, round_row)] != [r.id for r in inputs]:
            raise conflict("inputs-changed", "reviews changed while publishing; publish again")
        session.add(
            SnapshotRow(
                round_id=round_row.id,
                sha256=digest,
                document=zlib.compress(document, 6),
                inputs_json=json.dumps([r.id for r in inputs]),
                created_at=now,
                created_by=principal.token_id,
            )
        )
        round_row.status = "published"
        round_row.published_at = now
        audit.record(session, principal, "round.publish", f"round:{year}", now, digest, units=len(inputs))
    return {"year": year, "sha256": digest, "units": [r.unit_code for r in inputs], "bytes": len(document)}


def rescore(db: Database, catalog: SystemCatalog, year: int) -> tuple[str, str]:
    """Score a published round again from the inputs its snapshot names: (stored sha256, recomputed sha256)."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year)
        snapshot = session.execute(
            select(SnapshotRow).where(SnapshotRow.round_id == round_row.id)
        ).scalar_one_or_none()
        if snapshot is None:
            raise conflict("round-not-published", f"round {year} is not published")
        inputs = load_inputs(session, json.loads(snapshot.inputs_json))
    document = encode_document(snapshot_document(year, system, inputs, evaluate_inputs(system, year, inputs)))
    return snapshot.sha256, hashlib.sha256(document).hexdigest()


# ------------------------------------------------------------------------------------------- reading results


@dataclass(frozen=True)
class PublishedRef:
    """A published round's snapshot: immutable, so safe to remember in any worker."""

    year: int
    round_id: int
    system_pk: int
    snapshot_id: int
    sha256: str


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
        "attainment": results.attainment.get(unit_code, []),
        "trend": results.trend.get(unit_code, []),
    }


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


# ----------------------------------------------------------------------------------------------------- cache


class _Lru:
    """A small thread-safe LRU map."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, predicate: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [k for k in self._items if predicate(k)]:
                del self._items[key]


class ResultsCache:
    """Per-worker caches of published results: the year → snapshot map, decoded results, rebuilt evaluations
    and encoded pages. ``page_builds`` counts the pages encoded (tests use it to see the cache work)."""

    def __init__(self, snapshots: int, pages: int):
        self._published: dict[int, PublishedRef] = {}
        self._results = _Lru(snapshots)
        self._evaluations = _Lru(max(1, snapshots // 2))
        self._pages = _Lru(pages)
        self._build = threading.Lock()
        self.page_builds = 0

    def published(self, year: int) -> PublishedRef | None:
        """The snapshot of a round known to be published, without asking the database."""
        return self._published.get(year)

    def remember(self, ref: PublishedRef) -> None:
        """Keep a published round's snapshot reference (it never changes)."""
        self._published[ref.year] = ref

    def forget(self, year: int) -> None:
        """Drop what is known of a round (this worker published it, or a test resets it)."""
        ref = self._published.pop(year, None)
        if ref is not None:
            self._pages.drop(lambda key: isinstance(key, tuple) and key[0] == ref.snapshot_id)

    def page(self, key: tuple[Any, ...]) -> bytes | None:
        """Encoded bytes served before under ``key``, if still cached."""
        found: bytes | None = self._pages.get(key)
        return found

    def store_page(self, key: tuple[Any, ...], body: bytes) -> bytes:
        """Cache encoded bytes under ``key``; returns them."""
        self.page_builds += 1
        self._pages.put(key, body)
        return body

    def results(self, ref: PublishedRef, build: Callable[[], RoundResults]) -> RoundResults:
        """The decoded results of a snapshot, built once per worker."""
        return self._once(self._results, ref.snapshot_id, build)

    def evaluation(self, ref: PublishedRef, build: Callable[[], Evaluation]) -> Evaluation:
        """The evaluation behind a snapshot, rebuilt once per worker."""
        return self._once(self._evaluations, ref.snapshot_id, build)

    def _once(self, lru: _Lru, key: Hashable, build: Callable[[], T]) -> T:
        found: T | None = lru.get(key)
        if found is not None:
            return found
        with self._build:  # decoding a snapshot is costly: one thread does it, the others wait for it
            found = lru.get(key)
            if found is None:
                found = build()
                lru.put(key, found)
        return found


def find_published(db: Database, cache: ResultsCache, year: int) -> PublishedRef | None:
    """The snapshot of a published round (remembered), None for a round not yet published; 404 if no round."""
    known = cache.published(year)
    if known is not None:
        return known
    with db.read() as session:
        row = session.execute(
            select(RoundRow.id, RoundRow.status, RoundRow.system_pk, SnapshotRow.id, SnapshotRow.sha256)
            .join(SnapshotRow, SnapshotRow.round_id == RoundRow.id, isouter=True)
            .where(RoundRow.year == year)
        ).first()
    if row is None:
        raise not_found(f"round {year}")
    round_id, status, system_pk, snapshot_id, sha256 = row
    if status != "published" or snapshot_id is None:
        return None
    ref = PublishedRef(year, round_id, system_pk, snapshot_id, sha256)
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


def rebuild_evaluation(db: Database, catalog: SystemCatalog, ref: PublishedRef) -> Evaluation:
    """The evaluation behind a snapshot, from the inputs it names (for ``Evaluation.explain``)."""
    with db.read() as session:
        snapshot = session.get(SnapshotRow, ref.snapshot_id)
        assert snapshot is not None
        inputs = load_inputs(session, json.loads(snapshot.inputs_json))
        system = catalog.system(session.get(SystemRow, ref.system_pk))  # type: ignore[arg-type]
    return evaluate_inputs(system, ref.year, inputs)


def preview(db: Database, catalog: SystemCatalog, year: int) -> tuple[RoundResults, Evaluation]:
    """Results of an unpublished round from its accepted submissions now: scored afresh on every call."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year)
        inputs = accepted_inputs(session, round_row)
    evaluation = evaluate_inputs(system, year, inputs)
    document = snapshot_document(year, system, inputs, evaluation)
    return RoundResults.from_document(document, None, published=False), evaluation
