"""`fal-video webhooks`: receive fal's webhook deliveries, verify fal's signature, record the results.

Nothing in a delivery is trusted before its signature verifies. fal signs each delivery with ED25519:
the message is `request_id + "\\n" + user_id + "\\n" + timestamp + "\\n" + sha256(body).hexdigest()`,
from the headers `X-Fal-Webhook-Request-Id`, `X-Fal-Webhook-User-Id`, `X-Fal-Webhook-Timestamp` (Unix
seconds) and the raw body; `X-Fal-Webhook-Signature` is the signature in hex. The public keys are a JWKS
(OKP keys, curve Ed25519, base64url `x`) at fal's URL (`FAL_JWKS_URL`, or `FAL_VIDEO_WEBHOOK_JWKS_URL`,
or `--jwks-url`), cached for at most 24 hours; a delivery whose signature no cached key verifies makes
the keys be fetched again (at most once a minute), since fal may have rotated them.

A delivery is refused with 401, and changes nothing, when a header is missing or malformed, its
timestamp is more than 300 s away from now (stale, or a replay of an old delivery), its signature does
not verify (forged or altered), or the very same signed delivery was already accepted (a replay; fal's
own repeated deliveries are signed anew). A verified delivery with `status: OK` completes its job in
the job ledger (`complete_from_webhook`: idempotent, the first delivery wins), so `fal-video result`
answers without another call to fal; a verified `ERROR` delivery is acknowledged and changes nothing
(the result call reports the failure). URLs inside a delivery are stored, never fetched, and the JWKS
URL comes only from the operator (option, variable, or the sandbox the command is set to), never from a
delivery.

Abuse is bounded: the receiver listens on loopback unless told otherwise (`--host` takes only loopback
addresses); a body over `MAX_BODY_BYTES` is refused by its Content-Length before it is read, and a
chunked one is cut off at that size; a connection that has not sent its headers within
`HEADER_TIMEOUT_SECONDS` of opening (or of its previous request) is dropped, and a body that takes more
than `BODY_TIMEOUT_SECONDS` is answered 408.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import ipaddress
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from blocks.fal._ledger import JobLedger, LedgerError

from .errors import BadInput

FAL_JWKS_URL = "https://rest.alpha.fal.ai/.well-known/jwks.json"
"""Where fal publishes its webhook signing keys (fal's webhook documentation, "Verifying Your Webhook")."""
JWKS_URL_VARIABLE = "FAL_VIDEO_WEBHOOK_JWKS_URL"
WEBHOOK_PATH = "/fal/webhook"
MAX_SKEW_SECONDS = 300
"""A delivery's timestamp may be this far from now, either way (fal's guidance: 5 minutes)."""
JWKS_MAX_AGE_SECONDS = 24 * 3600
"""fal's keys are cached for at most a day (fal's guidance)."""
JWKS_REFETCH_SECONDS = 60.0
"""After a signature no cached key verifies, the keys are fetched again at most this often."""
MAX_BODY_BYTES = 8 * 1024 * 1024
"""A delivery's body: fal's results are JSON with URLs (large data URIs would be over it)."""
MAX_JWKS_BYTES = 64 * 1024
HEADER_TIMEOUT_SECONDS = 10.0
"""A connection's headers must arrive this soon (a client sending a byte a second is dropped)."""
BODY_TIMEOUT_SECONDS = 30.0
JWKS_TIMEOUT_SECONDS = 10.0
_HEADERS = {
    "request_id": "X-Fal-Webhook-Request-Id",
    "user_id": "X-Fal-Webhook-User-Id",
    "timestamp": "X-Fal-Webhook-Timestamp",
    "signature": "X-Fal-Webhook-Signature",
}


class Refused(Exception):
    """The delivery is not trusted (401): `str()` says why, never with the body."""


class KeysUnavailable(Exception):
    """fal's public keys could not be fetched (503: fal retries the delivery later)."""


class WebhookSettingError(BadInput):
    """The JWKS URL is not one the receiver may fetch."""


def checked_jwks_url(url: str) -> str:
    """An https URL, or http on a loopback address (the sandbox's): the keys decide what is trusted."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not host or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise WebhookSettingError(
            f"JWKS URL {url!r}: give an https URL (or http on a loopback address, for the sandbox)"
        )
    return url.strip()


# ---- fal's public keys ------------------------------------------------------------------------


class JwksCache:
    """fal's webhook keys, fetched when first needed, again after 24 h, or when a signature fails."""

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        self.url = checked_jwks_url(url)
        self._clock = clock
        self._keys: list[Ed25519PublicKey] = []
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def keys(self, *, stale_after: float = JWKS_MAX_AGE_SECONDS) -> list[Ed25519PublicKey]:
        """The cached keys, fetched anew when older than `stale_after` seconds (or never fetched)."""
        async with self._lock:
            if self._fetched_at is None or self._clock() - self._fetched_at >= stale_after:
                self._keys = await self._fetch()
                self._fetched_at = self._clock()
            return list(self._keys)

    async def _fetch(self) -> list[Ed25519PublicKey]:
        self.fetches += 1
        try:
            async with httpx.AsyncClient(timeout=JWKS_TIMEOUT_SECONDS, follow_redirects=False) as http:
                async with http.stream("GET", self.url) as response:
                    if response.status_code != 200:
                        raise KeysUnavailable(f"{self.url} answered HTTP {response.status_code}")
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_JWKS_BYTES:
                            raise KeysUnavailable(f"{self.url} sent more than {MAX_JWKS_BYTES} bytes")
        except httpx.HTTPError as exc:
            raise KeysUnavailable(f"{self.url} could not be read ({type(exc).__name__})") from None
        keys = parse_jwks(bytes(body))
        if not keys:
            raise KeysUnavailable(f"{self.url} has no Ed25519 keys")
        return keys


def parse_jwks(body: bytes) -> list[Ed25519PublicKey]:
    """The Ed25519 keys of a JWKS document (`kty` OKP, `crv` Ed25519, 32 bytes of base64url `x`);
    anything else in it is ignored."""
    try:
        document = json.loads(body)
    except ValueError:
        return []
    entries = document.get("keys") if isinstance(document, dict) else None
    keys = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
            continue
        x = entry.get("x")
        if not isinstance(x, str):
            continue
        try:
            raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
            keys.append(Ed25519PublicKey.from_public_bytes(raw))
        except (ValueError, binascii.Error):
            continue
    return keys


# ---- one delivery ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    request_id: str
    user_id: str
    timestamp: str
    signature: bytes
    body: bytes

    def message(self) -> bytes:
        """What fal signed."""
        digest = hashlib.sha256(self.body).hexdigest()
        return "\n".join((self.request_id, self.user_id, self.timestamp, digest)).encode()


def read_delivery(headers: Mapping[str, str], body: bytes) -> Delivery:
    """The delivery's signed parts; `Refused` when one is missing or malformed."""
    values = {name: headers.get(header, "").strip() for name, header in _HEADERS.items()}
    missing = [_HEADERS[name] for name, value in values.items() if not value]
    if missing:
        raise Refused(f"unsigned: no {', '.join(missing)}")
    if not values["timestamp"].isdigit():
        raise Refused("the timestamp is not a number of seconds")
    try:
        signature = bytes.fromhex(values["signature"])
    except ValueError:
        raise Refused("the signature is not hex") from None
    if len(signature) != 64:
        raise Refused("the signature is not 64 bytes")
    return Delivery(values["request_id"], values["user_id"], values["timestamp"], signature, body)


def check_fresh(delivery: Delivery, now: float) -> None:
    skew = abs(now - int(delivery.timestamp))
    if skew > MAX_SKEW_SECONDS:
        raise Refused(f"stale: signed {skew:.0f}s from now (more than {MAX_SKEW_SECONDS}s)")


async def verify(delivery: Delivery, keys: JwksCache) -> None:
    """The signature verifies with one of fal's keys (fetched again, at most once a minute, when none
    of the cached ones does: fal may have rotated them); else `Refused`."""
    for stale_after in (JWKS_MAX_AGE_SECONDS, JWKS_REFETCH_SECONDS):
        for key in await keys.keys(stale_after=stale_after):
            try:
                key.verify(delivery.signature, delivery.message())
                return
            except InvalidSignature:
                continue
    raise Refused("the signature does not verify with fal's keys")


class ReplayGuard:
    """The signatures accepted within the freshness window: the same signed delivery twice is a replay.
    Bounded: entries leave once they are older than the window, and the oldest first beyond `limit`."""

    def __init__(self, *, window: float = 2 * MAX_SKEW_SECONDS, limit: int = 100_000) -> None:
        self.window, self.limit = window, limit
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def seen(self, signature: bytes, now: float) -> bool:
        while self._seen and (
            next(iter(self._seen.values())) < now - self.window or len(self._seen) > self.limit
        ):
            self._seen.popitem(last=False)
        return signature in self._seen

    def add(self, signature: bytes, now: float) -> None:
        self._seen[signature] = now


# ---- the receiver ------------------------------------------------------------------------------


@dataclass
class WebhookReceiver:
    """The aiohttp application that takes fal's deliveries into `ledger`."""

    ledger: JobLedger
    keys: JwksCache
    clock: Callable[[], float] = time.time
    announce: Callable[[str], None] = lambda line: None

    def __post_init__(self) -> None:
        self.replays = ReplayGuard()
        self.accepted = 0
        self.refused = 0

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(WEBHOOK_PATH, self._deliver)
        return app

    async def _deliver(self, request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return self._refuse(413, "body too large")
        try:
            async with asyncio.timeout(BODY_TIMEOUT_SECONDS):
                body = await request.read()  # aiohttp stops reading past `client_max_size` (413)
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(413, "body too large")
        except TimeoutError:
            return self._refuse(408, f"the body took more than {BODY_TIMEOUT_SECONDS:g}s")
        now = self.clock()
        try:
            delivery = read_delivery(request.headers, body)
            check_fresh(delivery, now)
            await verify(delivery, self.keys)
            if self.replays.seen(delivery.signature, now):
                raise Refused("replayed: this signed delivery was already accepted")
        except Refused as refused:
            return self._refuse(401, str(refused))
        except KeysUnavailable as unavailable:
            return self._refuse(503, f"fal's keys are unavailable: {unavailable}")
        try:
            message = json.loads(body)
        except ValueError:
            return self._refuse(400, "the body is not JSON")
        if not isinstance(message, dict) or message.get("request_id") != delivery.request_id:
            return self._refuse(400, "the body is not a delivery for the signed request id")
        recorded = False
        payload = message.get("payload")
        if message.get("status") == "OK" and isinstance(payload, dict):
            try:
                recorded = await asyncio.to_thread(
                    self.ledger.complete_from_webhook, delivery.request_id, payload
                )
            except LedgerError as broken:  # not accepted: fal delivers again later
                return self._refuse(503, str(broken))
        self.replays.add(delivery.signature, now)
        self.accepted += 1
        what = "recorded its result" if recorded else "nothing new to record"
        self.announce(
            f"webhook: verified delivery for request {delivery.request_id} ({message.get('status')}): {what}"
        )
        return web.json_response({"ok": True, "recorded": recorded})

    def _refuse(self, status: int, reason: str) -> web.Response:
        self.refused += 1
        self.announce(f"webhook: refused a delivery ({status}: {reason})")
        return web.json_response({"ok": False, "detail": reason}, status=status)


async def serve_webhooks(
    receiver: WebhookReceiver,
    host: str,
    port: int,
    out: Callable[[str], None],
    stop: asyncio.Event,
    *,
    header_timeout: float = HEADER_TIMEOUT_SECONDS,
) -> None:
    """Serve on `host:port` until `stop` is set. aiohttp's keep-alive timer runs from the moment a
    connection opens until its request's headers are in, so it is the header timeout too."""
    runner = web.AppRunner(
        receiver.app(), access_log=None, shutdown_timeout=2.0, keepalive_timeout=header_timeout
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        out(f"fal webhooks: listening on http://{host}:{bound}{WEBHOOK_PATH} (keys from {receiver.keys.url})")
        await stop.wait()
    finally:
        await runner.cleanup()


def jwks_url(option: str | None, sandbox_url: str | None, environ: Mapping[str, str]) -> str:
    """`--jwks-url`, else `FAL_VIDEO_WEBHOOK_JWKS_URL`, else the sandbox's own, else fal's."""
    chosen = option or environ.get(JWKS_URL_VARIABLE, "").strip()
    if chosen:
        return checked_jwks_url(chosen)
    if sandbox_url is not None:
        return f"{sandbox_url}/.well-known/jwks.json"
    return FAL_JWKS_URL
