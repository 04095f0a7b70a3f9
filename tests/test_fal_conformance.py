"""fal's wire as fal's own clients fix it, checked against the sandbox and against the run loop.

Every case cites the source line that fixes the behaviour, in one of two clients:
- fal-client (Python): `projects/fal_client/src/fal_client/` in github.com/fal-ai/fal at c6f0afaa
  (`client.py` unless named);
- fal-js: `libs/client/src/` in github.com/fal-ai/fal-js at 381105e.
Expected values are written from those lines, never computed by the code under test. Each behaviour is
checked twice: what the sandbox serves (read by raw HTTP or by the unmodified fal-client), and what the
run loop (`blocks.fal._run` / `_queue`) sends and makes of it.

Not here: webhook signature headers. Neither client at those commits mentions them (no
`X-Fal-Webhook-*` in either repository); `tests/test_webhooks.py` checks the project's reading of
fal's documentation instead.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import fal_client
import fal_client.client as fal_http
import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr

from blocks.fal._client import queue_client_for
from blocks.fal._queue import USER_AGENT, BadAnswer, job_urls, parse_status
from blocks.fal._run import WaitPolicy, submit_fal_job
from fal_sandbox.plan import Fault, JobPlan, Success, model_error, validation_failure
from fal_sandbox.server import SandboxServer

from .conftest import SECRET
from .run_support import QUICK, refuse_streams, run_job, until

AUTH = {"Authorization": f"Key {SECRET}"}
NESTED = "fal-ai/kling-video/v2.6/pro/image-to-video"
MOCHI = "fal-ai/mochi-v1"
RESULT = {"video": {"url": "https://v3.fal.media/files/x/out.mp4", "content_type": "video/mp4"}}
SIX = tuple(f"line {n}" for n in range(1, 7))


async def read_events(url: str, *, seconds: float = 10.0, stop_after: int | None = None) -> list[Any]:
    """The `data:` events of a status stream, parsed as fal-js parses them (JSON per event)."""
    events: list[Any] = []
    async with asyncio.timeout(seconds), httpx.AsyncClient() as http:
        async with http.stream("GET", url, params={"logs": "1"}, headers=AUTH) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                    if stop_after is not None and len(events) == stop_after:
                        break
    return events


def messages(body: dict[str, Any]) -> list[str]:
    return [line["message"] for line in body.get("logs") or []]


# ---- URLs ----------------------------------------------------------------------------------------


async def test_urls_sandbox(sandbox: SandboxServer) -> None:
    """client.py:1712 submits to `QUEUE_URL_FORMAT + application` (the full id, sub-path included);
    client.py:1745-1750 needs request_id, response_url, status_url, cancel_url in the answer;
    client.py:1517-1523 builds `{owner}/{alias}/requests/{id}` (sub-path dropped) + /status, /cancel."""
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{sandbox.url}/{NESTED}", json={"prompt": "x"}, headers=AUTH)
    body = answer.json()
    request_id = body["request_id"]
    base = f"{sandbox.url}/fal-ai/kling-video/requests/{request_id}"
    assert (body["response_url"], body["status_url"], body["cancel_url"]) == (
        base,
        f"{base}/status",
        f"{base}/cancel",
    )
    assert sandbox.jobs[request_id].endpoint == NESTED


async def test_urls_run_loop(sandbox: SandboxServer) -> None:
    """The same rule (client.py:1517-1523), and fal-js queue.ts:388 `/requests/{id}/status/stream`."""
    async with httpx.AsyncClient() as http:
        theirs = fal_http.AsyncRequestHandle.from_request_id(http, NESTED, "r-1")
    ours = job_urls(NESTED, "r-1")
    assert (ours.response_url, ours.status_url, ours.cancel_url) == (
        f"{sandbox.url}/fal-ai/kling-video/requests/r-1",
        f"{sandbox.url}/fal-ai/kling-video/requests/r-1/status",
        f"{sandbox.url}/fal-ai/kling-video/requests/r-1/cancel",
    )
    assert (ours.response_url, ours.status_url, ours.cancel_url) == (
        theirs.response_url,
        theirs.status_url,
        theirs.cancel_url,
    )
    run = await run_job()  # every call reached one of the sandbox's fal-shaped routes
    assert run.failure is None, run.failure
    calls = sandbox.journal.per_job()[run.outcome.request_id]  # type: ignore[union-attr]
    assert (calls["submit"], calls["stream"], calls["result"]) == (1, 1, 1)


# ---- headers -------------------------------------------------------------------------------------


async def test_headers_sandbox(sandbox: SandboxServer) -> None:
    """client.py:1594 and auth.py:77-78: `Authorization: Key <key>`; without it fal answers 401."""
    async with httpx.AsyncClient() as http:
        bare = await http.post(f"{sandbox.url}/{MOCHI}", json={"prompt": "x"})
        wrong = await http.post(
            f"{sandbox.url}/{MOCHI}", json={"prompt": "x"}, headers={"Authorization": SECRET}
        )
        keyed = await http.post(f"{sandbox.url}/{MOCHI}", json={"prompt": "x"}, headers=AUTH)
    assert (bare.status_code, wrong.status_code, keyed.status_code) == (401, 401, 200)


async def test_headers_run_loop(sandbox: SandboxServer) -> None:
    """_headers.py:32 and 41-54: the start timeout goes as `X-Fal-Request-Timeout: str(float(s))`;
    client.py:91 names the client in `User-Agent`."""
    sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
    run = await run_job(policy=QUICK)
    assert run.failure is None, run.failure
    headers = sandbox.jobs[run.outcome.request_id].headers  # type: ignore[union-attr]
    assert headers["X-Fal-Request-Timeout"] == str(float(QUICK.deadline)) == "1200.0"
    assert USER_AGENT.startswith(f"fal-client/{fal_client.__version__} (python)")


# ---- status shapes -------------------------------------------------------------------------------


async def test_status_shapes_sandbox(sandbox: SandboxServer) -> None:
    """client.py:700-715: IN_QUEUE has `queue_position`, IN_PROGRESS `logs`, COMPLETED `logs`, `metrics`
    (and `error`, `error_type`); fal-js types/common.ts:82-104 adds request_id and the three URLs to
    every status; common.ts:71-76: a log line is {message, level, source, timestamp}."""
    sandbox.plan_next(JobPlan(queue_positions=(1, 0), log_lines=("a", "b"), outcome=Success(RESULT)))
    handle = await fal_client.AsyncClient(key=SECRET).submit(MOCHI, {"prompt": "x"})
    bodies = []
    async with httpx.AsyncClient() as http:
        for _ in range(10):
            answer = await http.get(handle.status_url, params={"logs": "1"}, headers=AUTH)
            bodies.append(answer.json())
            if bodies[-1]["status"] == "COMPLETED":
                break
    assert [(b["status"], b.get("queue_position"), messages(b)) for b in bodies] == [
        ("IN_QUEUE", 1, []),
        ("IN_QUEUE", 0, []),
        ("IN_PROGRESS", None, ["a"]),
        ("IN_PROGRESS", None, ["a", "b"]),
        ("COMPLETED", None, ["a", "b"]),
    ]
    for body in bodies:
        assert body["request_id"] == handle.request_id
        assert (body["status_url"], body["cancel_url"]) == (handle.status_url, handle.cancel_url)
        for line in body["logs"] or []:
            assert set(line) == {"message", "level", "source", "timestamp"}
    assert isinstance(bodies[-1]["metrics"], dict)
    assert isinstance(await handle.status(with_logs=True), fal_client.Completed)  # fal-client reads it


def test_status_shapes_run_loop() -> None:
    """The same shapes (client.py:700-715), `metrics` optional ("legacy apps", client.py:706), an unknown
    status refused (client.py:715), and a status naming another request (common.ts:84) refused."""
    assert parse_status({"status": "IN_QUEUE", "queue_position": 3}, "r") == fal_client.Queued(position=3)
    progress = parse_status({"status": "IN_PROGRESS", "logs": [{"message": "a"}], "request_id": "r"}, "r")
    assert progress == fal_client.InProgress(logs=[{"message": "a"}])
    done = parse_status({"status": "COMPLETED", "logs": None, "error": "boom", "error_type": "x"}, "r")
    assert done == fal_client.Completed(logs=None, metrics={}, error="boom", error_type="x")
    for wrong in ({"status": "FAILED"}, {"status": "COMPLETED", "logs": [], "request_id": "other"}):
        with pytest.raises(BadAnswer):
            parse_status(wrong, "r")


# ---- stream framing and deltas -------------------------------------------------------------------


async def test_stream_sandbox(sandbox: SandboxServer) -> None:
    """fal-js streaming.ts:12 and 272-288: `text/event-stream`, each event's data one JSON status;
    queue.ts:422-446: a stream's events carry only new lines, added up from an empty list per stream to
    match polling, so a stream opened mid-job starts again from the first line."""
    sandbox.plan_next(JobPlan(queue_positions=(), log_lines=SIX, outcome=Success(RESULT)))
    handle = await fal_client.AsyncClient(key=SECRET).submit(MOCHI, {"prompt": "x"})
    first = await read_events(f"{handle.status_url}/stream", stop_after=3)
    assert [messages(event) for event in first] == [["line 1"], ["line 2"], ["line 3"]]
    later = await read_events(f"{handle.status_url}/stream")  # the job moved on meanwhile
    assert len(messages(later[0])) >= 3 and messages(later[0])[0] == "line 1", "from the first line"
    assert [line for event in later for line in messages(event)] == list(SIX), "each line once"
    assert later[-1]["status"] == "COMPLETED"
    async with httpx.AsyncClient() as http:
        polled = (await http.get(handle.status_url, params={"logs": "1"}, headers=AUTH)).json()
    assert messages(polled) == list(SIX), "polling stays cumulative"


async def test_stream_run_loop(sandbox: SandboxServer) -> None:
    """queue.ts:422-446 on the client side: lines added up across events and across a reopened stream;
    streaming.ts:81: fal-js gives up after 15 s without a byte, so the loop's stall limit is above it."""
    sandbox.plan_next(JobPlan(queue_positions=(), log_lines=SIX))
    sandbox.inject(Fault("stream", "cut"))
    run = await run_job()
    assert run.failure is None, run.failure
    assert [line for line in run.logs if line.startswith("fal: ")] == [f"fal: {line}" for line in SIX]
    assert sandbox.journal.count("stream", run.outcome.request_id, ok_only=True) == 2  # type: ignore[union-attr]
    assert WaitPolicy().stream_stall > 15
    assert sandbox.stream_keepalive_seconds <= 15


