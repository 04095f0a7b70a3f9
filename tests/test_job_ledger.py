"""Never pay twice, never lose a paid result: the SQLite job ledger, the run loop's use of it, and the
command's, across restarts, processes, unwritable state directories and lost submit answers."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import fal_client
import pytest

from blocks.fal._events import CancelSent, LedgerWriteFailed, Resumed
from blocks.fal._ledger import (
    JobAlreadyOpen,
    JobState,
    LedgerError,
    SqliteJobLedger,
    job_ledger,
    ledger_key,
)
from blocks.fal._run import WaitPolicy, settle_pending_cancels
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, credentials_input
from fal_sandbox.plan import Fault, JobPlan
from fal_sandbox.server import SandboxServer

from .conftest import SECRET, Gateway, RunBlock
from .disk_faults import UnwritableDir, file_instead_of_dir, fill, full_dir, read_only_dir, small_tmpfs
from .run_support import KEY, MOCHI, QUICK, JobRun, ledger_at, run_job, until

PROMPT = "A lantern drifting down a canal"
GRAPH, NODE = "graph-1", "render"
FAL_VIDEO = str(Path(sys.executable).with_name("fal-video"))


# ---- the ledger itself ------------------------------------------------------------------------------


def test_a_job_goes_through_its_states_and_leaves_when_delivered(tmp_path: Path) -> None:
    ledger = ledger_at(tmp_path / "state")
    assert ledger.open_job("a") is None
    intent = ledger.record_intent("a", MOCHI, estimate_usd=0.4)
    assert ledger.open_job("a") == intent and intent.state == JobState.INTENT
    ledger.record_submitted(intent.job_id, "req-1", "https://queue.fal.run/fal-ai/mochi-v1/requests/req-1")
    submitted = ledger.open_job("a")
    assert submitted is not None and submitted.state == JobState.SUBMITTED
    assert submitted.request_id == "req-1" and submitted.estimate_usd == 0.4
    ledger.record_completed(intent.job_id, {"video": {"url": "https://v3.fal.media/a.mp4"}})
    completed = ledger.open_job("a")
    assert completed is not None and completed.state == JobState.COMPLETED
    assert completed.result == {"video": {"url": "https://v3.fal.media/a.mp4"}}
    assert completed.result_url == "https://queue.fal.run/fal-ai/mochi-v1/requests/req-1"

    assert ledger.mark_delivered("req-1") is True
    assert ledger.open_job("a") is None, "a delivered job leaves the open set"
    assert ledger.mark_delivered("req-1") is False
    (row,) = ledger.jobs()
    assert (row.state, row.endpoint, row.request_id) == (JobState.DELIVERED, MOCHI, "req-1")
    assert row.ended_at is not None and row.age() >= 0


def test_one_open_job_per_key_and_history_is_kept(tmp_path: Path) -> None:
    ledger = ledger_at(tmp_path)
    first = ledger.record_intent("a", MOCHI)
    with pytest.raises(JobAlreadyOpen) as taken:
        SqliteJobLedger(ledger.path).record_intent("a", MOCHI)  # another process, the same file
    assert taken.value.entry.job_id == first.job_id
    ledger.record_submitted(first.job_id, "req-1", "u")
    ledger.record_ended(first.job_id, JobState.CANCELLED, "run cancelled")
    second = ledger.record_intent("a", MOCHI)
    assert second.job_id != first.job_id
    assert [entry.state for entry in ledger.jobs()] == [JobState.INTENT, JobState.CANCELLED]
    assert [entry.job_id for entry in ledger.jobs(open_only=True)] == [second.job_id]


def test_resubmit_closes_only_a_submit_whose_answer_is_unknown(tmp_path: Path) -> None:
    ledger = ledger_at(tmp_path)
    lost = ledger.record_intent("lost", MOCHI)
    ledger.record_ambiguous(lost.job_id, "connection dropped (ReadError)")
    known = ledger.record_intent("known", MOCHI)
    ledger.record_submitted(known.job_id, "req-2", "u")

    assert ledger.allow_resubmit("lost") is True
    assert ledger.open_job("lost") is None
    assert ledger.allow_resubmit("known") is False, "a job with a request id is followed, not resubmitted"
    assert ledger.open_job("known") is not None
    (abandoned,) = [entry for entry in ledger.jobs() if entry.key == "lost"]
    assert abandoned.state == JobState.ABANDONED and "connection dropped" in abandoned.note


def test_a_verified_webhook_completes_a_job_once(tmp_path: Path) -> None:
    ledger = ledger_at(tmp_path)
    entry = ledger.record_intent("a", MOCHI)
    ledger.record_submitted(entry.job_id, "req-1", "u")
    assert ledger.complete_from_webhook("req-1", {"video": {"url": "https://x/1.mp4"}}) is True
    assert ledger.complete_from_webhook("req-1", {"video": {"url": "https://x/2.mp4"}}) is False
    assert ledger.complete_from_webhook("req-unknown", {}) is False
    assert ledger.open_job("a").result == {"video": {"url": "https://x/1.mp4"}}  # type: ignore[union-attr]


def test_a_row_this_code_cannot_read_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = ledger_at(tmp_path)
    ledger.record_intent("a", MOCHI)
    ledger.record_intent("b", MOCHI)
    with sqlite3.connect(ledger.path) as raw:  # a newer version's state, written by another process
        raw.execute("UPDATE jobs SET state = 'hibernating' WHERE key = 'a'")
    assert [entry.key for entry in ledger.jobs()] == ["b"]
    assert "skipped row" in caplog.text


def test_the_old_json_lines_ledger_is_migrated_and_a_torn_line_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    legacy = tmp_path / "jobs.jsonl"
    legacy.write_text(
        "\n".join(
            [
                json.dumps({"event": "submitted", "key": "a", "endpoint": MOCHI, "request_id": "req-a"}),
                json.dumps({"event": "submitted", "key": "b", "endpoint": MOCHI, "request_id": "req-b"}),
                '{"event": "ended", "key": "b"',  # torn by a crash: must not swallow the next record
                json.dumps({"event": "submitted", "key": "c", "endpoint": MOCHI, "request_id": "req-c"}),
                json.dumps({"event": "ended", "key": "c"}),
                "garbage from elsewhere",
            ]
        )
        + "\n"
    )
    ledger = ledger_at(tmp_path)
    assert [(e.key, e.state, e.request_id) for e in ledger.jobs(open_only=True)] == [
        ("b", JobState.SUBMITTED, "req-b"),
        ("a", JobState.SUBMITTED, "req-a"),
    ]
    assert not legacy.exists() and (tmp_path / "jobs.jsonl.migrated").exists()
    assert "moved 2 open job(s) from jobs.jsonl" in caplog.text
    assert caplog.text.count("is not a record") == 2


def test_lookups_use_indexes_so_each_job_costs_the_same_at_100000_rows(tmp_path: Path) -> None:
    """O(1) per job: every per-job query is an index search, never a scan (timings: bench/)."""
    ledger = ledger_at(tmp_path)
    ledger.record_intent("warm-up", MOCHI)
    with sqlite3.connect(ledger.path) as raw:
        raw.executemany(
            "INSERT INTO jobs (key, endpoint, state, request_id, created_at)"
            " VALUES (?, ?, 'delivered', ?, 0)",
            ((f"k{n}", MOCHI, f"r{n}") for n in range(100_000)),
        )
        plans = {
            query: " ".join(row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {query}", params))
            for query, params in [
                ("SELECT * FROM jobs WHERE key = ? AND state IN ('intent', 'submitted')", ("k5",)),
                ("UPDATE jobs SET state = 'delivered' WHERE request_id = ? AND state = 'completed'", ("r5",)),
            ]
        }
    for query, plan in plans.items():
        assert "USING INDEX" in plan and "SCAN" not in plan, (query, plan)
    assert ledger.open_job("k99999") is None and ledger.open_job("warm-up") is not None


@pytest.mark.parametrize("make", [read_only_dir, file_instead_of_dir, full_dir])
def test_an_unwritable_ledger_folder_is_found_before_anything_is_sent(tmp_path: Path, make: object) -> None:
    with make(tmp_path) as unwritable:  # type: ignore[operator]
        if unwritable.preexec is not None:
            pytest.fail("mounting is allowed here: the RLIMIT fallback is for other machines")
        with pytest.raises(LedgerError) as refused:
            SqliteJobLedger(unwritable.path / "jobs.sqlite3").check_writable()
    assert str(unwritable.path) in str(refused.value) and "not writable" in str(refused.value)


# ---- the run loop's use of it -------------------------------------------------------------------------


async def run_node(block: AIVideoGeneratorBlock, credentials: FalCredentials) -> list[tuple[str, Any]]:
    inputs = {
        "prompt": PROMPT,
        "max_poll_interval_seconds": 0.05,
        "credentials": credentials_input(credentials),
    }
    return [
        pair async for pair in block.execute(inputs, credentials=credentials, graph_id=GRAPH, node_id=NODE)
    ]


NODE_KEY = ledger_key(f"{GRAPH}/{NODE}", MOCHI, {"prompt": PROMPT})


async def test_a_job_left_open_by_a_killed_run_is_resumed_not_resubmitted(
    sandbox: SandboxServer, test_credentials: FalCredentials, tmp_path: Path
) -> None:
    # What a killed run leaves behind: a submitted job, recorded in the ledger, never ended.
    earlier = await fal_client.AsyncClient(key=SECRET).submit(MOCHI, {"prompt": PROMPT})
    ledger = ledger_at(tmp_path)
    entry = ledger.record_intent(NODE_KEY, MOCHI)
    ledger.record_submitted(entry.job_id, earlier.request_id, earlier.response_url)

    job_ledger.set(ledger)
    outputs = dict(await run_node(AIVideoGeneratorBlock(), test_credentials))

    assert outputs["request_id"] == earlier.request_id
    assert outputs["logs"][0].startswith(f"resumed request {earlier.request_id}")
    assert sandbox.journal.count("submit") == 1, "the restart did not pay for a second job"
    kept = ledger.open_job(NODE_KEY)
    assert kept is not None and kept.state == JobState.COMPLETED, "fetched, not yet delivered"


async def test_a_completed_job_not_yet_delivered_is_delivered_again_for_free(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    ledger = ledger_at(tmp_path)
    first = await run_job(ledger=ledger)
    assert first.outcome is not None
    again = await run_job(ledger=ledger)  # e.g. the host died before it saved the clip

    assert again.outcome is not None and again.outcome.request_id == first.outcome.request_id
    assert again.outcome.result == first.outcome.result
    assert again.events_of(Resumed)
    assert sandbox.journal.count("submit") == 1
    assert sandbox.journal.count("result") == 1, "the kept result is delivered without another call"

    assert ledger.mark_delivered(first.outcome.request_id)
    third = await run_job(ledger=ledger)
    assert third.outcome is not None and third.outcome.request_id != first.outcome.request_id
    assert sandbox.journal.count("submit") == 2, "a delivered job is over: running again is a new job"


async def test_a_new_job_is_recorded_before_it_is_followed_and_a_cancel_recorded(
    sandbox: SandboxServer, test_credentials: FalCredentials, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(3,), step_seconds=60))
    ledger = ledger_at(tmp_path)
    job_ledger.set(ledger)

    task = asyncio.create_task(run_node(AIVideoGeneratorBlock(), test_credentials))
    await until(lambda: sandbox.journal.count("stream") >= 1)
    (request_id,) = sandbox.journal.accepted_jobs()
    recorded = ledger.open_job(NODE_KEY)
    assert recorded is not None and recorded.request_id == request_id, "recorded while still queued"

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sandbox.journal.count("cancel", request_id) == 1
    assert ledger.open_job(NODE_KEY) is None, "a cancelled job is over: the next run submits afresh"
    assert ledger.jobs()[0].state == JobState.CANCELLED


async def test_without_a_ledger_each_run_is_its_own_job(sandbox: SandboxServer, run_block: RunBlock) -> None:
    """As on the platform, which keeps its own records: two runs of the same input are two jobs."""
    assert job_ledger.get() is None
    first = await run_block(AIVideoGeneratorBlock(), {"prompt": PROMPT})
    second = await run_block(AIVideoGeneratorBlock(), {"prompt": PROMPT})
    assert first.first("request_id") != second.first("request_id")
    assert sandbox.journal.count("submit") == 2


async def test_a_lost_submit_answer_is_never_resubmitted_without_being_asked(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.inject(Fault("submit", "accept_then_drop"))
    ledger = ledger_at(tmp_path)
    lost = await run_job(ledger=ledger)
    assert lost.failure is not None and lost.failure.kind == "ambiguous"
    (entry,) = ledger.jobs(open_only=True)
    assert entry.state == JobState.AMBIGUOUS and entry.endpoint == MOCHI and entry.request_id is None

    again = await run_job(ledger=ledger)
    assert again.failure is not None and again.failure.kind == "ambiguous"
    for text in (MOCHI, entry.when(), "--resubmit", "may have accepted it"):
        assert text in again.failure.message
    assert sandbox.journal.count("submit") == 1, "not sent blindly a second time"

    resubmitted = await run_job(ledger=ledger_at(tmp_path, resubmit=True))
    assert resubmitted.outcome is not None
    assert sandbox.journal.count("submit") == 2
    assert {e.state for e in ledger.jobs()} == {JobState.ABANDONED, JobState.COMPLETED}


async def test_an_intent_left_by_a_killed_run_is_not_resubmitted_blindly(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Killed between writing the intent and reading fal's answer: nobody knows if fal has the job."""
    ledger = ledger_at(tmp_path)
    entry = ledger.record_intent(KEY, MOCHI)
    with sqlite3.connect(ledger.path) as raw:  # written an hour ago, by a process long gone
        raw.execute("UPDATE jobs SET created_at = ? WHERE job_id = ?", (time.time() - 3600, entry.job_id))
    run = await run_job(ledger=ledger)
    assert run.failure is not None and run.failure.kind == "ambiguous"
    assert "stopped before fal's answer was recorded" in run.failure.message
    assert sandbox.journal.entries == []


