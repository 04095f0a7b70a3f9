"""Submit once, even across a restart: the ledger records a job before anything else, and a run
the ledger still knows resumes that job instead of paying for it again."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import fal_client
import pytest

from blocks.fal._ledger import FileJobLedger, job_ledger, ledger_key
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, credentials_input
from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer

from .conftest import SECRET, Gateway, RunBlock

PROMPT = "A lantern drifting down a canal"
GRAPH, NODE = "graph-1", "render"


def test_the_ledger_folds_submitted_and_ended_records(tmp_path: Path) -> None:
    ledger = FileJobLedger(tmp_path / "state" / "jobs.jsonl")
    assert ledger.pending("a") is None
    ledger.submitted("a", "fal-ai/mochi-v1", "req-1")
    ledger.submitted("b", "fal-ai/mochi-v1", "req-2")
    ledger.ended("a")
    assert ledger.pending("a") is None
    assert ledger.pending("b") == "req-2"
    with ledger.path.open("a") as file:
        file.write('{"event": "ended", "key": "b"')  # cut short by a crash mid-write
    assert FileJobLedger(ledger.path).pending("b") == "req-2", "a torn last line changes nothing"


def test_the_key_is_the_node_the_endpoint_and_the_arguments() -> None:
    key = ledger_key("g/n", "fal-ai/mochi-v1", {"prompt": "p", "seed": 1})
    assert key == ledger_key("g/n", "fal-ai/mochi-v1", {"seed": 1, "prompt": "p"})
    assert key != ledger_key("g/other", "fal-ai/mochi-v1", {"prompt": "p", "seed": 1})
    assert key != ledger_key("g/n", "fal-ai/mochi-v1", {"prompt": "p", "seed": 2})


async def run_node(block: AIVideoGeneratorBlock, credentials: FalCredentials) -> list[tuple[str, object]]:
    inputs = {
        "prompt": PROMPT,
        "max_poll_interval_seconds": 0.05,
        "credentials": credentials_input(credentials),
    }
    return [
        pair async for pair in block.execute(inputs, credentials=credentials, graph_id=GRAPH, node_id=NODE)
    ]


async def test_a_job_left_open_by_a_killed_run_is_resumed_not_resubmitted(
    sandbox: SandboxServer, test_credentials: FalCredentials, tmp_path: Path
) -> None:
    # What a killed run leaves behind: a submitted job, recorded in the ledger, never ended.
    earlier = await fal_client.AsyncClient(key=SECRET).submit("fal-ai/mochi-v1", {"prompt": PROMPT})
    ledger = FileJobLedger(tmp_path / "jobs.jsonl")
    key = ledger_key(f"{GRAPH}/{NODE}", "fal-ai/mochi-v1", {"prompt": PROMPT})
    ledger.submitted(key, "fal-ai/mochi-v1", earlier.request_id)

    job_ledger.set(ledger)
    outputs = dict(await run_node(AIVideoGeneratorBlock(), test_credentials))

    assert outputs["request_id"] == earlier.request_id
    assert outputs["logs"][0].startswith(f"resumed request {earlier.request_id}")
    assert sandbox.journal.count("submit") == 1, "the restart did not pay for a second job"
    assert ledger.pending(key) is None, "a finished job leaves the ledger"


async def test_a_new_job_is_recorded_before_it_is_followed(
    sandbox: SandboxServer, test_credentials: FalCredentials, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(3,), step_seconds=60))
    ledger = FileJobLedger(tmp_path / "jobs.jsonl")
    job_ledger.set(ledger)
    key = ledger_key(f"{GRAPH}/{NODE}", "fal-ai/mochi-v1", {"prompt": PROMPT})

    task = asyncio.create_task(run_node(AIVideoGeneratorBlock(), test_credentials))
    for _ in range(300):  # bounded: until the job is being followed
        if sandbox.journal.count("status"):
            break
        await asyncio.sleep(0.01)
    (request_id,) = sandbox.journal.accepted_jobs()
    assert ledger.pending(key) == request_id, "recorded while the job is still in the queue"

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sandbox.journal.count("cancel", request_id) == 1
    assert ledger.pending(key) is None, "a cancelled job is over: the next run submits afresh"


async def test_without_a_ledger_each_run_is_its_own_job(sandbox: SandboxServer, run_block: RunBlock) -> None:
    """As on the platform, which keeps its own records: two runs of the same input are two jobs."""
    assert job_ledger.get() is None
    first = await run_block(AIVideoGeneratorBlock(), {"prompt": PROMPT})
    second = await run_block(AIVideoGeneratorBlock(), {"prompt": PROMPT})
    assert first.first("request_id") != second.first("request_id")
    assert sandbox.journal.count("submit") == 2


async def test_the_command_killed_mid_job_resumes_it_when_run_again(gateway: Gateway) -> None:
    """The whole story against a 'real' fal (the gateway): kill -9 while the job is queued, run the
    same command again, and it follows the same job to its end. One job is paid for, not two."""
    gateway.server.plan_next(
        JobPlan(queue_positions=(3, 2, 1, 0), log_lines=("rendering",), step_seconds=0.4)
    )
    command = [
        str(Path(sys.executable).with_name("fal-video")),
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
    for _ in range(600):  # bounded: until the job is being followed
        if gateway.server.journal.count("status"):
            break
        await asyncio.sleep(0.01)
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