# ---- cancel answers ------------------------------------------------------------------------------


async def test_cancel_sandbox(sandbox: SandboxServer) -> None:
    """client.py:1573-1580 and fal-js queue.ts:532-542: `PUT {cancel_url}`; a 2xx is the cancel
    accepted, anything else raised as FalClientHTTPError (client.py:628-655)."""
    sandbox.plan_next(JobPlan(queue_positions=(5,), step_seconds=60))
    running = await fal_client.AsyncClient(key=SECRET).submit(MOCHI, {"prompt": "x"})
    await running.cancel()  # no exception: 2xx
    assert sandbox.jobs[running.request_id].cancelled
    sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
    done = await fal_client.AsyncClient(key=SECRET).submit(MOCHI, {"prompt": "y"})
    sandbox.jobs[done.request_id].finish()
    with pytest.raises(fal_http.FalClientHTTPError) as refused:
        await done.cancel()
    assert refused.value.status_code == 400


async def test_cancel_run_loop(sandbox: SandboxServer) -> None:
    """The same answers read by the run loop: 2xx accepted, a 400 once the job is over already
    completed (a finished job's result is kept), a 404 not found."""
    client = queue_client_for(SecretStr(SECRET))
    sandbox.plan_next(JobPlan(queue_positions=(5,), step_seconds=60))
    running = await fal_client.AsyncClient(key=SECRET).submit(MOCHI, {"prompt": "x"})
    assert await client.cancel(job_urls(MOCHI, running.request_id), limit=2.0) == "accepted"
    assert await client.cancel(job_urls(MOCHI, running.request_id), limit=2.0) == "already_completed"
    assert await client.cancel(job_urls(MOCHI, "no-such-request"), limit=2.0) == "not_found"