async def test_a_cancel_during_the_rate_limit_backoff_leaves_no_intent(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.inject(Fault("submit", "429", times=100, retry_after=30))
    ledger = ledger_at(tmp_path)
    task = asyncio.create_task(run_job(ledger=ledger))
    await until(lambda: sandbox.journal.count("submit") == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ledger.jobs() == [], "nothing was accepted, so nothing is left to block the next run"


async def test_a_second_cancellation_while_the_cancel_goes_out_still_records_the_job(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Ctrl-C twice: the run stops at once, the cancel PUT goes on, and the ledger is right at every
    moment: open while the cancel is unanswered, cancelled once fal confirms it."""
    sandbox.plan_next(JobPlan(queue_positions=(4,), step_seconds=60))
    sandbox.inject(Fault("cancel", "stall", seconds=0.6))
    ledger = ledger_at(tmp_path)
    record = JobRun()
    task = asyncio.create_task(run_job(ledger=ledger, run=record))
    await until(lambda: sandbox.journal.count("stream") >= 1)
    (request_id,) = sandbox.journal.accepted_jobs()
    task.cancel()
    await asyncio.sleep(0.1)  # the cancel PUT is now out, and stalled on fal's side
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 0.3)
    still = ledger.open_job(KEY)
    assert still is not None and still.state == JobState.SUBMITTED, "open: the job may still run"

    await settle_pending_cancels(5)
    assert ledger.open_job(KEY) is None
    assert ledger.jobs()[0].state == JobState.CANCELLED
    assert sandbox.jobs[request_id].cancelled
    assert [event.outcome for event in record.events_of(CancelSent)] == ["accepted"]


async def test_an_unconfirmed_cancel_keeps_the_job_open_and_a_rerun_follows_it(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(1,), log_lines=("a",), step_seconds=0.4))
    sandbox.inject(Fault("cancel", "500", times=100))
    ledger = ledger_at(tmp_path)
    timed_out = await run_job(
        ledger=ledger, policy=WaitPolicy(**{**QUICK.__dict__, "deadline": 0.2, "cancel_timeout": 0.3})
    )
    assert timed_out.failure is not None
    assert "a cancel was sent but not confirmed, so it may still finish" in timed_out.failure.message
    entry = ledger.open_job(KEY)
    assert entry is not None and entry.state == JobState.CANCEL_UNCONFIRMED

    followed = await run_job(ledger=ledger)
    assert followed.outcome is not None and followed.outcome.request_id == entry.request_id
    assert sandbox.journal.count("submit") == 1


async def test_a_ledger_write_failing_after_submit_names_the_job_and_cancels_it(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The disk fills between the intent and fal's answer: the request id is said (event and error)
    and the job is cancelled, so nothing runs on fal that nobody knows about."""
    with small_tmpfs(tmp_path) as folder:
        assert folder is not None, "mounting a tmpfs is allowed here"
        ledger = ledger_at(folder)
        ledger.check_writable()
        arrived = Fault("submit", "stall", seconds=0.4)
        sandbox.plan_next(JobPlan(queue_positions=(2,), step_seconds=60))
        sandbox.inject(arrived)
        running = asyncio.create_task(run_job(ledger=ledger))
        await until(lambda: arrived.seen == 1)  # the intent is written and the POST is at fal
        await asyncio.to_thread(fill, folder)
        run = await running
    assert run.failure is not None and run.failure.kind == "ledger"
    (request_id,) = sandbox.journal.accepted_jobs()
    failed_writes = run.events_of(LedgerWriteFailed)  # the submission's record, then the cancel's
    assert failed_writes and {event.request_id for event in failed_writes} == {request_id}
    assert request_id in run.failure.message and "the job was cancelled (accepted)" in run.failure.message
    assert sandbox.jobs[request_id].cancelled


# ---- the command ------------------------------------------------------------------------------


async def test_the_command_killed_mid_job_resumes_it_when_run_again(gateway: Gateway) -> None:
    """The whole story against a 'real' fal (the gateway): kill -9 while the job is queued, run the
    same command again, and it follows the same job to its end. One job is paid for, not two."""
    gateway.server.plan_next(
        JobPlan(queue_positions=(3, 2, 1, 0), log_lines=("rendering",), step_seconds=0.4)
    )
    command = [
        FAL_VIDEO,
        "run",
        "AIVideoGenerator",
        "--set",
        f"prompt={PROMPT}",
        "--set",
        "max_poll_interval_seconds=0.1",
        "--json",
    ]
    pipe = asyncio.subprocess.PIPE
    first = await asyncio.create_subprocess_exec(*command, env=gateway.env, stdout=pipe, stderr=pipe)
    await until(lambda: gateway.server.journal.count("stream") >= 1, seconds=20)
    first.kill()  # no cancel, no cleanup: what a crash or an OOM kill does
    await first.wait()
    (request_id,) = gateway.server.journal.accepted_jobs()
    assert gateway.server.journal.count("cancel") == 0

    second = await asyncio.create_subprocess_exec(*command, env=gateway.env, stdout=pipe, stderr=pipe)
    stdout, stderr = await asyncio.wait_for(second.communicate(), timeout=60)

    assert second.returncode == 0, stderr.decode()[-2000:]
    (node,) = json.loads(stdout)["nodes"]
    assert node["request_id"] == request_id
    assert node["outputs"]["logs"][0].startswith(f"resumed request {request_id}")
    assert gateway.server.journal.count("submit") == 1, "the rerun paid for no second job"
    assert SECRET not in stdout.decode() + stderr.decode()


TWO_PROCESSES = """
import asyncio, json, sys
from pathlib import Path
from blocks.fal._ledger import SqliteJobLedger, job_ledger
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import credentials_from_env, credentials_input

async def main():
    job_ledger.set(SqliteJobLedger(Path(sys.argv[1])))
    creds = credentials_from_env()
    inputs = {"prompt": "shared", "max_poll_interval_seconds": 0.05, "credentials": credentials_input(creds)}
    outputs = [pair async for pair in AIVideoGeneratorBlock().execute(
        inputs, credentials=creds, graph_id="g", node_id="n")]
    print(json.dumps(dict(outputs)))

asyncio.run(main())
"""


async def test_two_processes_sharing_one_ledger_submit_the_job_once(gateway: Gateway, tmp_path: Path) -> None:
    gateway.server.plan_next(JobPlan(queue_positions=(1, 0), log_lines=("a",), step_seconds=0.3))
    ledger = tmp_path / "jobs.sqlite3"
    pipe = asyncio.subprocess.PIPE
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", TWO_PROCESSES, str(ledger), env=gateway.env, stdout=pipe, stderr=pipe
        )
        for _ in range(2)
    ]
    answers = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), timeout=60)

    outputs = []
    for process, (stdout, stderr) in zip(processes, answers, strict=True):
        assert process.returncode == 0, stderr.decode()[-2000:]
        outputs.append(json.loads(stdout.decode().strip().splitlines()[-1]))
    assert gateway.server.journal.count("submit") == 1
    assert outputs[0]["request_id"] == outputs[1]["request_id"]
    assert all("video_url" in output for output in outputs)


