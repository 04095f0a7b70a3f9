"""The status stream: `GET {status_url}/stream?logs=1` as server-sent events.

Each event is `data: <the JSON a status call would answer>`, except its `logs`: as on fal, an event
carries only the lines that are new since the previous event of the same stream, and a fresh
stream's first event every line so far (fal-js `libs/client/src/queue.ts` at 381105e, lines 422-446,
adds a stream's lines up from an empty list "to match previous polling behavior"); polling stays
cumulative. One event per step the job takes (queue position, each new log line, COMPLETED), then
the stream closes. A timed plan (`step_seconds > 0`) is followed by the clock: the stream wakes at
each step boundary, so it sees every step a poller could see. An untimed plan is walked one step per
event, exactly the states one status call per step would see. Between events a `: keep-alive`
comment line is sent every `keepalive_seconds`. A cancelled job ends the stream with its COMPLETED
(client_cancelled) event; stopping the server ends every stream.

An `interruption` (a stream `Fault`) acts after the first event: "cut" closes the connection, "stall"
goes silent (no keep-alives) for its `seconds` (None: until the server stops), a body fault
("bad_json", "deep_json", "other_id", "bad_status") sends one such event; the stream then goes on
(after a stall that ends).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .answers import wrong_body

if TYPE_CHECKING:
    from .plan import Fault
    from .server import Job

KEEPALIVE = b": keep-alive\n\n"
STALL_LIMIT_SECONDS = 3600.0
"""A stream stalled "forever" still ends: after this, or when the server stops."""
_SLACK = 1e-3  # wake just after a step boundary: asyncio timers may fire a hair early


async def _interrupt(
    request: web.Request, response: web.StreamResponse, fault: Fault, stopping: asyncio.Event | None, job: Job
) -> bool:
    """Apply a stream fault after the first event; False when the stream is over (cut, or a stall
    that never ends)."""
    if fault.kind == "cut":
        if request.transport is not None:
            request.transport.close()
        return False
    if fault.kind != "stall":
        await response.write(f"data: {wrong_body(fault.kind, job.request_id)}\n\n".encode())
        return True
    limit = fault.seconds if fault.seconds is not None else STALL_LIMIT_SECONDS
    if stopping is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=limit)
    else:
        await asyncio.sleep(limit)
    return fault.seconds is not None


def event(body: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(body, separators=(',', ':'))}\n\n".encode()


async def stream_status(
    request: web.Request,
    job: Job,
    body_of: Callable[[Job], dict[str, Any]],
    *,
    keepalive_seconds: float,
    closing: Callable[[], bool],
    interruption: Fault | None = None,
    stopping: asyncio.Event | None = None,
) -> web.StreamResponse:
    """Serve the stream for `job` until it completes, the client leaves or the server stops."""
    response = web.StreamResponse(
        status=200,
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "x-fal-request-id": job.request_id,
        },
    )
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    keepalive = max(keepalive_seconds, 0.01)
    untimed = job.plan.step_seconds <= 0
    # Bounded: every pass either emits a step (at most one per step), wakes at a step boundary,
    # wakes on a change (steps or cancel), or sends a keep-alive (at most one per interval).
    remaining = 0.0 if untimed else (len(job.steps) - job.step) * job.plan.step_seconds
    passes = 3 * len(job.steps) + math.ceil(remaining / keepalive) + 4
    last: tuple[int, bool] | None = None
    sent_lines = 0  # log lines this stream has carried so far
    next_ping = loop.time() + keepalive
    try:
        for _ in range(passes):
            if closing():
                break
            now = loop.time()
            job.tick(now)
            state = (job.step, job.cancelled)
            if state != last:
                body = body_of(job)
                if body.get("logs") is not None:
                    body["logs"], sent_lines = body["logs"][sent_lines:], len(body["logs"])
                await response.write(event(body))
                last, next_ping = state, now + keepalive
                if job.completed:
                    break
                if interruption is not None:
                    if not await _interrupt(request, response, interruption, stopping, job):
                        return response
                    interruption, next_ping = None, loop.time() + keepalive
                if untimed:  # walk the plan: this event was the observation of this step
                    job.observed = True
                    job.advance(now)
                    continue
            elif now >= next_ping:
                await response.write(KEEPALIVE)
                next_ping = now + keepalive
            wake = min(next_ping, job.next_change_at() or next_ping)
            changed = job.changed()
            try:
                await asyncio.wait_for(changed.wait(), timeout=max(0.0, wake - loop.time()) + _SLACK)
            except TimeoutError:
                pass
        await response.write_eof()
    except ConnectionError:
        pass  # the client left: nobody to tell
    return response
