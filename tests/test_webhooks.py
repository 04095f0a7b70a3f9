"""fal's webhooks, end to end over loopback: the sandbox signs its deliveries with its own ED25519 key and
serves its JWKS; the receiver (`fal_video.webhooks`, aiohttp) verifies before trusting anything. Good
deliveries are accepted once; unsigned, forged, altered, stale and replayed ones are refused with 401 and
change nothing; a verified delivery lets the result block answer without calling fal."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from blocks.fal._ledger import JobState, SqliteJobLedger, job_ledger
from blocks.fal.jobs import FalJobResultBlock, FalSubmitJobBlock
from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer
from fal_sandbox.webhooks import WebhookSigner
from fal_video.webhooks import (
    FAL_JWKS_URL,
    MAX_BODY_BYTES,
    WEBHOOK_PATH,
    JwksCache,
    WebhookReceiver,
    WebhookSettingError,
    checked_jwks_url,
    jwks_url,
)

from .conftest import RunBlock
from .run_support import ledger_at, until

MOCHI = "fal-ai/mochi-v1"
RESULT = {"video": {"url": "https://v3.fal.media/files/x/hooked.mp4"}, "seed": 11}


class Clock:
    """The receiver's idea of now (the keys' age and the freshness window), moved by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Receiver:
    url: str
    ledger: SqliteJobLedger
    keys: JwksCache
    clock: Clock
    server: WebhookReceiver


@pytest.fixture
async def receiver(sandbox: SandboxServer, tmp_path: Path) -> AsyncIterator[Receiver]:
    ledger = ledger_at(tmp_path)
    clock = Clock()
    keys = JwksCache(f"{sandbox.url}/.well-known/jwks.json", clock=clock)
    app = WebhookReceiver(ledger, keys, clock=clock)
    runner = web.AppRunner(app.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Receiver(f"http://127.0.0.1:{port}{WEBHOOK_PATH}", ledger, keys, clock, app)
    finally:
        await runner.cleanup()


def submitted(ledger: SqliteJobLedger, request_id: str) -> None:
    entry = ledger.record_intent(f"key-{request_id}", MOCHI)
    ledger.record_submitted(entry.job_id, request_id, "u")


def delivery(request_id: str, result: dict[str, Any] | None = None) -> bytes:
    body = {
        "request_id": request_id,
        "gateway_request_id": request_id,
        "status": "OK",
        "payload": result or RESULT,
    }
    return json.dumps(body).encode()


async def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url, content=body, headers={"Content-Type": "application/json", **headers})


async def test_a_good_delivery_completes_the_job_once_and_a_replay_is_refused(
    sandbox: SandboxServer, receiver: Receiver
) -> None:
    submitted(receiver.ledger, "req-good")
    body = delivery("req-good")
    headers = sandbox.webhook_signer.headers("req-good", body)
    answer = await post(receiver.url, body, headers)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "recorded": True}
    entry = receiver.ledger.job_for_request("req-good")
    assert entry is not None and entry.state == JobState.COMPLETED and entry.result == RESULT

    replay = await post(receiver.url, body, headers)
    assert replay.status_code == 401 and "replayed" in replay.json()["detail"]

    resent = delivery("req-good", {"video": {"url": "https://v3.fal.media/files/x/other.mp4"}})
    again = await post(
        receiver.url,
        resent,
        sandbox.webhook_signer.headers("req-good", resent, timestamp=int(time.time()) + 1),
    )
    assert again.status_code == 200 and again.json()["recorded"] is False, "fal's repeat: idempotent"
    assert receiver.ledger.job_for_request("req-good").result == RESULT  # type: ignore[union-attr]
    assert receiver.keys.fetches == 1, "the keys are cached"


@pytest.mark.parametrize(
    "case", ["unsigned", "forged", "altered body", "other request", "stale", "future", "not hex"]
)
async def test_an_untrusted_delivery_is_refused_and_changes_nothing(
    sandbox: SandboxServer, receiver: Receiver, case: str
) -> None:
    submitted(receiver.ledger, "req-1")
    body = delivery("req-1")
    now = int(time.time())
    headers = {
        "unsigned": {},
        "forged": WebhookSigner().headers("req-1", body),  # a key fal never published
        "altered body": sandbox.webhook_signer.headers(
            "req-1", delivery("req-1", {"video": {"url": "https://a/b"}})
        ),
        "other request": sandbox.webhook_signer.headers("req-2", body),
        "stale": sandbox.webhook_signer.headers("req-1", body, timestamp=now - 301),
        # 400, not 301: the check runs a moment after `now`, which brings a future stamp closer
        "future": sandbox.webhook_signer.headers("req-1", body, timestamp=now + 400),
        "not hex": {**sandbox.webhook_signer.headers("req-1", body), "X-Fal-Webhook-Signature": "zz" * 64},
    }[case]
    answer = await post(receiver.url, body, headers)
    assert answer.status_code == (400 if case == "other request" else 401), answer.text
    entry = receiver.ledger.job_for_request("req-1")
    assert entry is not None and entry.state == JobState.SUBMITTED and entry.result is None
    assert receiver.server.accepted == 0


