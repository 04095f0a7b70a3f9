"""The run loop under load: N concurrent block runs in one event loop against the sandbox.

Prints wall time, jobs per second, and the calls each job cost (submits must stay at exactly one).
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import time

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, credentials_input
from fal_sandbox.plan import JobPlan, Success
from fal_sandbox.render import ClipSpec, render_clip
from fal_sandbox.server import SandboxServer, route_fal_client

CREDENTIALS = FalCredentials(provider="fal", api_key=SecretStr("bench-key"), title="bench")


async def run_batch(jobs: int, step_seconds: float) -> dict[str, float]:
    async with SandboxServer() as sandbox:
        clip = render_clip(ClipSpec(64, 36, 8, 0.5, "shared"))
        shared = {"video": {"url": sandbox.media.put(clip, "video/mp4", "shared.mp4")}}
        sandbox.default_plan = JobPlan(
            queue_positions=(2, 1, 0),
            log_lines=("a", "b", "c"),
            step_seconds=step_seconds,
            outcome=Success(shared),
        )
        inputs = {
            "prompt": "bench",
            "max_poll_interval_seconds": 0.25,
            "credentials": credentials_input(CREDENTIALS),
        }

        async def one() -> None:
            async for _ in AIVideoGeneratorBlock().execute(inputs, credentials=CREDENTIALS):
                pass

        with route_fal_client(sandbox.url):
            start = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(jobs)))
            wall = time.perf_counter() - start
        per_job = sandbox.journal.per_job().values()
        return {
            "wall": wall,
            "jobs_per_s": jobs / wall,
            "submits": max(counts["submit"] for counts in per_job),
            "polls": statistics.mean(counts["status"] for counts in per_job),
        }


def main() -> None:
    table = Table(title="run loop: concurrent AIVideoGeneratorBlock runs against the sandbox")
    for column in ("jobs", "job length", "wall s", "jobs/s", "status calls/job", "submits/job"):
        table.add_column(column, justify="right")
    for jobs, step in ((50, 0.0), (200, 0.0), (200, 0.2)):
        figures = asyncio.run(run_batch(jobs, step))
        length = "untimed" if step == 0 else f"{step * 7:.1f} s"
        table.add_row(
            str(jobs),
            length,
            f"{figures['wall']:.2f}",
            f"{figures['jobs_per_s']:.0f}",
            f"{figures['polls']:.1f}",
            str(figures["submits"]),
        )
    Console().print(table)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Console().print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
