"""A round's results, split by job:

- :mod:`service.results.publishing` — scoring the accepted submissions, freezing the snapshot, rescoring it,
  previews of an unpublished round;
- :mod:`service.results.snapshots` — reading a published snapshot and serialising results (rankings as JSON or
  CSV, profiles, comparisons);
- :mod:`service.results.cache` — the per-worker caches of what is derived from a published snapshot.

The snapshot is one JSON document — the engine's results document (``scoring.outputs.results_document``:
scores, ranks, tiers, change, weights, attainment, flags, log) plus the trend over the years the data cover and
the exact inputs (unit, version, sha256) — serialized canonically (sorted keys, no whitespace, shortest float
repr), stored zlib-compressed with the sha256 of the uncompressed bytes. Rescoring the same inputs gives the same
bytes (:func:`~service.results.publishing.rescore`).

The names below are re-exported so that ``from service.results import publish`` keeps working.
"""

from service.results.cache import PublishedRef, ResultsCache
from service.results.publishing import (
    encode_document,
    evaluate_inputs,
    preview,
    previous_version_evaluation,
    publication_check,
    publish,
    rebuild_evaluation,
    rescore,
    snapshot_document,
)
from service.results.snapshots import (
    RoundResults,
    compare,
    find_published,
    load_results,
    profile,
    ranking_csv,
    ranking_item,
    ranking_json,
    snapshot_bytes,
)

__all__ = [
    "PublishedRef",
    "ResultsCache",
    "RoundResults",
    "compare",
    "encode_document",
    "evaluate_inputs",
    "find_published",
    "load_results",
    "preview",
    "previous_version_evaluation",
    "profile",
    "publication_check",
    "publish",
    "ranking_csv",
    "ranking_item",
    "ranking_json",
    "rebuild_evaluation",
    "rescore",
    "snapshot_bytes",
    "snapshot_document",
]