async def test_a_body_over_the_limit_is_refused_unread(sandbox: SandboxServer, receiver: Receiver) -> None:
    body = b'{"request_id": "req-big", "payload": "' + b"x" * MAX_BODY_BYTES + b'"}'
    answer = await post(receiver.url, body, sandbox.webhook_signer.headers("req-big", body))
    assert answer.status_code == 413
    assert receiver.keys.fetches == 0, "refused before any verification work"


async def test_keys_are_fetched_again_after_a_day_and_when_fal_rotates_them(
    sandbox: SandboxServer, receiver: Receiver
) -> None:
    for number in range(3):
        submitted(receiver.ledger, f"req-{number}")
    body = delivery("req-0")
    assert (await post(receiver.url, body, sandbox.webhook_signer.headers("req-0", body))).status_code == 200
    receiver.clock.offset = 24 * 3600 + 1  # a day later: the cached keys are too old to trust
    signed_then = sandbox.webhook_signer.headers("req-1", delivery("req-1"), timestamp=int(receiver.clock()))
    assert (await post(receiver.url, delivery("req-1"), signed_then)).status_code == 200
    assert receiver.keys.fetches == 2

    sandbox.webhook_signer = WebhookSigner()  # fal rotates its key; the JWKS route serves the new one
    receiver.clock.offset += 61
    rotated = sandbox.webhook_signer.headers("req-2", delivery("req-2"), timestamp=int(receiver.clock()))
    assert (await post(receiver.url, delivery("req-2"), rotated)).status_code == 200
    assert receiver.keys.fetches == 3


async def test_keys_that_cannot_be_fetched_refuse_with_503(tmp_path: Path) -> None:
    ledger = ledger_at(tmp_path)
    app = WebhookReceiver(ledger, JwksCache("http://127.0.0.1:9/.well-known/jwks.json"))
    runner = web.AppRunner(app.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        body = delivery("req-x")
        answer = await post(
            f"http://127.0.0.1:{port}{WEBHOOK_PATH}", body, WebhookSigner().headers("req-x", body)
        )
    finally:
        await runner.cleanup()
    assert answer.status_code == 503, "fal delivers again later"


def test_the_jwks_url_is_fals_unless_set_and_only_https_or_loopback() -> None:
    assert jwks_url(None, None, {}) == FAL_JWKS_URL == "https://rest.alpha.fal.ai/.well-known/jwks.json"
    assert jwks_url(None, "http://127.0.0.1:8765", {}) == "http://127.0.0.1:8765/.well-known/jwks.json"
    assert (
        jwks_url(None, None, {"FAL_VIDEO_WEBHOOK_JWKS_URL": "https://keys.example/j.json"})
        == "https://keys.example/j.json"
    )
    for bad in ("http://example.com/jwks.json", "ftp://127.0.0.1/j", "file:///etc/passwd"):
        with pytest.raises(WebhookSettingError):
            checked_jwks_url(bad)


async def test_the_sandbox_delivers_a_signed_webhook_and_result_answers_without_calling_fal(
    sandbox: SandboxServer, receiver: Receiver, run_block: RunBlock
) -> None:
    """The whole path: submit with a webhook URL; the sandbox completes the job on its own and delivers
    (twice: fal may repeat), each signed anew; the receiver records the result once; the result block
    takes it from the ledger: no status, stream or result call reaches fal."""
    sandbox.webhook_repeats = 1
    sandbox.plan_next(JobPlan(queue_positions=(1, 0), step_seconds=0.1))
    job_ledger.set(receiver.ledger)
    submit = await run_block(
        FalSubmitJobBlock(),
        {
            "block": "AIVideoGeneratorBlock",
            "inputs": {"prompt": "A signal fire"},
            "webhook_url": receiver.url,
        },
    )
    job = dict(submit.outputs)
    await until(lambda: sandbox.journal.count("webhook") >= 2)
    assert [entry.status for entry in sandbox.journal.entries if entry.call == "webhook"] == [200, 200]
    entry = receiver.ledger.job_for_request(job["request_id"])
    assert entry is not None and entry.state == JobState.COMPLETED
    assert receiver.server.accepted == 2 and receiver.server.refused == 0

    before = len(sandbox.journal.entries)
    collected = dict(
        (
            await run_block(
                FalJobResultBlock(), {name: job[name] for name in ("request_id", "endpoint", "block")}
            )
        ).outputs
    )
    assert collected["video_url"] == entry.result["video"]["url"]  # type: ignore[index]
    assert sandbox.journal.entries[before:] == [], "answered from the ledger"
