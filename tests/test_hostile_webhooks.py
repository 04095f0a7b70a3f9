"""The webhook receiver under load and abuse (issue 19, part 5), served by `serve_webhooks` itself on
loopback: what the command runs.

- Slow headers: failed on the code before (aiohttp's keep-alive timer, 3,630 s by default, was the only
  bound on a connection that never finished its headers); now `HEADER_TIMEOUT_SECONDS` (10 s; the test
  sets 1 s) drops a client sending a byte at a time.
- 1,000 concurrent deliveries, each verified and recorded: a guard against regressions (held before).
- A chunked body over `MAX_BODY_BYTES` is cut off: held before (aiohttp's `client_max_size`); the test
  keeps it so.
- Loopback by default, and the JWKS URL only from the operator: ruled out by design before this issue
  (`--host` takes only loopback addresses; `jwks_url` reads only the option, the variable and the
  sandbox setting); the tests show that a delivery naming its own key URL makes no request to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from blocks.fal._ledger import JobState, SqliteJobLedger
from fal_sandbox.server import SandboxServer
from fal_sandbox.webhooks import WebhookSigner
from fal_video.cli import build_parser
from fal_video.errors import BadInput
from fal_video.webhooks import (
    HEADER_TIMEOUT_SECONDS,
    MAX_BODY_BYTES,
    WEBHOOK_PATH,
    JwksCache,
    WebhookReceiver,
    serve_webhooks,
)

from .run_support import ledger_at, until
from .test_webhooks import delivery, submitted

SHORT_HEADER_TIMEOUT = 1.0
"""The test's header timeout (the command's is HEADER_TIMEOUT_SECONDS, 10 s)."""


@dataclass
class Served:
    url: str
    port: int
    ledger: SqliteJobLedger
    receiver: WebhookReceiver


@asynccontextmanager
async def receiving(
    sandbox: SandboxServer, folder: Path, header_timeout: float = HEADER_TIMEOUT_SECONDS
) -> AsyncIterator[Served]:
    ledger = ledger_at(folder)
    receiver = WebhookReceiver(ledger, JwksCache(f"{sandbox.url}/.well-known/jwks.json"))
    said: list[str] = []
    stop = asyncio.Event()
    task = asyncio.ensure_future(
        serve_webhooks(receiver, "127.0.0.1", 0, said.append, stop, header_timeout=header_timeout)
    )
    await until(lambda: bool(said) or task.done())
    port = int(said[0].split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
    try:
        yield Served(f"http://127.0.0.1:{port}{WEBHOOK_PATH}", port, ledger, receiver)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def served(sandbox: SandboxServer, tmp_path: Path) -> AsyncIterator[Served]:
    async with receiving(sandbox, tmp_path) as server:
        yield server


async def test_a_client_sending_its_headers_a_byte_at_a_time_is_dropped(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with receiving(sandbox, tmp_path, header_timeout=SHORT_HEADER_TIMEOUT) as served:
        await trickle_headers(served)


async def trickle_headers(served: Served) -> None:
    request = f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {'x' * 200}\r\n".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    started = time.monotonic()
    dropped = False
    try:
        for byte in request:  # 0.05 s a byte: the whole header would take over 12 s
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)
            if reader.at_eof() or writer.is_closing():
                dropped = True
                break
            try:
                if await asyncio.wait_for(reader.read(1), 0.001) == b"":
                    dropped = True
                    break
            except TimeoutError:
                continue
    except ConnectionError:
        dropped = True
    finally:
        writer.close()
    assert dropped, "the connection stayed open for the whole trickle"
    print(
        f"slow client dropped after {time.monotonic() - started:.1f}s",
        f"(header timeout {SHORT_HEADER_TIMEOUT}s)",
    )
    assert served.receiver.accepted == served.receiver.refused == 0


async def test_a_thousand_concurrent_deliveries_are_all_verified_and_recorded(
    sandbox: SandboxServer, served: Served
) -> None:
    ids = [f"req-{number:04d}" for number in range(1000)]
    for request_id in ids:
        submitted(served.ledger, request_id)
    gate = asyncio.Semaphore(100)  # the client is bounded; the receiver sees 100 at once
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as http:

        async def deliver(request_id: str) -> int:
            body = delivery(request_id)
            headers = {"Content-Type": "application/json", **sandbox.webhook_signer.headers(request_id, body)}
            async with gate:
                return (await http.post(served.url, content=body, headers=headers)).status_code

        codes = await asyncio.gather(*(deliver(request_id) for request_id in ids))
    assert codes == [200] * 1000
    assert served.receiver.accepted == 1000 and served.receiver.refused == 0
    states = {served.ledger.job_for_request(request_id).state for request_id in ids}  # type: ignore[union-attr]
    assert states == {JobState.COMPLETED}


async def test_a_chunked_body_over_the_limit_is_cut_off(sandbox: SandboxServer, served: Served) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(2 * MAX_BODY_BYTES // 65536):  # bounded: twice the limit at most
            sent += 65536
            yield b"x" * 65536

    async with httpx.AsyncClient(timeout=30.0) as http:
        try:
            answer = await http.post(
                served.url, content=chunks(), headers={"Content-Type": "application/json"}
            )
            code = answer.status_code
        except httpx.HTTPError:  # the receiver may close before the client has sent everything
            code = 413
    assert code == 413
    assert served.receiver.keys.fetches == 0, "refused before any verification work"


async def test_a_delivery_naming_its_own_key_url_makes_no_request_there(
    sandbox: SandboxServer, served: Served, tmp_path: Path
) -> None:
    hits: list[str] = []

    async def keys(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({"keys": []})

    app = web.Application()
    app.router.add_get("/{tail:.*}", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hostile = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/jwks.json"  # type: ignore[union-attr]
    try:
        submitted(served.ledger, "req-1")
        body = delivery("req-1").replace(b'"status"', f'"jwks_url": "{hostile}", "status"'.encode())
        forged = {**WebhookSigner().headers("req-1", body), "X-Fal-Webhook-Jwks-Url": hostile, "Jku": hostile}
        async with httpx.AsyncClient() as http:
            answer = await http.post(served.url, content=body, headers=forged)
    finally:
        await runner.cleanup()
    assert answer.status_code == 401
    assert hits == [], "the key URL a delivery names is never fetched"
    assert served.receiver.keys.url.startswith(sandbox.url)


def test_the_receiver_listens_on_loopback_unless_told_and_only_on_loopback() -> None:
    assert build_parser().parse_args(["webhooks"]).host == "127.0.0.1"
    for host in ("0.0.0.0", "192.168.1.5", "example.com"):
        with pytest.raises(BadInput, match="is not a loopback address"):
            build_parser().parse_args(["webhooks", "--host", host])
