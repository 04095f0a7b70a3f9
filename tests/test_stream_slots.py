"""The bound on open status streams: a stream per job up to it, the rest polled, and each freed stream
handed to the job that has waited longest (the real run loop against the sandbox, and the slots
themselves)."""

from __future__ import annotations

import asyncio

from blocks.fal._queue import PoolSettings, QueueClient, StreamSlots, stream_bound
from blocks.fal._run import WaitPolicy, run_fal_job
from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer

from .conftest import SECRET
from .run_support import MOCHI, QUICK

POLICY = WaitPolicy(**{**QUICK.__dict__, "first_poll": 0.05, "max_poll": 0.2})


async def test_ten_jobs_under_a_bound_of_three_streams_all_finish_and_freed_streams_go_to_waiting_jobs(
    sandbox: SandboxServer,
) -> None:
    for _ in range(10):
        sandbox.plan_next(JobPlan(queue_positions=(1, 0), log_lines=("a", "b", "c"), step_seconds=0.2))
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
    assert len(calls) == 10 and all(job["submit"] == 1 and job["result"] == 1 for job in calls.values())
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
