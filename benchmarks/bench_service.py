"""Benchmark: the HTTP service under a bounded load on 127.0.0.1 — rankings of 3 000 units, and uploads of one
district form — with ratios against baselines measured in the same run.

Run with ``.venv/bin/python -m benchmarks.bench_service``. The server is a real uvicorn process (one worker,
SQLite in a temporary directory); the load comes from this process over keep-alive connections, a fixed number
of requests, and each request's latency is measured from send to last byte.

- rankings: a 3 000-unit system (``benchmarks.synthetic``: 5 dimensions, 20 sub-dimensions, 40 indicators, two
  years) with every unit's submission accepted, then published. The published path serves the stored snapshot
  from memory (encoded once); the baseline is the same request on the round before publishing, which staff see
  as a preview scored afresh from the accepted submissions on every request. Goal: ≥ 1 000 req/s, p99 ≤ 20 ms.
- upload: one Jinan district form (31 indicators × 3 years) per request, validated and stored as a new version;
  the baseline is the engine reading the same bytes in this process (``read_bytes``), i.e. what the service adds
  on top of parsing. Goal: ≤ 200 ms per form.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.synthetic import synthetic_dataset, synthetic_system
from scoring.io import read_bytes
from scoring.system import load_system
from service.auth import CLI, Role, issue_token
from service.db import Database
from service.results import publish
from service.rounds import close_round, open_round
from service.settings import DEFAULT_SYSTEMS, Settings
from service.submissions import OUTCOME_VALID, VALUE_COLUMNS, ParsedUpload, store_submission
from service.systems import SystemCatalog, register_system
from service.tables import ReviewRow, SubmissionRow

REPO = Path(__file__).resolve().parents[1]
FORM = REPO / "sample_inputs" / "jinan" / "forms" / "370102_历下区.xlsx"
RANKING_YEAR = 2024
UPLOAD_YEAR = 2023  # the Jinan round: its forms hold 2022–2024


@dataclass
class Measured:
    """Latencies (seconds) of a run of requests and its wall time."""

    name: str
    latencies: list[float]
    wall: float
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.name:<44} {len(self.latencies):>6} req  {self.rate:>9.1f} req/s  "
            f"p50 {self.percentile(0.50) * 1000:>8.2f} ms  p99 {self.percentile(0.99) * 1000:>8.2f} ms  [{codes}]"
        )


# ----------------------------------------------------------------------------------------------- the load


async def _connection(
    port: int, request: bytes, count: int, latencies: list[float], statuses: dict[int, int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            if length:
                await reader.readexactly(int(length.group(1)))
            latencies.append(time.perf_counter() - start)
            status = int(head[9:12])
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _load(
    port: int, request: bytes, total: int, connections: int, timeout: float
) -> tuple[list[float], float, dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    per = [total // connections + (1 if i < total % connections else 0) for i in range(connections)]
    start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(_connection(port, request, n, latencies, statuses) for n in per if n)), timeout
    )
    return latencies, time.perf_counter() - start, statuses


def load(
    name: str,
    port: int,
    request: bytes,
    total: int,
    connections: int,
    timeout: float = 600,
    warm: bool = True,
) -> Measured:
    """Send ``total`` copies of ``request`` over ``connections`` keep-alive connections (bounded by ``timeout``),
    after one unmeasured request when ``warm`` (so that a cache is filled, as in steady state)."""
    if warm:
        asyncio.run(_load(port, request, 1, 1, timeout))
    latencies, wall, statuses = asyncio.run(_load(port, request, total, connections, timeout))
    return Measured(name, latencies, wall, statuses)


def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    """A raw HTTP/1.1 GET request."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post_file(path: str, file_name: str, content: bytes, headers: dict[str, str]) -> bytes:
    """A raw HTTP/1.1 multipart upload of one file in the field ``file``."""
    boundary = "digiscore-bench-" + hashlib.sha256(content).hexdigest()[:16]
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        f"Content-Length: {len(body)}",
    ] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


# ---------------------------------------------------------------------------------------------- the data


def prepare(data_dir: Path, units: int) -> dict[str, str]:
    """A 3 000-unit round with every unit's submission accepted (closed, not yet published), a Jinan round open
    for uploads, and tokens; returns the authorization headers by role."""
    settings = Settings(data_dir=data_dir)
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    now = datetime.now(UTC)
    system = synthetic_system(units, 40, weighting="equal")
    jinan = load_system(DEFAULT_SYSTEMS[0])
    with database.write() as session:
        register_system(session, system, CLI, now)
        register_system(session, jinan, CLI, now)
        _, admin = issue_token(session, Role.ADMIN, None, "bench", now)
        _, district = issue_token(session, Role.DISTRICT, "370102", "bench", now)
    open_round(database, RANKING_YEAR, system.id, system.version, CLI, now)
    open_round(database, UPLOAD_YEAR, jinan.id, jinan.version, CLI, now)

    values = synthetic_dataset(system, (RANKING_YEAR - 1, RANKING_YEAR)).values
    for unit, frame in values.groupby("unit_code", sort=True):
        own = frame[VALUE_COLUMNS].reset_index(drop=True)
        content = frame[["unit_code", "indicator_code", "year", "value"]].to_csv(index=False).encode()
        parsed = ParsedUpload(OUTCOME_VALID, own, [])
        store_submission(
            database, RANKING_YEAR, system.id, str(unit), f"{unit}.csv", "text/csv", content, parsed, CLI, now
        )
    with database.write() as session:
        ids = session.query(SubmissionRow.id).all()
        session.add_all(ReviewRow(submission_id=i, decision="accept", reviewed_at=now) for (i,) in ids)
    close_round(database, RANKING_YEAR, system.id, CLI, now)
    database.dispose()
    return {"admin": f"Bearer {admin}", "district": f"Bearer {district}"}


