"""`fal-video sandbox`: the fal sandbox as a long-running process, for trying clients against it by hand."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from fal_sandbox.plan import JobPlan


@dataclass(frozen=True)
class SandboxOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    latency: float = 0.5
    """Seconds per job step (each queue position, each log line); 0 moves one step per status call."""
    queue_depth: int = 1
    """Queue positions a job reports before it starts: depth N reports N-1 down to 0."""
    fault_rate: float = 0.0
    """Share of status and result calls answered with a transient 429 or 502."""


def job_plan(options: SandboxOptions) -> JobPlan:
    from fal_sandbox.plan import JobPlan  # the command line is read before the sandbox is loaded

    return JobPlan(
        queue_positions=tuple(range(options.queue_depth - 1, -1, -1)),
        step_seconds=options.latency,
    )


async def serve_sandbox(options: SandboxOptions, out: TextIO) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly."""
    from fal_sandbox.server import SandboxServer

    server = SandboxServer(host=options.host, port=options.port)
    server.default_plan = job_plan(options)
    if options.fault_rate > 0:
        server.random_faults(options.fault_rate)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        out.write(instructions(server.url))
        out.flush()
        await stop.wait()
    out.write("sandbox stopped\n")
    out.flush()


def instructions(url: str) -> str:
    return f"""fal sandbox listening on {url} (synthetic test clips, nothing is billed)

Point fal-client at it (any non-empty FAL_KEY is accepted):
    from fal_sandbox.server import route_fal_client
    with route_fal_client("{url}"):
        ...  # fal_client calls and fal blocks now talk to the sandbox
or set these fal_client.client attributes yourself:
    QUEUE_URL_FORMAT = "{url}/"
    REST_URL = CDN_URL = "{url}"

Ctrl-C stops it.
"""