# ---- result errors -------------------------------------------------------------------------------


async def test_result_errors_sandbox(sandbox: SandboxServer) -> None:
    """client.py:628-655: an error's message is the body's `detail`, its type the body's `error_type`
    or else the `x-fal-error-type` header; fal-js response.ts:49-71 and types/common.ts:119-123: a 422's
    detail is a list of {loc, msg, type}."""
    client = fal_client.AsyncClient(key=SECRET)
    sandbox.plan_next(JobPlan(outcome=validation_failure(("prompt", "field required"))))
    rejected = await client.submit(MOCHI, {"prompt": "x"})
    sandbox.plan_next(JobPlan(outcome=model_error("CUDA out of memory")))
    crashed = await client.submit(MOCHI, {"prompt": "y"})
    for handle in (rejected, crashed):
        sandbox.jobs[handle.request_id].finish()
    with pytest.raises(fal_http.FalClientHTTPError) as invalid:
        await rejected.get()
    assert invalid.value.status_code == 422
    assert invalid.value.message == [
        {"loc": ["body", "prompt"], "msg": "field required", "type": "value_error"}
    ]
    with pytest.raises(fal_http.FalClientHTTPError) as failed:
        await crashed.get()
    assert (failed.value.status_code, failed.value.message) == (500, "CUDA out of memory")
    assert failed.value.error_type == "runner_server_error"
    assert failed.value.response_headers["x-fal-error-type"] == "runner_server_error"