# -------------------------------------------------------------------------------------------- the server


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """A uvicorn worker process on the data directory; returns once /health answers."""
    env = os.environ | {"DIGISCORE_DATA_DIR": str(data_dir)}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "service.app:app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(get("/health"))
                if b" 200 " in probe.recv(1024):
                    return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


def main() -> None:
    """Prepare the data, start the server, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=5000, help="requests per published-ranking run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--baseline-requests", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="digiscore-bench-") as directory:
        data_dir = Path(directory)
        started = time.perf_counter()
        headers = prepare(data_dir, args.units)
        print(
            f"prepared {args.units} units × 40 indicators × 2 years in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        server = start_server(data_dir, port)
        try:
            run(port, headers, args, data_dir)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(port: int, headers: dict[str, str], args: argparse.Namespace, data_dir: Path) -> None:
    """The measured runs and the summary with ratios and goals."""
    admin = {"Authorization": headers["admin"]}
    ranking = f"/rounds/{RANKING_YEAR}/rankings"

    # baseline: the round is closed but not published; staff get it scored afresh on every request
    baseline = load(
        "baseline: preview, rescored per request", port, get(ranking, admin), args.baseline_requests, 1
    )

    database = Database(Settings(data_dir=data_dir).sqlalchemy_url)
    started = time.perf_counter()
    outcome = publish(database, SystemCatalog(), RANKING_YEAR, "bench", CLI, datetime.now(UTC))
    print(f"published: {outcome['bytes'] / 1e6:.1f} MB snapshot in {time.perf_counter() - started:.1f} s")
    database.dispose()

    published = load("rankings, published (page of 50)", port, get(ranking), args.requests, args.connections)
    full = load(
        f"rankings, published (all {args.units} units)",
        port,
        get(f"{ranking}?limit={args.units}"),
        max(args.requests // 10, 50),
        args.connections,
    )
    node = load(
        "rankings of a dimension (node=D2)", port, get(f"{ranking}?node=D2"), args.requests, args.connections
    )

    content = FORM.read_bytes()
    system = load_system(DEFAULT_SYSTEMS[0])
    read_bytes(content, FORM.name, system)  # warm: the first read loads what the reader imports lazily
    parse_times = []
    for _ in range(args.uploads):
        start = time.perf_counter()
        read_bytes(content, FORM.name, system)
        parse_times.append(time.perf_counter() - start)
    parse = Measured("baseline: read_bytes in process", parse_times, sum(parse_times), {0: args.uploads})
    request = post_file(
        f"/rounds/{UPLOAD_YEAR}/units/370102/submissions",
        FORM.name,
        content,
        {"Authorization": headers["district"]},
    )
    upload = load("upload one district form (validate + store)", port, request, args.uploads, 1, warm=False)

    print()
    for measured in (baseline, published, full, node, parse, upload):
        print(measured.line())
    print()
    speedup = published.rate / baseline.rate
    print(
        f"rankings: published snapshot vs rescoring per request: {speedup:,.0f}× the requests per second, "
        f"p50 {baseline.percentile(0.5) / published.percentile(0.5):,.0f}× lower"
    )
    print(
        f"  goal ≥ 1000 req/s and p99 ≤ 20 ms: {published.rate:.0f} req/s, p99 {published.percentile(0.99) * 1000:.1f} ms"
        f" → {'met' if published.rate >= 1000 and published.percentile(0.99) <= 0.020 else 'NOT met'}"
    )
    overhead = upload.percentile(0.5) / parse.percentile(0.5)
    print(
        f"upload: p50 {upload.percentile(0.5) * 1000:.1f} ms = {overhead:.1f}× the engine's parse alone; "
        f"goal ≤ 200 ms: {'met' if upload.percentile(0.99) <= 0.200 else 'NOT met'} (p99 {upload.percentile(0.99) * 1000:.1f} ms)"
    )
    for measured in (published, full, node, upload):
        expected = 201 if measured is upload else 200
        if set(measured.statuses) != {expected}:
            print(f"warning: {measured.name} answered {measured.statuses}, expected only {expected}")


if __name__ == "__main__":
    main()
