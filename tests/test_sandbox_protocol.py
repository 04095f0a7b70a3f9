"""The sandbox speaks fal's protocol: storage, status stream, webhooks, cancel, random faults, auth.

Everything goes through the unmodified fal-client (or plain HTTP where fal-client has no call for
it: the status stream), over loopback, against the `sandbox` fixture.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fal_client
import fal_client.client as fal_http
import httpx
import pytest
from aiohttp import web

from fal_sandbox.plan import Fault, JobPlan, Success, validation_failure
from fal_sandbox.server import Job, SandboxServer, route_fal_client

from .conftest import SECRET

AUTH = {"Authorization": f"Key {SECRET}"}
ENDPOINT = "fal-ai/mochi-v1"
RESULT = {"video": {"url": "https://example.invalid/v.mp4", "content_type": "video/mp4"}}
"""A fixed result: these tests are about the protocol, not the rendering."""


def payload(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait (bounded) for `condition`; fails the test when it never holds."""
    for _ in range(math.ceil(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {seconds}s")


def state(status: fal_client.Status | dict[str, Any]) -> tuple[Any, ...]:
    """One comparable tuple for a fal-client status object or a streamed status body."""
    if isinstance(status, dict):
        logs = [line["message"] for line in status.get("logs") or []]
        return (status["status"], status.get("queue_position"), logs, status.get("error_type"))
    if isinstance(status, fal_client.Queued):
        return ("IN_QUEUE", status.position, [], None)
    logs = [line["message"] for line in getattr(status, "logs", None) or []]
    if isinstance(status, fal_client.InProgress):
        return ("IN_PROGRESS", None, logs, None)
    assert isinstance(status, fal_client.Completed)
    return ("COMPLETED", None, logs, status.error_type)


@dataclass
class SSE:
    events: list[dict[str, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    closed: bool = False


async def read_stream(status_url: str, into: SSE, *, seconds: float = 10.0) -> SSE:
    """Read `{status_url}/stream?logs=1` to its end (bounded), collecting events and comments."""
    async with asyncio.timeout(seconds), httpx.AsyncClient() as http:
        async with http.stream("GET", f"{status_url}/stream", params={"logs": "1"}, headers=AUTH) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    into.events.append(json.loads(line.removeprefix("data: ")))
                elif line.startswith(":"):
                    into.comments.append(line)
    into.closed = True
    return into


# ---- storage ------------------------------------------------------------------------------------


async def fetch(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url)


async def test_upload_and_upload_file_round_trip_the_bytes(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = fal_client.AsyncClient(key=SECRET)
    blob = payload(300_000, seed=1)
    url = await client.upload(blob, "application/octet-stream", "blob.bin")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(payload(200_000, seed=2))
    file_url = await client.upload_file(clip)

    for address, expected, content_type in (
        (url, blob, "application/octet-stream"),
        (file_url, clip.read_bytes(), "video/mp4"),
    ):
        assert address.startswith(f"{sandbox.url}/files/")
        served = await fetch(address)
        assert served.status_code == 200
        assert served.content == expected
        assert served.headers["content-type"] == content_type
    assert sandbox.media.lookup(file_url).file_name == "clip.mp4"  # type: ignore[union-attr]
    routes = [entry.endpoint for entry in sandbox.journal.entries if entry.call == "upload"]
    assert routes.count("files/upload") == 2
    assert routes.count("storage/auth/token") == 1  # the CDN token is fetched once and reused
    assert not any("multipart" in route for route in routes)


async def test_multipart_upload_round_trips_the_bytes(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunk = 256 * 1024
    monkeypatch.setattr(fal_http, "MULTIPART_THRESHOLD", 1024 * 1024)
    monkeypatch.setattr(fal_http, "MULTIPART_CHUNK_SIZE", chunk)
    client = fal_client.AsyncClient(key=SECRET)
    blob = payload(3 * 1024 * 1024 + 123, seed=3)  # not a whole number of chunks
    url = await client.upload(blob, "application/octet-stream", "big.bin")
    big = tmp_path / "big.mp4"
    big.write_bytes(payload(2 * 1024 * 1024 + 7, seed=4))
    file_url = await client.upload_file(big)

    assert (await fetch(url)).content == blob
    served = await fetch(file_url)
    assert served.content == big.read_bytes()
    assert served.headers["content-type"] == "video/mp4"
    routes = [entry.endpoint for entry in sandbox.journal.entries if entry.call == "upload"]
    parts = math.ceil(len(blob) / chunk) + math.ceil(big.stat().st_size / chunk)
    assert routes.count("files/upload/multipart/part") == parts
    assert routes.count("files/upload/multipart/complete") == 2
    assert "files/upload" not in routes


async def test_failed_cdn_upload_falls_back_to_the_storage_repository(sandbox: SandboxServer) -> None:
    """fal-client's fallback (`repository="fal"`) is served too, instead of creating a bogus job."""
    sandbox.inject(Fault("upload", "500", endpoint="files/upload"))  # not retried: fall back
    blob = payload(50_000, seed=5)
    url = await fal_client.AsyncClient(key=SECRET).upload(blob, "image/png", "frame.png")

    served = await fetch(url)
    assert served.content == blob
    assert served.headers["content-type"] == "image/png"
    uploads = [(e.endpoint, e.status) for e in sandbox.journal.entries if e.call == "upload"]
    assert ("files/upload", 500) in uploads
    assert ("storage/upload/initiate", 200) in uploads
    assert ("storage/signed-upload", 200) in uploads
    assert sandbox.jobs == {}


# ---- auth ---------------------------------------------------------------------------------------


async def test_calls_without_a_key_answer_401_and_create_nothing(sandbox: SandboxServer) -> None:
    client = fal_client.AsyncClient(key=SECRET)
    handle = await client.submit(ENDPOINT, {"prompt": "x"})
    async with httpx.AsyncClient() as http:
        answers = [
            await http.post(f"{sandbox.url}/{ENDPOINT}", json={"prompt": "x"}),
            await http.post(
                f"{sandbox.url}/{ENDPOINT}",
                json={"prompt": "x"},
                headers={"Authorization": f"Bearer {SECRET}"},
            ),
            await http.get(handle.status_url),
            await http.get(f"{handle.status_url}/stream"),
            await http.get(handle.response_url),
            await http.put(handle.cancel_url),
            await http.post(f"{sandbox.url}/storage/auth/token"),
            await http.post(
                f"{sandbox.url}/files/upload", content=b"x", headers=AUTH
            ),  # a Key is no CDN token
        ]
    assert [answer.status_code for answer in answers] == [401] * len(answers)
    assert all(SECRET not in answer.text for answer in answers)
    assert list(sandbox.jobs) == [handle.request_id]
    assert not sandbox.jobs[handle.request_id].cancelled
    assert sandbox.journal.accepted_jobs() == [handle.request_id]
    assert sum(1 for entry in sandbox.journal.entries if entry.status == 401) == len(answers)

    # fal-client's own handle, on an HTTP client without the key: a 401, raised and not retried
    async with httpx.AsyncClient() as keyless:
        handle_without_key = fal_http.AsyncRequestHandle.from_request_id(keyless, ENDPOINT, handle.request_id)
        with pytest.raises(fal_http.FalClientHTTPError) as denied:
            await handle_without_key.status()
    assert denied.value.status_code == 401
    assert sandbox.journal.count("status", handle.request_id) == 2  # the raw GET above, then this one


# ---- status stream ------------------------------------------------------------------------------


async def test_stream_delivers_the_states_polling_sees(sandbox: SandboxServer) -> None:
    plan = JobPlan(queue_positions=(2, 1, 0), log_lines=("load", "frames", "encode"), outcome=Success(RESULT))
    client = fal_client.AsyncClient(key=SECRET)

    sandbox.plan_next(plan)
    polled_job = await client.submit(ENDPOINT, {"prompt": "polled"})
    polled = []
    for _ in range(50):
        polled.append(state(await polled_job.status(with_logs=True)))
        if polled[-1][0] == "COMPLETED":
            break

    sandbox.plan_next(plan)
    streamed_job = await client.submit(ENDPOINT, {"prompt": "streamed"})
    stream = await read_stream(streamed_job.status_url, SSE())
    streamed = [state(body) for body in stream.events]

    # the same states; polling's logs are every line so far, the stream's only the new ones (fal's wire)
    assert [(s[0], s[1]) for s in streamed] == [(s[0], s[1]) for s in polled]
    full = ["load", "frames", "encode"]
    assert [s[2] for s in polled[3:]] == [["load"], ["load", "frames"], full, full]
    assert [s[2] for s in streamed] == [[], [], [], ["load"], ["frames"], ["encode"], []]
    assert [s[1] for s in streamed[:3]] == [2, 1, 0]
    assert streamed[-1] == ("COMPLETED", None, [], None)
    assert stream.closed
    assert all(body["request_id"] == streamed_job.request_id for body in stream.events)
    counts = sandbox.journal.per_job()[streamed_job.request_id]
    assert counts["stream"] == 1 and counts["status"] == 0
    assert await streamed_job.get() == RESULT


async def test_timed_stream_follows_the_clock_with_keepalives(sandbox: SandboxServer) -> None:
    sandbox.stream_keepalive_seconds = 0.04
    sandbox.plan_next(
        JobPlan(queue_positions=(1, 0), log_lines=("a", "b"), step_seconds=0.15, outcome=Success(RESULT))
    )
    handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {"prompt": "timed"})
    stream = await read_stream(handle.status_url, SSE())

    assert [state(body) for body in stream.events] == [
        ("IN_QUEUE", 1, [], None),
        ("IN_QUEUE", 0, [], None),
        ("IN_PROGRESS", None, ["a"], None),
        ("IN_PROGRESS", None, ["b"], None),
        ("COMPLETED", None, [], None),
    ]
    assert len(stream.comments) >= 4  # ~3 per 0.15 s step
    assert set(stream.comments) == {": keep-alive"}


async def test_stopping_the_server_ends_open_streams() -> None:
    server = await SandboxServer().start()
    try:
        with route_fal_client(server.url):
            server.plan_next(JobPlan(queue_positions=(4,), step_seconds=60, outcome=Success(RESULT)))
            handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {"prompt": "x"})
            stream = SSE()
            reading = asyncio.create_task(read_stream(handle.status_url, stream, seconds=5))
            await until(lambda: len(stream.events) == 1)
    finally:
        await asyncio.wait_for(server.stop(), timeout=5)
    await asyncio.wait_for(reading, timeout=1)  # ended with the server, long before the 60 s step
    assert stream.closed
    assert [state(body) for body in stream.events] == [("IN_QUEUE", 4, [], None)]


# ---- webhooks -----------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 that, like a careful receiver, processes each job once."""

    url: str = ""
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    processed: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: list[int] = field(default_factory=list)
    """Status codes for the next deliveries (then 200)."""


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hooks = Receiver()

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        hooks.deliveries.append(body)
        hooks.headers.append(dict(request.headers))
        code = hooks.answers.pop(0) if hooks.answers else 200
        if code == 200:
            hooks.processed.setdefault(body["request_id"], body)  # idempotent per request_id
        return web.Response(status=code)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hooks.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"  # type: ignore[union-attr]
    yield hooks
    await runner.cleanup()


async def test_webhook_is_delivered_without_polling_and_a_repeat_is_tolerated(
    sandbox: SandboxServer, receiver: Receiver
) -> None:
    sandbox.webhook_repeats = 1
    sandbox.plan_next(JobPlan(queue_positions=(1, 0), step_seconds=0.05))  # rendered for real
    handle = await fal_client.AsyncClient(key=SECRET).submit(
        ENDPOINT, {"prompt": "hooked"}, webhook_url=receiver.url
    )
    await until(lambda: len(receiver.deliveries) == 2, seconds=10)

    assert len(receiver.processed) == 1
    first, again = receiver.deliveries
    assert first == again
    assert first["request_id"] == first["gateway_request_id"] == handle.request_id
    assert first["status"] == "OK"
    assert "error" not in first and "payload_error" not in first
    assert receiver.headers[0]["X-Fal-Webhook-Request-Id"] == handle.request_id
    video = await fetch(first["payload"]["video"]["url"])
    assert video.content[4:8] == b"ftyp"
    assert await handle.get() == first["payload"]
    webhooks = [e.status for e in sandbox.journal.entries if e.call == "webhook"]
    assert webhooks == [200, 200]
    assert sandbox.journal.count("status", handle.request_id) == 1  # only handle.get()'s own poll


async def test_failed_job_webhook_is_an_error_and_delivery_is_retried(
    sandbox: SandboxServer, receiver: Receiver
) -> None:
    receiver.answers = [503, 500]
    sandbox.plan_next(JobPlan(outcome=validation_failure(("prompt", "field required"))))
    handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {}, webhook_url=receiver.url)
    await until(lambda: len(receiver.processed) == 1)

    assert len(receiver.deliveries) == 3
    body = receiver.processed[handle.request_id]
    assert body["status"] == "ERROR"
    assert body["error"] == "Invalid status code: 422"
    assert body["payload"] == {
        "detail": [{"loc": ["body", "prompt"], "msg": "field required", "type": "value_error"}]
    }
    assert [e.status for e in sandbox.journal.entries if e.call == "webhook"] == [503, 500, 200]


async def test_webhook_to_a_non_loopback_host_is_refused_and_journaled(sandbox: SandboxServer) -> None:
    sandbox.plan_next(JobPlan(outcome=Success(RESULT)))
    handle = await fal_client.AsyncClient(key=SECRET).submit(
        ENDPOINT, {"prompt": "x"}, webhook_url="http://203.0.113.9/hook"
    )
    (refused,) = [e for e in sandbox.journal.entries if e.call == "webhook"]
    assert refused.request_id == handle.request_id
    assert refused.status == 0
    assert "203.0.113.9" in refused.note and refused.note.startswith("refused")
    assert sandbox.jobs[handle.request_id].driver is None
    assert await handle.get(interval=0.01) == RESULT  # the job itself runs normally


# ---- cancel -------------------------------------------------------------------------------------


async def test_cancel_stops_rendering_the_webhook_and_the_stream(
    sandbox: SandboxServer, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendering = asyncio.Event()
    stopped: list[str] = []

    async def slow_render(job: Job) -> dict[str, Any]:
        rendering.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append(job.request_id)
            raise
        return RESULT

    monkeypatch.setattr(sandbox, "_produce", slow_render)
    sandbox.plan_next(JobPlan(queue_positions=(3,), step_seconds=60))
    client = fal_client.AsyncClient(key=SECRET)
    handle = await client.submit(ENDPOINT, {"prompt": "x"}, webhook_url=receiver.url)
    stream = SSE()
    reading = asyncio.create_task(read_stream(handle.status_url, stream, seconds=5))
    await until(lambda: len(stream.events) == 1 and rendering.is_set())

    await handle.cancel()
    await asyncio.wait_for(reading, timeout=2)

    job = sandbox.jobs[handle.request_id]
    assert stream.closed
    assert [state(body) for body in stream.events] == [
        ("IN_QUEUE", 3, [], None),
        ("COMPLETED", None, [], "client_cancelled"),
    ]
    await until(lambda: job.driver is not None and job.driver.done())
    assert job.driver is not None and job.driver.cancelled()
    assert stopped == [handle.request_id]
    status = await handle.status(with_logs=True)
    assert isinstance(status, fal_client.Completed)
    assert status.error_type == "client_cancelled"
    with pytest.raises(fal_client.client.FalClientHTTPError) as result:
        await client.result(ENDPOINT, handle.request_id)
    assert result.value.status_code == 499
    assert result.value.error_type == "client_cancelled"
    with pytest.raises(fal_client.client.FalClientHTTPError) as again:
        await handle.cancel()
    assert again.value.status_code == 400
    await asyncio.sleep(0.1)
    assert receiver.deliveries == []  # a cancelled job sends no webhook
    assert not [e for e in sandbox.journal.entries if e.call == "webhook"]


# ---- random faults ------------------------------------------------------------------------------


async def test_random_faults_fail_some_calls_and_fal_client_retries_through(sandbox: SandboxServer) -> None:
    with pytest.raises(ValueError, match="rate"):
        sandbox.random_faults(1.0)
    with pytest.raises(ValueError, match="submit"):
        sandbox.random_faults(0.5, calls=("submit", "status"))

    faults = sandbox.random_faults(0.5, seed=7)
    for _ in range(2):
        sandbox.plan_next(JobPlan(queue_positions=(1, 0), log_lines=("a", "b"), outcome=Success(RESULT)))
    client = fal_client.AsyncClient(key=SECRET)
    handles = [await client.submit(ENDPOINT, {"prompt": f"job {n}"}) for n in range(2)]
    for handle in handles:
        assert await handle.get(interval=0.01) == RESULT  # status until COMPLETED, then the result

    failed = [e for e in sandbox.journal.entries if e.status in (429, 502)]
    assert failed and len(failed) == faults.fired
    assert {e.call for e in failed} <= {"status", "result"}
    assert {e.status for e in failed} == {429, 502}
    assert sandbox.journal.count("submit") == sandbox.journal.count("submit", ok_only=True) == 2
    for handle in handles:
        assert sandbox.journal.count("result", handle.request_id, ok_only=True) == 1

    sandbox.random_faults(0)
    before = len(sandbox.journal.entries)
    await handles[0].status()
    assert sandbox.journal.entries[before:][0].status == 200


# ---- the faults real fal and real networks make -------------------------------------------------------


async def test_a_submit_can_be_accepted_and_its_answer_dropped(sandbox: SandboxServer) -> None:
    sandbox.inject(Fault("submit", "accept_then_drop"))
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(f"{sandbox.url}/{ENDPOINT}", json={"prompt": "x"}, headers=AUTH)
    (request_id,) = sandbox.journal.accepted_jobs()
    assert request_id in sandbox.jobs, "the job exists, and fal would bill it"
    (entry,) = sandbox.journal.entries
    assert entry.injected and entry.note == "fault: accept_then_drop"
    assert sandbox.journal.count("submit", ok_only=True) == 0


@pytest.mark.parametrize(("kind", "content_type"), [("bad_json", "application/json"), ("html", "text/html")])
async def test_a_200_with_a_broken_body(sandbox: SandboxServer, kind: str, content_type: str) -> None:
    handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {"prompt": "x"})
    sandbox.inject(Fault("status", kind), Fault("result", kind))  # type: ignore[arg-type]
    async with httpx.AsyncClient(headers=AUTH) as http:
        for url in (handle.status_url, handle.response_url):
            answer = await http.get(url)
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith(content_type)
            with pytest.raises(ValueError):
                json.loads(answer.text)


async def test_a_stalled_call_answers_late_or_never(sandbox: SandboxServer) -> None:
    handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {"prompt": "x"})
    sandbox.inject(Fault("status", "stall", seconds=0.3), Fault("status", "stall", seconds=None))
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(headers=AUTH) as http:
        began = loop.time()
        late = await http.get(handle.status_url)
        assert late.status_code == 202 and loop.time() - began >= 0.3
        with pytest.raises(httpx.ReadTimeout):
            await http.get(handle.status_url, timeout=0.3)


@pytest.mark.parametrize("code", [429, 503])
async def test_rate_limits_and_unavailability_can_carry_retry_after(
    sandbox: SandboxServer, code: int
) -> None:
    handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {"prompt": "x"})
    sandbox.inject(Fault("status", str(code), retry_after=7))  # type: ignore[arg-type]
    async with httpx.AsyncClient(headers=AUTH) as http:
        answer = await http.get(handle.status_url)
    assert answer.status_code == code and answer.headers["retry-after"] == "7"


@pytest.mark.parametrize("kind", ["cut", "stall", "bad_json"])
async def test_a_stream_can_break_after_its_first_event(sandbox: SandboxServer, kind: str) -> None:
    sandbox.stream_keepalive_seconds = 0.05
    sandbox.plan_next(JobPlan(queue_positions=(2, 1, 0), outcome=Success(RESULT)))
    handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {"prompt": "x"})
    sandbox.inject(Fault("stream", kind, seconds=None))  # type: ignore[arg-type]
    lines: list[str] = []
    async with httpx.AsyncClient(headers=AUTH, timeout=httpx.Timeout(5, read=0.5)) as http:
        with pytest.raises(httpx.ReadTimeout if kind == "stall" else httpx.RemoteProtocolError):
            async with http.stream("GET", f"{handle.status_url}/stream") as response:
                async for line in response.aiter_lines():
                    lines.append(line)
                    if kind == "bad_json" and len([x for x in lines if x.startswith("data: ")]) == 4:
                        raise httpx.RemoteProtocolError("enough")
    data = [line for line in lines if line.startswith("data: ")]
    assert json.loads(data[0].removeprefix("data: "))["queue_position"] == 2
    if kind == "bad_json":
        with pytest.raises(ValueError):
            json.loads(data[1].removeprefix("data: "))
        assert json.loads(data[2].removeprefix("data: "))["status"] == "IN_QUEUE"  # then it goes on
    else:
        assert len(data) == 1 and not any(line.startswith(":") for line in lines), "silence, or gone"