async def test_result_errors_run_loop(sandbox: SandboxServer) -> None:
    """The same errors, read by the run loop as the job's own verdict: said once, never retried."""
    refuse_streams(sandbox)
    sandbox.plan_next(JobPlan(outcome=validation_failure(("prompt", "field required"))))
    rejected = await run_job()
    sandbox.plan_next(JobPlan(outcome=model_error("CUDA out of memory")))
    crashed = await run_job()
    assert rejected.failure is not None and "fal rejected the input:\nprompt: field required" in str(
        rejected.failure
    )
    assert crashed.failure is not None and "(runner_server_error): CUDA out of memory" in str(crashed.failure)
    for run in (rejected, crashed):
        assert sandbox.journal.count("result", run.failure.request_id) == 1  # type: ignore[union-attr]


# ---- webhook payloads ----------------------------------------------------------------------------


@pytest.fixture
async def hook() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback receiver that keeps every body it is sent."""
    bodies: list[dict[str, Any]] = []

    async def take(request: web.Request) -> web.Response:
        bodies.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", take)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/hook", bodies
    finally:
        await runner.cleanup()


async def test_webhook_payload_sandbox(
    sandbox: SandboxServer, hook: tuple[str, list[dict[str, Any]]]
) -> None:
    """fal-js types/common.ts:132-152: {status: "OK", payload, request_id} or {status: "ERROR", payload,
    error, request_id}; client.py:1716-1717: the URL goes as `?fal_webhook=`."""
    url, bodies = hook
    client = fal_client.AsyncClient(key=SECRET)
    sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
    good = await client.submit(MOCHI, {"prompt": "x"}, webhook_url=url)
    await until(lambda: len(bodies) == 1)
    sandbox.plan_next(JobPlan(outcome=validation_failure(("prompt", "field required"))))
    bad = await client.submit(MOCHI, {"prompt": "y"}, webhook_url=url)
    await until(lambda: len(bodies) == 2)
    ok, error = bodies
    assert (ok["status"], ok["request_id"], ok["payload"]) == ("OK", good.request_id, RESULT)
    assert (error["status"], error["request_id"]) == ("ERROR", bad.request_id)
    assert isinstance(error["error"], str) and error["error"]
    assert error["payload"] == {
        "detail": [{"loc": ["body", "prompt"], "msg": "field required", "type": "value_error"}]
    }


async def test_webhook_payload_run_loop(
    sandbox: SandboxServer, hook: tuple[str, list[dict[str, Any]]]
) -> None:
    """client.py:1716-1717 (and fal-js queue.ts:337): the run loop's submit names its webhook in the same
    query parameter fal-client builds, and the delivery reaches it."""
    url, bodies = hook
    sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
    job = await submit_fal_job(queue_client_for(SecretStr(SECRET)), MOCHI, {"prompt": "x"}, webhook_url=url)
    assert sandbox.jobs[job.request_id].webhook_url == url
    assert urlencode({"fal_webhook": url}).startswith("fal_webhook=http%3A%2F%2F127.0.0.1")
    await until(lambda: len(bodies) == 1)
    assert (bodies[0]["status"], bodies[0]["request_id"], bodies[0]["payload"]) == (
        "OK",
        job.request_id,
        RESULT,
    )
