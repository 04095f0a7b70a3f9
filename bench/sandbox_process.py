"""The sandbox in a process of its own, for benchmarks that measure the client alone.

    python -m bench.sandbox_process --step 2.0 [--plan ENDPOINT=STEP:COUNT ...]

Jobs return a fixed result (no rendering: the benchmarks measure the run loop, not PyAV) and follow
a timed plan: queue positions 1, 0, three log lines, COMPLETED, one step every STEP seconds. A
`--plan` queues COUNT jobs with their own step for submits to ENDPOINT (job lengths side by side).
Prints its URL on the first line, serves until stdin closes or SIGTERM; the journal (with each job's
arguments) is at `GET /_sandbox/journal`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from fal_sandbox.plan import JobPlan, Success
from fal_sandbox.server import SandboxServer

from .support import STEPS_TO_COMPLETION

RESULT = {"video": {"url": "http://127.0.0.1:9/bench.mp4", "content_type": "video/mp4"}}
LOG_LINES = ("loading model", "generating frames", "encoding video")


def plan(step_seconds: float) -> JobPlan:
    """Two queue positions and the log lines, then COMPLETED: `STEPS_TO_COMPLETION` steps."""
    plan = JobPlan(
        queue_positions=(1, 0), log_lines=LOG_LINES, step_seconds=step_seconds, outcome=Success(RESULT)
    )
    assert len(plan.queue_positions) + len(plan.log_lines) == STEPS_TO_COMPLETION
    return plan


async def serve(step: float, plans: list[str]) -> None:
    server = SandboxServer()
    server.default_plan = plan(step)
    for spec in plans:
        endpoint, _, rest = spec.partition("=")
        seconds, _, count = rest.partition(":")
        for _ in range(int(count)):
            server.plan_next(plan(float(seconds)), endpoint=endpoint)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def stdin_readable() -> None:
        if not sys.stdin.read(1):  # closed: the benchmark is done with us
            stop.set()

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    async with server:
        print(server.url, flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", type=float, default=2.0)
    parser.add_argument("--plan", action="append", default=[])
    args = parser.parse_args()
    asyncio.run(serve(args.step, args.plan))


if __name__ == "__main__":
    main()