@pytest.mark.parametrize("make", [read_only_dir, file_instead_of_dir, full_dir])
async def test_the_command_refuses_to_start_with_an_unwritable_state_dir(
    gateway: Gateway, tmp_path: Path, make: object
) -> None:
    with make(tmp_path) as unwritable:  # type: ignore[operator]
        result = await _fal_video(gateway, unwritable, "run", "AIVideoGenerator", "--set", "prompt=a gull")
    returncode, stderr = result
    assert returncode == 2, stderr
    assert "job ledger" in stderr and "not writable" in stderr and "nothing was submitted" in stderr
    assert "FAL_VIDEO_STATE_DIR" in stderr
    assert gateway.server.journal.entries == [], f"nothing sent with {unwritable.how}"


async def _fal_video(gateway: Gateway, state: UnwritableDir, *args: str) -> tuple[int, str]:
    env = {**gateway.env, "FAL_VIDEO_STATE_DIR": str(state.path)}
    process = await asyncio.create_subprocess_exec(
        FAL_VIDEO,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=state.preexec,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return int(process.returncode or 0), stderr.decode()


# ---- delivery: a job leaves the ledger when its outputs reach the user --------------------------------

VIDEO_BLOCK = AIVideoGeneratorBlock().id


def video_graph(*prompts: str, graph_id: str | None = "g-delivery") -> dict[str, object]:
    nodes = [
        {"id": f"n{index}", "block_id": VIDEO_BLOCK, "input_default": {"prompt": prompt, **FAST_POLL}}
        for index, prompt in enumerate(prompts)
    ]
    return {"nodes": nodes, "links": [], **({"id": graph_id} if graph_id else {})}


FAST_POLL = {"max_poll_interval_seconds": 0.05}
LUMA = "fal-ai/luma-dream-machine"


async def test_a_run_delivers_its_jobs_only_when_every_node_is_done(
    sandbox: SandboxServer, test_credentials: FalCredentials, tmp_path: Path
) -> None:
    from fal_sandbox.plan import model_error
    from fal_video.agent_graph import parse_graph
    from fal_video.catalog import project_blocks
    from fal_video.executor import GraphExecution

    ledger = ledger_at(tmp_path)
    spec = video_graph("a fine clip", "a broken clip")
    spec["nodes"][1]["input_default"]["model"] = LUMA  # type: ignore[index]
    graph = parse_graph(spec, project_blocks())
    sandbox.plan_next(JobPlan(outcome=model_error("CUDA out of memory")), endpoint=LUMA)
    results = await GraphExecution(graph, test_credentials, ledger=ledger).run()
    assert {node: result.state for node, result in results.items()} == {"n0": "completed", "n1": "failed"}
    states = {entry.request_id: entry.state for entry in ledger.jobs()}
    assert states[results["n0"].request_ids[0]] == JobState.COMPLETED, "kept: the graph is not done"
    assert states[results["n1"].request_ids[0]] == JobState.FAILED

    again = await GraphExecution(graph, test_credentials, ledger=ledger).run()
    assert again["n0"].request_ids == results["n0"].request_ids, "taken again, not paid again"
    assert again["n0"].state == "completed"

    whole = parse_graph(video_graph("one", "two", graph_id="g-whole"), project_blocks())
    done = await GraphExecution(whole, test_credentials, ledger=ledger).run()
    for result in done.values():
        (entry,) = [e for e in ledger.jobs() if e.request_id == result.request_ids[0]]
        assert entry.state == JobState.DELIVERED


def test_a_graph_without_an_id_keeps_its_scope_across_runs() -> None:
    from fal_video.agent_graph import parse_graph
    from fal_video.catalog import project_blocks

    catalog = project_blocks()
    same = [parse_graph(video_graph("a", graph_id=None), catalog).id for _ in range(2)]
    other = parse_graph(video_graph("b", graph_id=None), catalog).id
    assert same[0] == same[1] != other
    assert parse_graph(video_graph("a", graph_id="mine"), catalog).id == "mine"


@pytest.mark.parametrize(
    "url",
    ["http://example.com:8765", "http://192.168.1.5:8765", "ftp://127.0.0.1:8765", "http://127.0.0.1:1/x"],
)
def test_the_external_sandbox_setting_takes_only_a_loopback_address(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fal_video.cli import main

    monkeypatch.setenv("FAL_VIDEO_SANDBOX_URL", url)
    monkeypatch.delenv("FAL_KEY", raising=False)
    assert main(["run", "AIVideoGenerator", "--set", "prompt=x"]) == 2
    assert "FAL_VIDEO_SANDBOX_URL" in capsys.readouterr().err
