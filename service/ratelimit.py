"""A limit on failed sign-ins: after ``limit`` failures from one client address within a minute, that address
gets 429 (with ``Retry-After``) for every token it tries — a good one too — until the oldest failure is a
minute old.

A failure is a bearer token (``Authorization`` header) or a dashboard sign-in that names no valid token:
unknown, revoked, expired or malformed. Requests without a token are never counted, so the public is never
slowed down, and neither is a client that uses a good token. Tokens carry 256 random bits, so guessing one is
hopeless anyway; the limit keeps a guessing client from loading the database and the log.

The count is per worker process and kept in memory: with ``n`` workers behind one address, a client may fail
up to ``n × limit`` times a minute before every worker refuses it, and a restart forgets the counts. The
client address is the one uvicorn reports (behind a proxy, run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` so that it is the real client's, not the proxy's — or every client shares one
budget). At most :data:`MAX_TRACKED` addresses are remembered; the least recently failing are forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import Request

from service.errors import ServiceError

WINDOW_S = 60.0
MAX_TRACKED = 100_000


class FailureLimiter:
    """Failed attempts per client address in a sliding window of :data:`WINDOW_S` seconds (thread-safe)."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic, window: float = WINDOW_S):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try again, or None when it may try now."""
        if self.limit <= 0:
            return None
        with self._lock:
            times = self._recent(address)
            if times is None or len(times) < self.limit:
                return None
            return max(1, math.ceil(times[0] + self.window - self.clock()))

    def failed(self, address: str) -> None:
        """Count one failed attempt of ``address``."""
        if self.limit <= 0:
            return
        with self._lock:
            times = self._recent(address)
            if times is None:
                times = self._failures[address] = deque()
            times.append(self.clock())
            while len(times) > self.limit:
                times.popleft()  # only the newest `limit` failures matter
            self._failures.move_to_end(address)
            while len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)

    def _recent(self, address: str) -> deque[float] | None:
        times = self._failures.get(address)
        if times is None:
            return None
        cutoff = self.clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[address]
            return None
        return times


def client_address(request: Request) -> str:
    """The address failures are counted under (uvicorn's view of the client)."""
    return request.client.host if request.client else "unknown"


def limiter_of(request: Request) -> FailureLimiter:
    """The app's limiter (``app.state.auth_failures``, made by the app factory)."""
    limiter: FailureLimiter = request.app.state.auth_failures
    return limiter


def too_many_failures(retry_after: int) -> ServiceError:
    """429 with ``Retry-After``."""
    return ServiceError(
        429,
        "too-many-failed-sign-ins",
        f"too many failed sign-ins from this address; try again in {retry_after} s",
        headers={"Retry-After": str(retry_after)},
    )


def refuse_if_blocked(request: Request) -> None:
    """Raise 429 when the request's address has failed too often in the last minute."""
    wait = limiter_of(request).retry_after(client_address(request))
    if wait is not None:
        raise too_many_failures(wait)


def count_failure(request: Request) -> None:
    """Count a failed sign-in of the request's address."""
    limiter_of(request).failed(client_address(request))
