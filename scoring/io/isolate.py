"""Run a parse where a crash or an overrun cannot take the caller down: a warm worker process with limits.

A reader meeting hostile input may abort the whole process (Rust's allocator does, in calamine), use all
memory or run for minutes. In the service every upload is parsed by :func:`read_upload` in a worker process
that has its address space limited (``RLIMIT_AS``) and is killed when it runs past the timeout; the caller gets
a :class:`SubmissionError` with ``upload.parse_failed`` or ``upload.parse_timeout`` and goes on serving.

Workers are forked from a *fork server* that has imported the readers (pandas, numpy, calamine) once, so a new
worker costs a fork, not an interpreter start; a :class:`WorkerPool` keeps idle workers ready, runs one job per
worker at a time, and replaces a worker that died or was killed. A worker's own failure (a Python exception)
comes back as that exception; only the death of a worker ends it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Final

from scoring.data import Dataset
from scoring.io.safety import UploadLimits
from scoring.problems import Location, Problem, SubmissionError
from scoring.system.models import IndicatorSystem

log = logging.getLogger("digiscore.io")

_PRELOAD: Final = ["scoring.io.read", "scoring.io.isolate"]


class WorkerDied(Exception):
    """The worker process ended without an answer (killed by a signal, or out of memory)."""

    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        name = signal.Signals(-exitcode).name if exitcode is not None and exitcode < 0 else str(exitcode)
        super().__init__(f"worker process ended ({name})")


class WorkerTimeout(Exception):
    """The job ran past its timeout (the worker was killed), or no worker became free in time."""


def _limit_memory(limit: int) -> None:
    """Cap the address space of this process; allocations beyond fail (MemoryError, or an abort in Rust)."""
    try:
        import resource
    except ImportError:  # not on Linux: the timeout still bounds the parse
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _serve(connection: Connection, memory_bytes: int) -> None:
    """A worker's loop: receive (function, args), send ("ok", result) or ("error", exception), until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server stops the server, which stops us
    _limit_memory(memory_bytes)
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", function(*args))
        except Exception as error:  # the job's failure is the caller's to report, not ours to die of
            answer = ("error", error)
        except BaseException as error:  # SystemExit and the like must not end the caller's thread
            answer = ("error", RuntimeError(f"{type(error).__name__}: {error}"))
        try:
            connection.send(answer)
        except Exception as error:  # an answer that does not pickle (or no memory left to do it)
            try:
                connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
            except Exception:
                return


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class WorkerPool:
    """Up to ``workers`` warm worker processes, each with ``memory_bytes`` of address space at most."""

    def __init__(self, workers: int = 2, memory_bytes: int = 3 * 1024**3):
        self.workers = max(1, workers)
        self.memory_bytes = memory_bytes
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._idle: list[_Worker] = []
        self._alive = 0
        self._lock = threading.Condition()
        self._closed = False

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve, args=(child, self.memory_bytes), name="digiscore-parse", daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def warm(self) -> None:
        """Start the workers now, so that the first jobs do not wait for them."""
        with self._lock:
            while self._alive < self.workers and not self._closed:
                self._idle.append(self._start())
                self._alive += 1

    def _acquire(self, deadline: float) -> _Worker:
        with self._lock:
            while True:
                if self._closed:
                    raise RuntimeError("the worker pool is closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.process.is_alive():
                        return worker
                    worker.stop()
                    self._alive -= 1
                if self._alive < self.workers:
                    self._alive += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerTimeout("no worker became free in time")
                self._lock.wait(remaining)
        try:
            return self._start()
        except BaseException:
            with self._lock:
                self._alive -= 1
                self._lock.notify()
            raise

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._lock:
            if healthy and not self._closed:
                self._idle.append(worker)
            else:
                self._alive -= 1
            self._lock.notify()
        if not healthy:
            worker.stop()
            # a replacement now, so the next job finds a warm worker (outside the lock: a fork takes a while)
            threading.Thread(target=self._replace, daemon=True, name="digiscore-parse-respawn").start()

    def _replace(self) -> None:
        with contextlib.suppress(Exception):
            self.warm()

    def run(self, function: Callable[..., Any], *args: Any, timeout: float = 60.0) -> Any:
        """``function(*args)`` in a worker: its result, or its exception raised here. Raises
        :class:`WorkerDied` when the worker ends without answering and :class:`WorkerTimeout` when the job
        (waiting for a free worker included) takes more than ``timeout`` seconds; the worker is then killed."""
        deadline = time.monotonic() + timeout
        worker = self._acquire(deadline)
        healthy = False
        try:
            try:
                worker.connection.send((function, args))
            except (BrokenPipeError, EOFError, OSError):
                worker.process.join(timeout=5)
                raise WorkerDied(worker.process.exitcode) from None
            remaining = max(deadline - time.monotonic(), 0.0)
            if not worker.connection.poll(remaining):
                raise WorkerTimeout(f"no answer in {timeout:g} s")
            try:
                kind, value = worker.connection.recv()
            except (EOFError, OSError):
                worker.process.join(timeout=5)
                raise WorkerDied(worker.process.exitcode) from None
            healthy = True
        finally:
            self._release(worker, healthy)
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._lock.notify_all()
        for worker in idle:
            worker.stop()


_pools: dict[tuple[int, int], WorkerPool] = {}
_pools_lock = threading.Lock()


def pool_for(limits: UploadLimits) -> WorkerPool:
    """The process's pool for these limits (one per worker count and memory limit), created warm."""
    key = (limits.parse_workers, limits.parse_memory_bytes)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = WorkerPool(limits.parse_workers, limits.parse_memory_bytes)
            pool.warm()
    return pool


@atexit.register
def close_pools() -> None:
    """Stop every worker of every pool (at exit, or when a service shuts down)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


def _read(content: bytes, file_name: str, system: IndicatorSystem, limits: UploadLimits) -> Dataset:
    from scoring.io.read import read_bytes

    return read_bytes(content, file_name, system, limits)


def read_upload(
    content: bytes, file_name: str, system: IndicatorSystem, limits: UploadLimits | None = None
) -> Dataset:
    """:func:`scoring.io.read_bytes` (safety checks, then the readers) in a worker process of the pool for
    ``limits``: bounded in memory (``parse_memory_bytes``) and time (``parse_timeout_seconds``).

    Raises :class:`SubmissionError` for a file that is refused or unusable, with ``upload.parse_failed`` when
    the parse ran out of memory or its worker died, and ``upload.parse_timeout`` when it ran too long.
    """
    limits = limits or UploadLimits()
    where = Location(file=file_name)
    try:
        dataset: Dataset = pool_for(limits).run(
            _read, content, file_name, system, limits, timeout=limits.parse_timeout_seconds
        )
    except SubmissionError:
        raise
    except WorkerTimeout as error:
        log.warning("parse of %s stopped: %s", file_name, error)
        raise SubmissionError(
            Problem(
                "upload.parse_timeout",
                location=where,
                params={"seconds": f"{limits.parse_timeout_seconds:g}"},
            )
        ) from None
    except MemoryError:
        log.warning("parse of %s ran out of memory", file_name)
        raise SubmissionError(
            Problem(
                "upload.parse_failed",
                location=where,
                params={
                    "detail": f"内存超过 {_mib(limits.parse_memory_bytes)} / "
                    f"more than {_mib(limits.parse_memory_bytes)} of memory"
                },
            )
        ) from None
    except WorkerDied as error:
        log.warning("parse of %s: %s", file_name, error)
        raise SubmissionError(
            Problem(
                "upload.parse_failed",
                location=where,
                params={"detail": f"解析进程异常退出 / the parser process ended: {error.exitcode}"},
            )
        ) from None
    return dataset


def _mib(size: int) -> str:
    return f"{size / 1024**2:.0f} MiB"
