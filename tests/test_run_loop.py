"""The shared run loop, driven through a block and the real fal-client against the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from blocks._sdk import BlockExecutionError
from blocks.fal._run import WaitPolicy
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, MissingFalKeyError, credentials_from_env, credentials_input
from fal_sandbox.plan import Fault, JobPlan, Success, model_error, validation_failure
from fal_sandbox.render import ClipSpec, render_clip
from fal_sandbox.server import SandboxServer

from .conftest import FAST, BlockRun, RunBlock, assert_no_secret

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

    async with httpx.AsyncClient() as http:
        video = await http.get(run.first("video_url"))
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"


async def test_model_choice_selects_the_endpoint(sandbox: SandboxServer, run_block: RunBlock) -> None:
    run = await run_block(AIVideoGeneratorBlock(), {**PROMPT, "model": "fal-ai/luma-dream-machine"})
    assert run.failure is None
    job = sandbox.jobs[run.first("request_id")]
    assert job.endpoint == "fal-ai/luma-dream-machine"
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
    assert any("cancel sent" in line and "accepted" in line for line in run.first("logs"))


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
        sandbox, test_credentials, caplog, lambda: sandbox.journal.count("status") >= 2
    )
    assert sandbox.journal.count("cancel", request_id) == 1
    assert sandbox.jobs[request_id].cancelled


async def test_cancellation_during_submit_still_cancels_the_job(
    sandbox: SandboxServer, test_credentials: FalCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    """Cancelled while the submit is in flight: the answer is awaited, then the job is cancelled."""
    sandbox.plan_next(JobPlan(queue_positions=(2,), step_seconds=60))
    sandbox.inject(Fault("submit", "429", times=2))  # keeps the submit in fal-client's retry loop
    request_id = await cancel_mid_run(
        sandbox, test_credentials, caplog, lambda: sandbox.journal.count("submit") >= 1
    )
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
