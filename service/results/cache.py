"""Per-worker caches of published results.

A snapshot never changes, so everything derived from one is cached per worker under its id with no need to
invalidate across workers: the decoded results (:class:`~service.results.snapshots.RoundResults`), the
evaluation rebuilt for profiles (contributions come from ``Evaluation.explain``), and the encoded response
bytes of each page (rankings, profiles, reports, the dashboard's rank intervals).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from scoring.evaluate import Evaluation

T = TypeVar("T")

CURRENT_SECONDS = 5.0  # how long a worker trusts its year → current snapshot map without asking the database


@dataclass(frozen=True)
class PublishedRef:
    """A published round's snapshot: immutable, so safe to remember in any worker."""

    year: int
    system_id: str
    round_id: int
    system_pk: int
    snapshot_id: int
    sha256: str
    version: int = 1  # 1: as first published; more: the correction (更正) in force


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
    """Per-worker caches of published results: the (year, system) → snapshot map, decoded results, rebuilt
    evaluations and encoded pages. ``page_builds`` counts the pages encoded (tests use it to see the cache
    work)."""

    def __init__(self, snapshots: int, pages: int, current_seconds: float = CURRENT_SECONDS):
        self._published: dict[tuple[int, str], tuple[PublishedRef, float]] = {}
        self._current_seconds = current_seconds
        self._results = _Lru(snapshots)
        self._evaluations = _Lru(max(1, snapshots // 2))
        self._pages = _Lru(pages)
        self._build = threading.Lock()
        self.page_builds = 0

    def published(self, year: int, system: str) -> PublishedRef | None:
        """The current snapshot of a round known to be published, without asking the database; forgotten
        after ``current_seconds``, so that a correction published by another worker is served soon after."""
        known = self._published.get((year, system))
        if known is None or time.monotonic() - known[1] > self._current_seconds:
            return None
        return known[0]

    def remember(self, ref: PublishedRef) -> None:
        """Keep a published round's current snapshot reference (for ``current_seconds``)."""
        self._published[(ref.year, ref.system_id)] = (ref, time.monotonic())

    def forget(self, year: int, system: str) -> None:
        """Drop what is known of a round (this worker published or corrected it, or a test resets it); the
        pages of a replaced snapshot stay cached under its id (earlier versions are still served)."""
        self._published.pop((year, system), None)

    def page(self, key: tuple[Any, ...]) -> bytes | None:
        """Encoded bytes served before under ``key``, if still cached."""
        found: bytes | None = self._pages.get(key)
        return found

    def store_page(self, key: tuple[Any, ...], body: bytes) -> bytes:
        """Cache encoded bytes under ``key``; returns them."""
        self.page_builds += 1
        self._pages.put(key, body)
        return body

    def results(self, ref: PublishedRef, build: Callable[[], T]) -> T:
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
