"""What the run-loop benchmarks share: the sandbox in another process, its journal, lag figures.

Lags are measured on the sandbox's clock (`time.monotonic`, one clock for every process on the
machine): a job's completion moment is its submit plus its plan's steps; the client noticed it when
its result request arrived (the loop fetches the result the moment it sees COMPLETED).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import statistics
import sys
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

STEPS_TO_COMPLETION = 5
"""Steps from submit to COMPLETED in `bench.sandbox_process`'s plans: two queue positions, three log
lines."""

CONSOLE = Console(width=170)
"""Wide enough for every benchmark table, terminal or not."""


@contextlib.contextmanager
def route_fal_client_to(url: str) -> Iterator[None]:
    """fal-client's URL constants pointed at `url` (what `fal_sandbox.server.route_fal_client` does,
    without importing the sandbox, its renderer and their memory into a client being measured)."""
    import fal_client.client as fal_http

    saved = (fal_http.QUEUE_URL_FORMAT, fal_http.REST_URL, fal_http.CDN_URL)
    fal_http.QUEUE_URL_FORMAT, fal_http.REST_URL, fal_http.CDN_URL = f"{url}/", url, url
    try:
        yield
    finally:
        fal_http.QUEUE_URL_FORMAT, fal_http.REST_URL, fal_http.CDN_URL = saved


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a live process has used so far; nan where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def sandbox_process(
    step: float, plans: Iterable[str] = (), cpu: list[float] | None = None
) -> AsyncIterator[str]:
    """`bench.sandbox_process` in a child process; yields its URL, stops it on the way out (after
    appending the CPU seconds it used to `cpu`, when given: is the server the bottleneck?)."""
    arguments = [sys.executable, "-m", "bench.sandbox_process", "--step", str(step)]
    for spec in plans:
        arguments += ["--plan", spec]
    process = await asyncio.create_subprocess_exec(
        *arguments, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        url = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        yield url
    finally:
        if cpu is not None:
            cpu.append(cpu_seconds(process.pid))
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def journal(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60) as http:
        return (await http.get(f"{url}/_sandbox/journal")).json()  # type: ignore[no-any-return]


@dataclass
class JobCalls:
    endpoint: str
    arguments: dict[str, Any]
    submitted_at: float | None = None
    submits: int = 0
    statuses: int = 0
    streams: int = 0
    results: int = 0
    first_result_at: float | None = None


def per_job(served: dict[str, Any]) -> dict[str, JobCalls]:
    """Each accepted job's calls, from the served journal."""
    jobs: dict[str, JobCalls] = {}
    arguments = served["arguments"]
    for entry in served["entries"]:
        request_id = entry["request_id"]
        if not request_id:
            continue
        job = jobs.setdefault(request_id, JobCalls(entry["endpoint"], arguments.get(request_id, {})))
        call, ok = entry["call"], 200 <= entry["status"] < 300 and not entry["note"].startswith("fault:")
        if call == "submit":
            job.submits += 1
            job.submitted_at = entry["at"]
        elif call == "status":
            job.statuses += 1
        elif call == "stream":
            job.streams += 1
        elif call == "result":
            job.results += 1
            if ok and job.first_result_at is None:
                job.first_result_at = entry["at"]
    return jobs


def detection_lag(job: JobCalls, step: float) -> float | None:
    """Seconds from the job's completion (on the sandbox's clock) to the client's result request."""
    if job.submitted_at is None or job.first_result_at is None:
        return None
    return job.first_result_at - (job.submitted_at + STEPS_TO_COMPLETION * step)


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (nearest rank); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else math.nan


@dataclass
class LoopLag:
    """How late the event loop runs a 20 ms timer, sampled while a benchmark runs."""

    interval: float = 0.02
    samples: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            await asyncio.sleep(self.interval)
            self.samples.append(max(loop.time() - began - self.interval, 0.0))

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
