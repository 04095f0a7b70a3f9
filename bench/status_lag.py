"""How late a finished job is noticed, and what noticing costs (issue 11.1): the run loop on fal's
status stream, the run loop polling (stream off), and fal-client's `subscribe`, over jobs of 10 to
300 seconds, all in real time, side by side against the sandbox in another process.

Lag: from the job's completion on the sandbox's clock to the client's result request (each client
fetches the result as soon as it sees COMPLETED). Calls: status and stream requests per job, besides
the submit and the result. `BENCH_LAG_LENGTHS=10,30` runs shorter jobs only.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

import fal_client
from pydantic import SecretStr
from rich.table import Table

from blocks.fal._client import queue_client_for
from blocks.fal._run import WaitPolicy, run_fal_job

from .support import (
    CONSOLE,
    STEPS_TO_COMPLETION,
    detection_lag,
    journal,
    mean,
    per_job,
    percentile,
    route_fal_client_to,
    sandbox_process,
)

KEY = "bench-key"
JOBS_PER_CELL = 10
LENGTHS = tuple(int(x) for x in os.environ.get("BENCH_LAG_LENGTHS", "10,30,100,300").split(","))
TARGETS = {"stream": (0.25, 3), "polling": (5.0, 40)}


async def stream(endpoint: str, prompt: str) -> None:
    await run_fal_job(queue_client_for(SecretStr(KEY)), endpoint, {"prompt": prompt})


async def polling(endpoint: str, prompt: str) -> None:
    policy = WaitPolicy(status_stream=False)  # the block's defaults: about 1 s, backing off to 4 s
    await run_fal_job(queue_client_for(SecretStr(KEY)), endpoint, {"prompt": prompt}, policy=policy)


async def subscribe(endpoint: str, prompt: str) -> None:
    await fal_client.AsyncClient(key=KEY).subscribe(
        endpoint, {"prompt": prompt}, with_logs=True, on_queue_update=lambda status: None
    )


MODES: dict[str, tuple[str, Callable[[str, str], Awaitable[None]]]] = {
    "run loop, status stream": ("stream", stream),
    "run loop, polling (stream off)": ("polling", polling),
    "fal-client subscribe (0.1 s polls)": ("", subscribe),
}


def endpoint_for(mode: int, length: int) -> str:
    return f"bench/lag-{mode}-{length}s"


async def measure() -> dict[tuple[str, int], tuple[float, float, float, float]]:
    plans = [
        f"{endpoint_for(m, length)}={length / STEPS_TO_COMPLETION}:{JOBS_PER_CELL}"
        for m in range(len(MODES))
        for length in LENGTHS
    ]
    async with sandbox_process(2.0, plans) as url:
        with route_fal_client_to(url):
            await asyncio.gather(
                *(
                    run(endpoint_for(m, length), f"{name} {length} s #{n}")
                    for m, (name, (_, run)) in enumerate(MODES.items())
                    for length in LENGTHS
                    for n in range(JOBS_PER_CELL)
                )
            )
        served = await journal(url)
    figures = {}
    jobs = per_job(served)
    for m, name in enumerate(MODES):
        for length in LENGTHS:
            cell = [job for job in jobs.values() if job.endpoint == endpoint_for(m, length)]
            step = length / STEPS_TO_COMPLETION
            lags = [lag for job in cell if (lag := detection_lag(job, step)) is not None]
            calls = [job.statuses + job.streams for job in cell]
            figures[name, length] = (percentile(lags, 0.5), percentile(lags, 0.95), max(lags), mean(calls))
        cell = [job for job in jobs.values() if job.endpoint.startswith(f"bench/lag-{m}-")]
        lags = [lag for job in cell if (lag := detection_lag(job, _step(job.endpoint))) is not None]
        calls = [job.statuses + job.streams for job in cell]
        figures[name, 0] = (percentile(lags, 0.5), percentile(lags, 0.95), max(lags), mean(calls))
    return figures


def _step(endpoint: str) -> float:
    return int(endpoint.rsplit("-", 1)[1].removesuffix("s")) / STEPS_TO_COMPLETION


def main() -> None:
    figures = asyncio.run(measure())
    table = Table(
        title=f"noticing completion: {JOBS_PER_CELL} jobs per row, real time, sandbox in another process"
    )
    for column in (
        "client",
        "job length",
        "lag p50",
        "lag p95",
        "lag max",
        "status+stream calls/job",
        "target",
    ):
        table.add_column(column, justify="left" if column in ("client", "target") else "right")
    for name, (kind, _) in MODES.items():
        for length in (*LENGTHS, 0):
            p50, p95, worst, calls = figures[name, length]
            target = TARGETS.get(kind)
            met = target is None or (p95 <= target[0] and calls <= target[1])
            goal = f"p95 ≤ {target[0]:g} s, ≤ {target[1]} calls" if target else ""
            table.add_row(
                name,
                f"{length} s" if length else "all of them",
                f"{p50:.3f} s",
                f"{p95:.3f} s",
                f"{worst:.3f} s",
                f"{calls:.1f}",
                goal + ("" if met else " [red]✗[/red]"),
            )
    CONSOLE.print(table)
    CONSOLE.print(
        "lag: job completion (sandbox clock) → the client's result request. calls: besides submit and "
        "result.",
        highlight=False,
    )


if __name__ == "__main__":
    main()
