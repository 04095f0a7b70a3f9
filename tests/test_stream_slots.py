"""The bound on open status streams: a stream per job up to it, the rest polled, and each freed stream
handed to the job that has waited longest (the real run loop against the sandbox, and the slots
themselves)."""

from __future__ import annotations

import asyncio

import fal_client
from aiohttp import web

from blocks.fal._queue import (
    CallSlots,
    JobUrls,
    PoolSettings,
    QueueClient,
    StreamSlots,
    backup_url,
    stream_bound,
)
from blocks.fal._run import WaitPolicy, run_fal_job
from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer

from .conftest import SECRET
from .run_support import MOCHI, QUICK

POLICY = WaitPolicy(**{**QUICK.__dict__, "first_poll": 0.05, "max_poll": 0.2})


async def test_ten_jobs_under_a_bound_of_three_streams_all_finish_and_freed_streams_go_to_waiting_jobs(
    sandbox: SandboxServer,
) -> None:
    for n in range(10):  # 0.25 s to 2.5 s: slots free while other jobs still run
        sandbox.plan_next(
            JobPlan(queue_positions=(1, 0), log_lines=("a", "b", "c"), step_seconds=0.05 * (n + 1))
        )
    client = QueueClient(SECRET, PoolSettings(max_streams=3))
    most_open = 0

    async def watch_slots() -> None:
        nonlocal most_open
        while True:
            most_open = max(most_open, client.stream_slots.open)
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch_slots())
    try:
        outcomes = await asyncio.wait_for(
            asyncio.gather(
                *(run_fal_job(client, MOCHI, {"prompt": f"job {n}"}, policy=POLICY) for n in range(10))
            ),
            timeout=60,
        )
    finally:
        watcher.cancel()
        await client.aclose()

    assert len({outcome.request_id for outcome in outcomes}) == 10
    assert all(outcome.result["video"]["url"] for outcome in outcomes)
    calls = sandbox.journal.per_job()
    assert len(calls) == 10 and all(job["submit"] == 1 for job in calls.values()), "one submit each"
    assert most_open == 3, "never more streams than the bound, and the bound used"
    assert client.stream_slots.open == 0 and client.stream_slots.waiting == 0, "every slot given back"
    polled = [job for job, counts in calls.items() if counts["status"] > 0]
    assert len(polled) >= 7, "the jobs beyond the bound were polled"
    handed = [job for job in polled if calls[job]["stream"] == 1]
    assert handed, "a freed stream went to a job that was polling"
    for job in handed:  # it polled first, then followed the stream it was handed
        mine = [entry for entry in sandbox.journal.entries if entry.request_id == job]
        first_status = next(n for n, entry in enumerate(mine) if entry.call == "status")
        stream = next(n for n, entry in enumerate(mine) if entry.call == "stream")
        assert first_status < stream


async def test_a_freed_slot_goes_to_the_longest_waiting_job() -> None:
    slots = StreamSlots(1)
    assert slots.take() and not slots.take()
    first, second, third = slots.wait_turn(), slots.wait_turn(), slots.wait_turn()
    assert not slots.take(), "a job that just came does not jump the queue"
    slots.release()
    assert first.done() and not second.done() and not third.done()
    slots.leave(second)  # gave up waiting (its job finished by polling)
    slots.release()  # the first job's stream ended
    assert third.done() and slots.open == 1 and slots.waiting == 0
    slots.leave(third)  # handed a slot it no longer needs: passed on, here back to the free ones
    assert slots.open == 0 and slots.take()


def test_the_stream_bound_follows_the_open_file_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
        assert stream_bound(64) == 832, "1,024 files less 64 calls' connections and 128 kept free"
        resource.setrlimit(resource.RLIMIT_NOFILE, (150, hard))
        assert stream_bound(64) == 1, "at least one stream, however low the limit"
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert stream_bound(64) <= 10_000


async def test_events_split_across_writes_with_comments_crlf_and_multi_line_data_are_read_whole() -> None:
    """The status stream's reader takes server-sent events as the format allows them to arrive."""
    pieces = [
        b": keep-alive\r\n\r\n",
        b'data: {"status": "IN_QUEUE", "queue_',
        b'position": 2}\r\n\r\nevent: status\nid: 7\ndata: {"status":\ndata: "IN_PROGRESS", "logs": []}\n',
        b'\n: keep-alive\n\ndata: {"status": "COMPLETED", "logs": [], "metrics": {}}\n\n',
    ]

    async def serve(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in pieces:
            await response.write(piece)
            await asyncio.sleep(0.01)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/fal-ai/mochi-v1/requests/r1/status/stream", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}/fal-ai/mochi-v1/requests/r1"
    client = QueueClient(SECRET, PoolSettings(max_streams=1))
    seen: list[object] = []
    try:
        async with client.stream(
            JobUrls("r1", f"{base}/status", base, f"{base}/cancel"), stall_timeout=5
        ) as events:
            async for status in events:
                seen.append(status)
                if isinstance(status, fal_client.Completed):
                    break
    finally:
        await client.aclose()
        await runner.cleanup()
    assert [type(status).__name__ for status in seen] == ["Queued", "InProgress", "Completed"]
    assert isinstance(seen[0], fal_client.Queued) and seen[0].position == 2


def test_only_fal_s_own_queue_host_has_a_backup() -> None:
    assert (
        backup_url("https://queue.fal.run/fal-ai/veo3/requests/abc/status?logs=1")
        == "https://queue.falrun.com/fal-ai/veo3/requests/abc/status?logs=1"
    )
    assert backup_url("http://queue.fal.run/fal-ai/veo3") is None, "never over plain http"
    assert backup_url("https://gateway.example.com/fal-ai/veo3") is None


async def test_a_running_job_s_call_goes_before_queued_submits_and_a_cancelled_wait_gives_nothing_away() -> (
    None
):
    slots = CallSlots(1)
    order: list[str] = []
    hold = asyncio.Event()

    async def call(name: str, *, submit: bool) -> None:
        async with slots.turn(submit=submit):
            order.append(name)
            await hold.wait()

    first = asyncio.create_task(call("first submit", submit=True))
    await asyncio.sleep(0)
    queued = [asyncio.create_task(call(f"submit {n}", submit=True)) for n in range(3)]
    await asyncio.sleep(0)
    given_up = asyncio.create_task(call("status given up", submit=False))
    result = asyncio.create_task(call("result", submit=False))
    await asyncio.sleep(0)
    given_up.cancel()
    await asyncio.sleep(0)
    hold.set()
    await asyncio.wait_for(asyncio.gather(first, result, *queued), timeout=5)
    assert order == ["first submit", "result", "submit 0", "submit 1", "submit 2"]
    assert given_up.cancelled() and slots.busy == 0
