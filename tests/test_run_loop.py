"""The shared run loop, driven through a block (and straight through `run_fal_job` where a test needs
its own policy) against the sandbox over loopback HTTP, under the faults real fal and networks make."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from blocks._sdk import BlockExecutionError
from blocks.fal._events import CancelSent, QueuePosition, StreamInterrupted
from blocks.fal._ledger import JobState
from blocks.fal._run import WaitPolicy
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, MissingFalKeyError, credentials_from_env, credentials_input
from fal_sandbox.plan import Fault, JobPlan, Success, model_error, validation_failure
from fal_sandbox.render import ClipSpec, render_clip
from fal_sandbox.server import SandboxServer, route_fal_client

from .conftest import FAST, BlockRun, RunBlock, assert_no_secret
from .run_support import QUICK, JobRun, ledger_at, refuse_streams, run_job, until

PROMPT = {"prompt": "A lighthouse at dawn, waves breaking"}
LINES = tuple(f"step {n} of 5" for n in range(1, 6))


async def test_happy_path_reports_each_queue_position_and_log_line_once(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(3, 2, 1, 0), log_lines=LINES))
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)

    assert run.failure is None
    assert run.names() == ["request_id", "video_url", "logs"]
    request_id = run.first("request_id")
    assert sandbox.journal.accepted_jobs() == [request_id]
    logs = run.first("logs")
    assert logs[0] == f"submitted to fal-ai/mochi-v1 as request {request_id}"
    positions = [line for line in logs if line.startswith("in queue")]
    assert positions == [f"in queue, position {n}" for n in (3, 2, 1, 0)]
    assert [line for line in logs if line.startswith("fal: ")] == [f"fal: {line}" for line in LINES]
    assert logs[-1].startswith("completed after")
    calls = sandbox.journal.per_job()[request_id]
    assert dict(calls) == {"submit": 1, "stream": 1, "result": 1}, (
        "no status call after submit or before fetch"
    )

    async with httpx.AsyncClient() as http:
        video = await http.get(run.first("video_url"))
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"


async def test_model_choice_selects_the_endpoint(sandbox: SandboxServer, run_block: RunBlock) -> None:
    run = await run_block(AIVideoGeneratorBlock(), {**PROMPT, "model": "fal-ai/luma-dream-machine"})
    assert run.failure is None
    job = sandbox.jobs[run.first("request_id")]
    assert (
        job.endpoint == "fal-ai/luma-dream-machine/ray-2"
    )  # Dream Machine 1.5 was delisted: its successor renders it
    assert job.arguments == {"prompt": PROMPT["prompt"]}


async def test_completed_with_error_is_a_failure_naming_the_request(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    sandbox.plan_next(JobPlan(outcome=model_error("CUDA out of memory")))
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)

    assert isinstance(run.failure, BlockExecutionError)
    request_id = run.first("request_id")
    assert "CUDA out of memory" in str(run.failure)
    assert "runner_server_error" in str(run.failure)
    assert request_id in str(run.failure)
    assert "video_url" not in run.names()
    assert sandbox.journal.count("submit") == 1


async def test_422_detail_becomes_one_line_per_field(sandbox: SandboxServer, run_block: RunBlock) -> None:
    sandbox.plan_next(
        JobPlan(outcome=validation_failure(("prompt", "field required"), ("duration", "must be 5 or 10")))
    )
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)

    assert isinstance(run.failure, BlockExecutionError)
    lines = str(run.failure).splitlines()
    assert "prompt: field required" in lines
    assert "duration: must be 5 or 10" in lines


@pytest.mark.parametrize("call", ["status", "result"])
@pytest.mark.parametrize("kind", ["429", "502", "500", "503"])
async def test_bursts_of_transient_errors_are_survived_with_one_submit(
    sandbox: SandboxServer, run_block: RunBlock, call: str, kind: str
) -> None:
    refuse_streams(sandbox)
    sandbox.inject(Fault(call, kind, times=3, after=1 if call == "status" else 0))  # type: ignore[arg-type]
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)

    assert run.failure is None, run.failure
    request_id = run.first("request_id")
    assert sandbox.journal.count("submit") == 1
    failed = [e for e in sandbox.journal.entries if e.call == call and e.status == int(kind)]
    assert len(failed) == 3
    assert sandbox.journal.count("result", request_id, ok_only=True) == 1


async def test_dropped_connections_while_waiting_are_survived(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    refuse_streams(sandbox)
    sandbox.inject(Fault("status", "drop", times=2, after=1), Fault("result", "drop", times=1))
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)

    assert run.failure is None, run.failure
    assert sandbox.journal.count("submit") == 1
    assert sum(1 for entry in sandbox.journal.entries if entry.status == 0) == 3


async def test_rate_limited_submit_creates_one_job(sandbox: SandboxServer, run_block: RunBlock) -> None:
    sandbox.inject(Fault("submit", "429", times=2))
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)

    assert run.failure is None
    assert sandbox.journal.count("submit") == 3
    assert sandbox.journal.accepted_jobs() == [run.first("request_id")]


async def test_retries_give_up_at_the_deadline_without_resubmitting(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    refuse_streams(sandbox)
    sandbox.inject(Fault("status", "500", times=10_000))
    run = await run_block(AIVideoGeneratorBlock(), {**PROMPT, "timeout_seconds": 1})

    assert isinstance(run.failure, BlockExecutionError)
    assert "did not finish within 1s" in str(run.failure)
    assert sandbox.journal.count("submit") == 1
    assert any("status failed (HTTP 500); retry" in line for line in run.first("logs"))


async def test_deadline_cancels_the_job_once_and_names_the_request(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(5,), step_seconds=60))
    run = await run_block(AIVideoGeneratorBlock(), {**PROMPT, "timeout_seconds": 1})

    assert isinstance(run.failure, BlockExecutionError)
    request_id = run.first("request_id")
    assert request_id in str(run.failure)
    assert "did not finish within 1s" in str(run.failure)
    assert sandbox.journal.count("cancel", request_id) == 1
    assert sandbox.journal.count("submit") == 1
    assert sandbox.jobs[request_id].cancelled
    assert f"cancel sent for request {request_id} (accepted)" in run.first("logs")[-1]


async def cancel_mid_run(
    sandbox: SandboxServer,
    credentials: FalCredentials,
    caplog: pytest.LogCaptureFixture,
    ready: Callable[[], bool],
) -> str:
    """Run the block as the platform does, cancel its task once `ready()`, and return the job's id.

    The cancellation must come out of the task (never swallowed) and the key must not leak."""
    inputs = {**PROMPT, **FAST, "credentials": credentials_input(credentials)}

    async def consume() -> None:
        async for _ in AIVideoGeneratorBlock().execute(inputs, credentials=credentials):
            pass

    task = asyncio.create_task(consume())
    for _ in range(300):  # bounded wait for the moment to cancel
        if ready():
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_no_secret(BlockRun(), caplog)
    (request_id,) = sandbox.journal.accepted_jobs()
    return request_id


async def test_task_cancellation_cancels_the_job_and_propagates(
    sandbox: SandboxServer, test_credentials: FalCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(2,), step_seconds=60))
    request_id = await cancel_mid_run(
        sandbox, test_credentials, caplog, lambda: sandbox.journal.count("stream") >= 1
    )
    assert sandbox.journal.count("cancel", request_id) == 1
    assert sandbox.jobs[request_id].cancelled


async def test_cancellation_during_submit_still_cancels_the_job(
    sandbox: SandboxServer, test_credentials: FalCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    """Cancelled while the submit is in flight: the answer is awaited, then the job is cancelled."""
    sandbox.plan_next(JobPlan(queue_positions=(2,), step_seconds=60))
    slow = Fault("submit", "stall", seconds=0.5)  # the POST has arrived; its answer comes later
    sandbox.inject(slow)
    request_id = await cancel_mid_run(sandbox, test_credentials, caplog, lambda: slow.seen >= 1)
    assert sandbox.journal.count("cancel", request_id) == 1
    assert sandbox.jobs[request_id].cancelled


async def test_missing_key_fails_before_any_request(sandbox: SandboxServer, run_block: RunBlock) -> None:
    empty = FalCredentials(provider="fal", api_key=SecretStr(""), title="empty")
    run = await run_block(AIVideoGeneratorBlock(), PROMPT, credentials=empty)

    assert isinstance(run.failure, BlockExecutionError)
    assert str(run.failure).startswith("credentials:")
    assert sandbox.journal.entries == []


def test_standalone_key_resolution_follows_fal_client() -> None:
    assert credentials_from_env({"FAL_KEY": "abc"}).api_key.get_secret_value() == "abc"
    both = credentials_from_env({"FAL_KEY_ID": "id", "FAL_KEY_SECRET": "sec"})
    assert both.api_key.get_secret_value() == "id:sec"
    assert "sec" not in repr(both) and "sec" not in str(both)
    with pytest.raises(MissingFalKeyError, match="FAL_KEY"):
        credentials_from_env({"FAL_KEY_ID": "only-the-id"})


async def test_a_job_fal_no_longer_knows_fails_clearly(sandbox: SandboxServer, run_block: RunBlock) -> None:
    """A non-transient failure while waiting (404) ends the run at once, naming the request."""
    refuse_streams(sandbox)
    sandbox.plan_next(JobPlan(queue_positions=(1,), step_seconds=60))

    async def forget_the_job() -> None:
        for _ in range(500):  # bounded: until the first status call has been answered
            if sandbox.journal.count("status"):
                sandbox.jobs.clear()
                return
            await asyncio.sleep(0.01)

    forgetting = asyncio.create_task(forget_the_job())
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)
    await forgetting
    assert isinstance(run.failure, BlockExecutionError)
    assert "HTTP 404" in str(run.failure)
    assert run.first("request_id") in str(run.failure)
    assert sandbox.journal.count("submit") == 1


async def test_fifty_concurrent_runs_share_one_loop_and_submit_once_each(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    """The run loop under load; one shared clip keeps the sandbox from rendering fifty."""
    clip = render_clip(ClipSpec(width=64, height=36, fps=8, duration=0.5, caption="shared"))
    shared = {
        "video": {"url": sandbox.media.put(clip, "video/mp4", "shared.mp4"), "content_type": "video/mp4"}
    }
    sandbox.default_plan = JobPlan(queue_positions=(2, 1, 0), log_lines=("a", "b"), outcome=Success(shared))
    runs = await asyncio.gather(
        *(run_block(AIVideoGeneratorBlock(), {"prompt": f"clip {n}"}) for n in range(50))
    )

    assert all(run.failure is None for run in runs)
    request_ids = {run.first("request_id") for run in runs}
    assert len(request_ids) == 50
    assert sorted(sandbox.journal.accepted_jobs()) == sorted(request_ids)
    assert all(counts["submit"] == 1 for counts in sandbox.journal.per_job().values())
    prompts = {sandbox.jobs[run.first("request_id")].arguments["prompt"] for run in runs}
    assert prompts == {f"clip {n}" for n in range(50)}


def test_backoff_grows_exponentially_to_the_cap_with_jitter() -> None:
    policy = WaitPolicy(first_poll=1.0, max_poll=8.0, growth=2.0, jitter=0.2)
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(base * 0.8 <= delay <= base * 1.2 for delay in delays)
        assert max(delays) - min(delays) > 0  # jittered, not fixed


async def test_a_result_without_a_video_is_a_failure(sandbox: SandboxServer, run_block: RunBlock) -> None:
    """fal can report COMPLETED and return no video: that is never a success."""
    sandbox.plan_next(JobPlan(outcome=Success({"video": {"content_type": "video/mp4"}})))
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)
    assert isinstance(run.failure, BlockExecutionError)
    assert "without a video URL" in str(run.failure)
    assert run.first("request_id") in str(run.failure)


async def test_the_submit_carries_the_deadline_as_fals_start_timeout(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    """fal drops a job that has not started by then, and fal-client then never retries a submit whose
    answer timed out (such a retry can create a second, billed job)."""
    run = await run_block(AIVideoGeneratorBlock(), {**PROMPT, "timeout_seconds": 300})
    assert run.failure is None
    headers = sandbox.jobs[run.first("request_id")].headers
    assert float(headers["X-Fal-Request-Timeout"]) == 300.0


# ---- the status stream, and when it breaks -------------------------------------------------------


async def test_without_the_stream_polling_reports_the_same_progress(sandbox: SandboxServer) -> None:
    refuse_streams(sandbox)
    sandbox.plan_next(JobPlan(queue_positions=(3, 2, 1, 0), log_lines=LINES))
    polled = await run_job()
    sandbox.plan_next(JobPlan(queue_positions=(3, 2, 1, 0), log_lines=LINES))
    sandbox._faults.clear()
    streamed = await run_job()

    assert polled.outcome is not None and streamed.outcome is not None
    assert [line for line in polled.logs[1:-1]] == [line for line in streamed.logs[1:-1]]
    assert sandbox.journal.count("status", polled.outcome.request_id) >= 9  # one per step, no stream
    assert sandbox.journal.count("status", streamed.outcome.request_id) == 0


@pytest.mark.parametrize("kind", ["cut", "stall", "bad_json"])
async def test_a_stream_that_breaks_mid_job_still_completes_with_one_submit(
    sandbox: SandboxServer, kind: str
) -> None:
    """Dropped, stalled (nothing, not even keep-alives) or unreadable after its first event: one status
    call, then the stream is reopened; the job is never submitted again."""
    sandbox.plan_next(JobPlan(queue_positions=(2, 1, 0), log_lines=LINES, step_seconds=0.1))
    sandbox.inject(Fault("stream", kind, seconds=None))  # type: ignore[arg-type]
    run = await run_job(policy=WaitPolicy(**{**QUICK.__dict__, "stream_stall": 0.3}))

    assert run.failure is None, run.failure
    request_id = run.outcome.request_id  # type: ignore[union-attr]
    counts = sandbox.journal.per_job()[request_id]
    assert counts["submit"] == 1 and counts["stream"] == 2 and counts["status"] == 1
    (interrupted,) = run.events_of(StreamInterrupted)
    assert {"cut": "dropped", "stall": "nothing received", "bad_json": "not JSON"}[kind] in interrupted.reason
    positions = [event.position for event in run.events_of(QueuePosition)]
    assert positions[0] == 2 and positions == sorted(set(positions), reverse=True)  # each once, in order
    assert [line for line in run.logs if line.startswith("fal: ")] == [f"fal: {line}" for line in LINES]


SIX = tuple(f"line {n} of 6" for n in range(1, 7))


@pytest.mark.parametrize("follow", ["stream", "polling", "stream cut twice mid-job", "timed, cut mid-job"])
async def test_a_six_line_job_reports_exactly_six_lines_in_order(sandbox: SandboxServer, follow: str) -> None:
    """Stream events carry only new lines, status answers all of them (fal's wire, as the sandbox
    speaks it); a stream cut after its first event is resynced by one status call and reopened, and
    the reopened stream's first event starts again from the job's first line."""
    timed = follow.startswith("timed")
    sandbox.plan_next(
        JobPlan(queue_positions=(1, 0) if timed else (), log_lines=SIX, step_seconds=0.1 * timed)
    )
    if follow == "polling":
        refuse_streams(sandbox)
    elif "cut" in follow:
        sandbox.inject(Fault("stream", "cut", times=1 if timed else 2))
    run = await run_job()

    assert run.failure is None, run.failure
    assert [line for line in run.logs if line.startswith("fal: ")] == [f"fal: {line}" for line in SIX]
    request_id = run.outcome.request_id  # type: ignore[union-attr]
    opened = {"stream": 1, "polling": 0, "stream cut twice mid-job": 3, "timed, cut mid-job": 2}[follow]
    assert sandbox.journal.count("stream", request_id, ok_only=True) == opened


async def test_a_stream_that_keeps_breaking_falls_back_to_polling(sandbox: SandboxServer) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(1, 0), log_lines=LINES, step_seconds=0.05))
    sandbox.inject(Fault("stream", "502", times=10**6))
    run = await run_job()

    assert run.failure is None, run.failure
    counts = sandbox.journal.per_job()[run.outcome.request_id]  # type: ignore[union-attr]
    assert counts["submit"] == 1 and counts["stream"] == 5  # MAX_STREAM_FAILURES, then polling only
    assert counts["status"] >= 5


# ---- every answer distrusted -----------------------------------------------------------------------


@pytest.mark.parametrize("call", ["status", "result"])
@pytest.mark.parametrize("kind", ["bad_json", "html", "deep_json"])
async def test_a_200_with_a_broken_body_is_retried_like_a_502(
    sandbox: SandboxServer, run_block: RunBlock, call: str, kind: str
) -> None:
    refuse_streams(sandbox)
    sandbox.inject(Fault(call, kind, times=2, after=1 if call == "status" else 0))  # type: ignore[arg-type]
    run = await run_block(AIVideoGeneratorBlock(), PROMPT)

    assert run.failure is None, run.failure
    request_id = run.first("request_id")
    assert sandbox.journal.count("submit") == 1
    assert sandbox.journal.count("result", request_id, ok_only=True) == 1
    assert sum(1 for line in run.first("logs") if f"{call} failed (unreadable answer" in line) == 2
    assert sandbox.journal.count("cancel") == 0


WRONG_STATUS = {"other_id": "another request", "bad_status": "unknown status", "deep_json": "not JSON"}


@pytest.mark.parametrize("call", ["status", "stream"])
@pytest.mark.parametrize("kind", sorted(WRONG_STATUS))
async def test_a_wrong_status_answer_is_retried_and_never_believed(
    sandbox: SandboxServer, tmp_path: Path, call: str, kind: str
) -> None:
    """Another request's COMPLETED, a status fal does not have ("FAILED"), JSON nested past the parser's
    recursion: a transient bad answer, on polling and on the stream. The job is not taken as finished
    (no early result call), not recorded as failed, and its six lines arrive once each."""
    if call == "status":
        refuse_streams(sandbox)
    sandbox.plan_next(JobPlan(queue_positions=(1, 0), log_lines=SIX))
    sandbox.inject(Fault(call, kind, times=2 if call == "status" else 1))  # type: ignore[arg-type]
    ledger = ledger_at(tmp_path)
    run = await run_job(ledger=ledger)

    assert run.failure is None, run.failure
    request_id = run.outcome.request_id  # type: ignore[union-attr]
    assert sandbox.journal.count("submit") == 1
    assert sandbox.journal.count("result", request_id) == 1, "the result was asked for once, when COMPLETED"
    assert [line for line in run.logs if line.startswith("fal: ")] == [f"fal: {line}" for line in SIX]
    assert [entry.state for entry in ledger.jobs()] == [JobState.COMPLETED]
    if call == "status":
        retries = [line for line in run.logs if "status failed (unreadable answer" in line]
        assert len(retries) == 2 and all(WRONG_STATUS[kind] in line for line in retries)
    else:
        (interrupted,) = run.events_of(StreamInterrupted)
        assert WRONG_STATUS[kind] in interrupted.reason
    ledger.close()


async def test_a_stalled_call_times_out_and_is_retried_within_the_deadline(sandbox: SandboxServer) -> None:
    refuse_streams(sandbox)
    sandbox.inject(Fault("status", "stall", seconds=None), Fault("result", "stall", seconds=None))
    policy = WaitPolicy(**{**QUICK.__dict__, "call_timeout": 0.3, "deadline": 20.0})
    loop = asyncio.get_running_loop()
    began = loop.time()
    run = await run_job(policy=policy)

    assert run.failure is None, run.failure
    assert loop.time() - began < 5, "each stalled call cost its own timeout, not fal-client's 120 s"
    assert sum(1 for line in run.logs if "failed (timed out" in line) == 2
    assert sandbox.journal.count("submit") == 1


async def test_retry_after_is_honoured(sandbox: SandboxServer) -> None:
    refuse_streams(sandbox)
    sandbox.inject(Fault("status", "429", retry_after=0.6), Fault("result", "503", retry_after=0.6))
    run = await run_job()

    assert run.failure is None, run.failure
    entries = [entry for entry in sandbox.journal.entries if entry.call in ("status", "result")]
    for failed, following in itertools.pairwise(entries):
        if failed.status in (429, 503):
            assert following.at - failed.at >= 0.6, (failed, following)
    assert sum(1 for entry in entries if entry.status in (429, 503)) == 2


async def test_a_retry_after_beyond_the_deadline_ends_in_a_cancel_at_the_deadline(
    sandbox: SandboxServer,
) -> None:
    refuse_streams(sandbox)
    sandbox.plan_next(JobPlan(queue_positions=(1,), step_seconds=60))
    sandbox.inject(Fault("status", "429", retry_after=60))
    loop = asyncio.get_running_loop()
    began = loop.time()
    run = await run_job(policy=WaitPolicy(**{**QUICK.__dict__, "deadline": 1.0}))

    assert run.failure is not None and run.failure.kind == "timeout"
    assert loop.time() - began < 4
    assert "did not finish within 1s and was cancelled" in str(run.failure)
    assert sandbox.journal.count("cancel", ok_only=True) == 1


async def test_the_key_never_goes_to_a_host_a_submit_answer_names(sandbox: SandboxServer) -> None:
    """A submit answer whose status, result and cancel URLs point elsewhere (another host, or plain
    http) is not followed there: the job is followed on the submit host."""
    async with SandboxServer(host="127.0.0.2") as elsewhere:
        sandbox.answer_base_url = elsewhere.url
        run = await run_job()
    assert run.failure is None, run.failure
    assert elsewhere.journal.entries == [], "nothing (and no key) reached the other host"
    assert sandbox.journal.count("result", run.outcome.request_id, ok_only=True) == 1  # type: ignore[union-attr]


# ---- submitting once -------------------------------------------------------------------------------


async def test_a_submit_accepted_then_dropped_is_never_sent_again(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    """fal made the job and the answer was lost: not retried, whatever the deadline, and the error
    says fal may have accepted it."""
    for timeout in (1, 1200):
        sandbox.journal.clear()
        sandbox.inject(Fault("submit", "accept_then_drop"))
        run = await run_block(AIVideoGeneratorBlock(), {**PROMPT, "timeout_seconds": timeout})

        assert isinstance(run.failure, BlockExecutionError)
        assert "fal may still have accepted the job" in str(run.failure)
        assert "fal-ai/mochi-v1" in str(run.failure)
        assert len(sandbox.journal.accepted_jobs()) == 1
        assert sandbox.journal.count("submit") == 1, "one POST, ever"


async def test_a_submit_that_could_not_connect_says_it_is_safe_to_retry(sandbox: SandboxServer) -> None:
    closed = SandboxServer()
    await closed.start()
    url = closed.url
    await closed.stop()  # nothing listens there now
    with route_fal_client(url):
        run = await run_job()
    assert run.failure is not None and run.failure.kind == "not_sent"
    assert "nothing was sent, so running again is safe" in str(run.failure)
    assert "may still have accepted" not in str(run.failure)


async def test_a_refused_submit_made_no_job_and_is_not_retried(sandbox: SandboxServer) -> None:
    sandbox.inject(Fault("submit", "404"))
    run = await run_job()
    assert run.failure is not None and run.failure.kind == "rejected"
    assert sandbox.journal.accepted_jobs() == []
    assert sandbox.journal.count("submit") == 1


# ---- cancelling, and saying what the cancel did ----------------------------------------------------


async def test_a_cancel_after_the_job_completed_says_so_and_not_cancelled(sandbox: SandboxServer) -> None:
    """The job finished on fal before the run knew (it polls slowly here) and the run is stopped: fal
    answers 400 ALREADY_COMPLETED, which is reported as such, not as a cancelled job."""
    refuse_streams(sandbox)
    sandbox.plan_next(JobPlan(queue_positions=(0,), log_lines=(), step_seconds=0.05))
    slow = WaitPolicy(**{**QUICK.__dict__, "first_poll": 30.0, "max_poll": 30.0})
    record = JobRun()
    task = asyncio.create_task(run_job(policy=slow, run=record))
    await until(lambda: bool(sandbox.jobs))
    await asyncio.sleep(0.3)  # the 0.1 s job is over on fal's clock; the run has not looked yet
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (request_id,) = sandbox.journal.accepted_jobs()
    (cancel,) = [entry for entry in sandbox.journal.entries if entry.call == "cancel"]
    assert cancel.status == 400
    assert not sandbox.jobs[request_id].cancelled
    (sent,) = record.events_of(CancelSent)
    assert sent.outcome == "already_completed" and not sent.accepted
    assert record.logs[-1].endswith("(not needed: the job had already completed, its result is kept)")


async def test_the_queue_wait_limit_cancels_a_job_still_queued(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(7,), step_seconds=60))
    run = await run_block(AIVideoGeneratorBlock(), {**PROMPT, "max_queue_wait_seconds": 1})

    assert isinstance(run.failure, BlockExecutionError)
    request_id = run.first("request_id")
    assert "waited 1s in fal's queue at position 7 without starting (limit 1s); it was cancelled" in (
        str(run.failure)
    )
    assert sandbox.jobs[request_id].cancelled
    assert sandbox.journal.count("cancel", request_id) == 1, "one cancel, not one per way out"


async def test_the_queue_wait_limit_lets_a_job_that_started_run_on(sandbox: SandboxServer) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(0,), log_lines=("a", "b", "c", "d"), step_seconds=0.3))
    run = await run_job(policy=WaitPolicy(**{**QUICK.__dict__, "max_queue_wait": 0.5}))
    assert run.failure is None, run.failure
    assert sandbox.journal.count("cancel") == 0


# ---- secrets -----------------------------------------------------------------------------------


async def test_a_key_with_a_newline_is_refused_before_any_request(
    sandbox: SandboxServer, run_block: RunBlock
) -> None:
    broken = FalCredentials(provider="fal", api_key=SecretStr("fal-key-7f3a\nX-Injected: 1"), title="t")
    run = await run_block(AIVideoGeneratorBlock(), PROMPT, credentials=broken)
    assert isinstance(run.failure, BlockExecutionError)
    assert "line breaks or control characters" in str(run.failure)
    assert "7f3a" not in str(run.failure)
    assert sandbox.journal.entries == []
