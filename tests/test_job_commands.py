"""`fal-video submit` in one process and `result` in another, with no key, against a `fal-video sandbox`
process (`FAL_VIDEO_SANDBOX_URL`), including a kill -9 between them; `status`, `cancel`, `jobs`; and
`fal-video webhooks` as a process receiving the sandbox's signed deliveries."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

FAL_VIDEO = str(Path(sys.executable).with_name("fal-video"))
PROMPT = "A lantern drifting down a canal"


async def _started(*args: str, env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    """A long-running `fal-video` command and the URL its first line names."""
    process = await asyncio.create_subprocess_exec(
        FAL_VIDEO, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert process.stdout is not None
    first = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
    return process, first.split("listening on ")[1].split()[0]


async def _stopped(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await asyncio.wait_for(process.wait(), 10)


@pytest.fixture
def env(private_state_dir: Path) -> dict[str, str]:
    base = {name: value for name, value in os.environ.items() if not name.startswith("FAL_KEY")}
    return {**base, "FAL_VIDEO_STATE_DIR": str(private_state_dir)}


@pytest.fixture
async def sandbox_url(env: dict[str, str]) -> AsyncIterator[str]:
    process, url = await _started("sandbox", "--port", "0", "--latency", "0.8", "--queue-depth", "4", env=env)
    env["FAL_VIDEO_SANDBOX_URL"] = url
    try:
        yield url
    finally:
        await _stopped(process)


async def fal_video(env: dict[str, str], *args: str) -> tuple[int, Any, str]:
    process = await asyncio.create_subprocess_exec(
        FAL_VIDEO, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    text = stdout.decode()
    try:
        document = json.loads(text)
    except ValueError:
        document = text
    return int(process.returncode or 0), document, stderr.decode()


async def journal(url: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        return list((await http.get(f"{url}/_sandbox/journal")).json()["entries"])


def calls(entries: list[dict[str, Any]], call: str, request_id: str) -> int:
    return sum(1 for entry in entries if entry["call"] == call and entry["request_id"] == request_id)


async def test_submit_then_result_in_other_processes_survives_a_kill_between_them(
    env: dict[str, str], sandbox_url: str
) -> None:
    submit = ["submit", "AIVideoGenerator", "--set", f"prompt={PROMPT}", "--json"]
    code, document, stderr = await fal_video(env, *submit)
    assert code == 0, stderr
    (node,) = document["nodes"]
    request_id, endpoint = node["outputs"]["request_id"], node["outputs"]["endpoint"]
    assert endpoint == "fal-ai/mochi-v1"
    code, again, _ = await fal_video(env, *submit)
    assert again["nodes"][0]["outputs"]["request_id"] == request_id, "the same job, not a second one"

    code, status, stderr = await fal_video(env, "status", request_id, "--json")
    assert code == 0, stderr
    assert status["state"] in ("IN_QUEUE", "IN_PROGRESS") and status["ledger_state"] == "submitted"

    collecting = await asyncio.create_subprocess_exec(
        FAL_VIDEO,
        "result",
        request_id,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    entries: list[dict[str, Any]] = []

    async def followed() -> bool:
        entries[:] = await journal(sandbox_url)
        return calls(entries, "stream", request_id) + calls(entries, "status", request_id) > 1

    for _ in range(200):  # bounded: 20 s
        if await followed():
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the result command never followed the job")
    collecting.kill()  # kill -9 while it waits: no cleanup, no cancel
    await collecting.wait()

    code, collected, stderr = await fal_video(
        env, "result", request_id, "--block", "AIVideoGenerator", "--json"
    )
    assert code == 0, stderr
    (node,) = collected["nodes"]
    assert node["outputs"]["video_url"].startswith(sandbox_url)
    final = await journal(sandbox_url)
    assert sum(1 for entry in final if entry["call"] == "submit") == 1, "paid once"
    assert sum(1 for entry in final if entry["call"] == "cancel") == 0, "nobody cancelled it"

    code, jobs, _ = await fal_video(env, "jobs", "--json")
    assert [(job["request_id"], job["state"]) for job in jobs] == [(request_id, "delivered")]


async def test_cancel_a_queued_job_by_its_request_id(env: dict[str, str], sandbox_url: str) -> None:
    _, document, _ = await fal_video(
        env, "submit", "AIVideoGenerator", "--set", "prompt=A slow tide", "--json"
    )
    request_id = document["nodes"][0]["outputs"]["request_id"]
    code, cancelled, stderr = await fal_video(env, "cancel", request_id, "--json")
    assert code == 0, stderr
    assert cancelled["outcome"] == "accepted" and cancelled["ledger_state"] == "cancelled"
    code, _, stderr = await fal_video(env, "result", request_id)
    assert code == 1 and "was cancelled" in stderr


async def test_jobs_need_a_target_that_outlives_the_command(env: dict[str, str]) -> None:
    code, _, stderr = await fal_video(env, "submit", "AIVideoGenerator", "--set", "prompt=x")
    assert code == 2 and "FAL_VIDEO_SANDBOX_URL" in stderr and "nothing" in stderr
    code, _, stderr = await fal_video(env, "result", "some-id", "--endpoint", "fal-ai/mochi-v1")
    assert code == 2


async def test_the_webhooks_command_records_the_sandboxes_signed_delivery(
    env: dict[str, str], sandbox_url: str
) -> None:
    receiver, hook = await _started("webhooks", "--port", "0", env=env)
    try:
        code, document, stderr = await fal_video(
            env, "submit", "AIVideoGenerator", "--set", "prompt=A beacon", "--webhook-url", hook, "--json"
        )
        assert code == 0, stderr
        request_id = document["nodes"][0]["outputs"]["request_id"]
        entries: list[dict[str, Any]] = []
        for _ in range(200):  # bounded: 20 s
            entries = await journal(sandbox_url)
            if calls(entries, "webhook", request_id):
                break
            await asyncio.sleep(0.1)
        assert [entry["status"] for entry in entries if entry["call"] == "webhook"] == [200]
        code, collected, stderr = await fal_video(env, "result", request_id, "--json")
        assert code == 0, stderr
        assert collected["nodes"][0]["outputs"]["video_url"].startswith(sandbox_url)
        after = await journal(sandbox_url)
        assert calls(after, "result", request_id) == 0, "answered from the ledger the webhook filled"
    finally:
        await _stopped(receiver)