async def test_random_accepted_drops_make_jobs_whose_answer_never_arrives(sandbox: SandboxServer) -> None:
    sandbox.default_plan = JobPlan(outcome=Success(RESULT))
    faults = sandbox.random_faults(0.0, accepted_drops=0.5, seed=3)
    outcomes = []
    async with httpx.AsyncClient(headers=AUTH) as http:
        for n in range(20):
            try:
                outcomes.append((await http.post(f"{sandbox.url}/{ENDPOINT}", json={"n": n})).status_code)
            except httpx.RemoteProtocolError:
                outcomes.append(0)
    assert faults.dropped_submits == outcomes.count(0) > 0 and outcomes.count(200) > 0
    assert len(sandbox.jobs) == 20 == len(sandbox.journal.accepted_jobs())


async def test_the_journal_is_served_for_clients_in_other_processes(sandbox: SandboxServer) -> None:
    handle = await fal_client.AsyncClient(key=SECRET).submit(ENDPOINT, {"prompt": "x"})
    async with httpx.AsyncClient() as http:
        served = (await http.get(f"{sandbox.url}/_sandbox/journal")).json()
    assert [(e["call"], e["request_id"], e["status"]) for e in served["entries"]] == [
        ("submit", handle.request_id, 200)
    ]
    assert served["arguments"] == {handle.request_id: {"prompt": "x"}}
