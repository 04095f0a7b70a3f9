"""The job blocks (submit, status, result, cancel) against the sandbox over loopback, through the real run
loop and the real ledger: submit checks as the waiting block does and returns at once, result outputs
what the waiting block would, a follower never cancels, a webhook's stored result is used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from blocks._sdk.loader import load_blocks
from blocks.fal._base import FalBlockBase
from blocks.fal._ledger import JobState, job_ledger
from blocks.fal.jobs import FalCancelJobBlock, FalJobResultBlock, FalJobStatusBlock, FalSubmitJobBlock
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from fal_sandbox.media import probe
from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer

from .conftest import RunBlock
from .run_support import ledger_at

MOCHI = "fal-ai/mochi-v1"
TEMPLATE = Path(__file__).parent.parent / "templates" / "fanout_submit_collect.json"


async def submit(run_block: RunBlock, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    run = await run_block(FalSubmitJobBlock(), {"block": "AIVideoGeneratorBlock", "inputs": inputs, **extra})
    assert run.failure is None
    return dict(run.outputs)


async def collect(run_block: RunBlock, job: dict[str, Any], **extra: Any) -> dict[str, Any]:
    inputs = {name: job[name] for name in ("request_id", "endpoint", "block")}
    run = await run_block(FalJobResultBlock(), {**inputs, **extra})
    assert run.failure is None
    return dict(run.outputs)


async def test_submit_returns_at_once_and_result_outputs_what_the_waiting_block_would(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(2, 1, 0), log_lines=("rendering",), step_seconds=0.2))
    job_ledger.set(ledger_at(tmp_path))
    job = await submit(run_block, {"prompt": "A heron at dawn"})
    assert set(job) == {"request_id", "endpoint", "block"}
    assert job["endpoint"] == MOCHI and job["block"] == "AIVideoGeneratorBlock"
    assert sandbox.journal.count("submit") == 1
    assert sandbox.journal.count("status") + sandbox.journal.count("stream") == 0, "it did not wait"
    assert not sandbox.jobs[job["request_id"]].completed

    status = dict(
        (await run_block(FalJobStatusBlock(), {"request_id": job["request_id"], "endpoint": MOCHI})).outputs
    )
    assert status["state"] == "IN_QUEUE" and isinstance(status["queue_position"], int)

    collected = await collect(run_block, job)
    waited = dict((await run_block(AIVideoGeneratorBlock(), {"prompt": "A heron at dawn"})).outputs)
    assert collected["request_id"] == job["request_id"]
    assert set(waited) - {"logs"} <= set(collected), (
        "the waiting block's outputs, and the raw result beside them"
    )
    assert collected["result"]["video"]["url"] == collected["video_url"]
    async with httpx.AsyncClient() as http:
        clip = (await http.get(collected["video_url"])).content
    assert probe(clip).duration > 0, "a real MP4 that decodes"
    assert sandbox.journal.count("submit", job["request_id"]) == 1


async def test_submitting_the_same_inputs_again_while_open_gives_the_same_job(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(3,), step_seconds=60))
    job_ledger.set(ledger_at(tmp_path))
    first = await submit(run_block, {"prompt": "A kite over the sea"})
    again = await submit(run_block, {"prompt": "A kite over the sea"})
    assert again["request_id"] == first["request_id"]
    assert sandbox.journal.count("submit") == 1, "never paid twice for one node's job"
    (entry,) = job_ledger.get().jobs()  # type: ignore[union-attr]
    assert entry.state == JobState.SUBMITTED and entry.request_id == first["request_id"]


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"prompt": "   "}, "inputs.prompt"),
        ({"prompt": "a gull", "model": "fal-ai/nope"}, "inputs.model"),
        ({"prompt": "a gull", "colour": "red"}, "inputs.colour"),
        ({}, "inputs.prompt"),
        ({"prompt": "a gull", "credentials": {}}, "inputs.credentials"),
    ],
)
async def test_submit_refuses_what_the_waiting_block_would_before_anything_is_sent(
    sandbox: SandboxServer, run_block: RunBlock, inputs: dict[str, Any], field: str
) -> None:
    run = await run_block(FalSubmitJobBlock(), {"block": "AIVideoGeneratorBlock", "inputs": inputs})
    error = dict(run.outputs).get("error") or str(run.failure)
    assert error.startswith(f"{field}: ") or f"{field}:" in error, error
    assert sandbox.journal.entries == []


async def test_submit_names_an_unknown_block(sandbox: SandboxServer, run_block: RunBlock) -> None:
    run = await run_block(FalSubmitJobBlock(), {"block": "NoSuchBlock", "inputs": {"prompt": "x"}})
    assert run.failure is not None and "no block named 'NoSuchBlock'" in str(run.failure)
    assert sandbox.journal.entries == []


async def test_a_result_whose_deadline_passes_leaves_the_job_running_and_can_be_asked_again(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(2, 1, 0), step_seconds=0.6))
    job_ledger.set(ledger_at(tmp_path))
    job = await submit(run_block, {"prompt": "A slow tide"})
    early = await run_block(FalJobResultBlock(), {**_job(job), "timeout_seconds": 1})
    error = str(early.failure)
    assert "it was left running: ask for its result again later" in error and job["request_id"] in error
    assert sandbox.journal.count("cancel") == 0, "a follower never cancels the job"
    assert not sandbox.jobs[job["request_id"]].cancelled

    later = await collect(run_block, job, timeout_seconds=30)
    assert later["video_url"] and sandbox.journal.count("submit") == 1


async def test_a_result_a_webhook_stored_is_collected_without_calling_fal(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(5,), step_seconds=60))
    ledger = ledger_at(tmp_path)
    job_ledger.set(ledger)
    job = await submit(run_block, {"prompt": "A harbour at night"})
    stored = {"video": {"url": "https://v3.fal.media/files/x/from-webhook.mp4"}, "seed": 7}
    assert ledger.complete_from_webhook(job["request_id"], stored)
    collected = await collect(run_block, job)
    assert (
        collected["video_url"] == "https://v3.fal.media/files/x/from-webhook.mp4" and collected["seed"] == 7
    )
    calls = [entry.call for entry in sandbox.journal.entries]
    assert calls == ["submit"], "no status, stream or result call: the ledger had the result"


def test_a_webhook_that_arrives_before_the_request_id_is_recorded_is_kept(tmp_path: Path) -> None:
    ledger = ledger_at(tmp_path)
    entry = ledger.record_intent("k", MOCHI)
    assert ledger.complete_from_webhook("req-early", {"video": {"url": "https://x/early.mp4"}}) is False
    ledger.record_submitted(entry.job_id, "req-early", "u")
    kept = ledger.open_job("k")
    assert kept is not None and kept.state == JobState.COMPLETED
    assert kept.result == {"video": {"url": "https://x/early.mp4"}}
    assert ledger.complete_from_webhook("req-early", {"video": {"url": "https://x/other.mp4"}}) is False
    assert ledger.job_for_request("req-early").result == {"video": {"url": "https://x/early.mp4"}}  # type: ignore[union-attr]


async def test_cancel_cancels_a_queued_job_and_records_it(
    sandbox: SandboxServer, run_block: RunBlock, tmp_path: Path
) -> None:
    sandbox.plan_next(JobPlan(queue_positions=(4,), step_seconds=60))
    ledger = ledger_at(tmp_path)
    job_ledger.set(ledger)
    job = await submit(run_block, {"prompt": "A foggy pier"})
    cancel = dict((await run_block(FalCancelJobBlock(), _job(job, with_block=False))).outputs)
    assert cancel == {"outcome": "accepted", "cancelled": True}
    assert sandbox.jobs[job["request_id"]].cancelled
    assert ledger.job_for_request(job["request_id"]).state == JobState.CANCELLED  # type: ignore[union-attr]
    collected = await run_block(FalJobResultBlock(), _job(job))
    assert "was cancelled" in str(collected.failure)


def test_the_result_block_declares_every_output_a_waiting_block_makes() -> None:
    """It outputs what the submitting block would: every output name of every block it can collect."""
    declared = FalJobResultBlock().output_schema.model_fields
    for block in load_blocks().values():
        if isinstance(block, FalBlockBase) and getattr(block, "submits_fal_jobs", True):
            if isinstance(block, FalSubmitJobBlock):
                continue
            missing = set(block.output_schema.model_fields) - set(declared)
            assert not missing, (block.name, missing)


async def test_the_fan_out_template_runs_in_the_sandbox(
    sandbox: SandboxServer, test_credentials: Any, tmp_path: Path
) -> None:
    from fal_video.agent_graph import parse_graph
    from fal_video.catalog import project_blocks
    from fal_video.executor import GraphExecution

    sandbox.default_plan = JobPlan(queue_positions=(1, 0), step_seconds=0.1)
    ledger = ledger_at(tmp_path)
    graph = parse_graph(json.loads(TEMPLATE.read_text()), project_blocks())
    results = await GraphExecution(graph, test_credentials, ledger=ledger, files_root=tmp_path).run()
    assert {node: result.state for node, result in results.items()} == dict.fromkeys(results, "completed")
    collects = [result for node, result in results.items() if node.startswith("collect-")]
    assert len(collects) == 4 and all(result.outputs["video_url"] for result in collects)
    submitted = {
        results[f"submit-{r.node_id.removeprefix('collect-')}"].outputs["request_id"] for r in collects
    }
    assert submitted == {result.outputs["request_id"] for result in collects}
    assert sandbox.journal.count("submit") == 6, "four clips, the prompt, the title shot: once each"
    assert {entry.state for entry in ledger.jobs()} == {JobState.DELIVERED}, "collected: delivered"


async def test_a_graph_that_only_submits_keeps_its_job_open(
    sandbox: SandboxServer, test_credentials: Any, tmp_path: Path
) -> None:
    """A submit node's outputs are not the job's result: the job stays open until it is collected,
    even if it completes (and a webhook brings its result) before the graph ends."""
    from fal_video.agent_graph import parse_graph
    from fal_video.catalog import project_blocks
    from fal_video.executor import GraphExecution
    from fal_video.jobs_state import mark_delivered

    sandbox.plan_next(JobPlan(step_seconds=0))
    ledger = ledger_at(tmp_path)
    node = {
        "id": "s",
        "block_id": FalSubmitJobBlock().id,
        "input_default": {"block": "MochiTextToVideo", "inputs": {"prompt": "a"}},
    }
    graph = parse_graph({"id": "g-submit", "nodes": [node], "links": []}, project_blocks())
    results = await GraphExecution(graph, test_credentials, ledger=ledger).run()
    request_id = results["s"].outputs["request_id"]
    assert ledger.complete_from_webhook(request_id, {"video": {"url": "https://x/y.mp4"}})
    mark_delivered(ledger, results.values())  # what the executor does at the end of every run
    assert ledger.job_for_request(request_id).state == JobState.COMPLETED  # type: ignore[union-attr]


def _job(job: dict[str, Any], *, with_block: bool = True) -> dict[str, Any]:
    names = ("request_id", "endpoint", "block") if with_block else ("request_id", "endpoint")
    return {name: job[name] for name in names}
