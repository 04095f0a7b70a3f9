"""Webhook delivery, as fal does it: POST the outcome to `?fal_webhook=<url>` when a job completes.

Body: `{"request_id", "gateway_request_id", "status": "OK"|"ERROR", "payload", "error"?,
"payload_error"?}`; a failed job is `"status": "ERROR"`, `"error": "Invalid status code: <code>"` and
the error body as `payload`; a payload that is not JSON is `null` with `payload_error`.

Sandbox rules:
- Loopback only: a URL whose host is not a loopback address (or `localhost`) is refused at submit,
  never contacted, and journaled as a `webhook` entry with status 0 and a `refused: ...` note.
- Each delivery is retried on a transport error or a non-2xx answer, `attempts` times at most, with
  a doubling backoff capped at `backoff_max_seconds`; every attempt is journaled (`webhook`, the
  receiver's status, 0 when unreachable).
- `repeats` extra deliveries follow the first one (fal can deliver more than once): receivers must
  be idempotent per request_id.
- A cancelled job gets no webhook (its driver is cancelled with it).
- Signed as fal signs them: ED25519 over `request_id \n user_id \n timestamp \n sha256(body) hex`, in
  the headers `X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp` (Unix seconds) and `-Signature`
  (hex); each attempt is signed anew (a fresh timestamp). The public key is served as a JWKS (an OKP
  key, `crv` Ed25519, base64url `x`) at `GET /.well-known/jwks.json`, as fal serves its own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SANDBOX_USER_ID = "sandbox-user"
"""The user id the sandbox signs its webhooks for (fal signs with the account's own)."""


@dataclass
class WebhookSigner:
    """The sandbox's own ED25519 key: signs deliveries, and is published as a JWKS."""

    user_id: str = SANDBOX_USER_ID
    key_id: str = field(default_factory=lambda: f"sandbox-{uuid.uuid4().hex[:12]}")
    _key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate, repr=False)

    def jwks(self) -> dict[str, Any]:
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {
            "keys": [
                {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.key_id, "use": "sig", "alg": "EdDSA"}
            ]
        }

    def signature(self, request_id: str, user_id: str, timestamp: str, body: bytes) -> str:
        """The hex signature of one delivery, over the message fal defines."""
        digest = hashlib.sha256(body).hexdigest()
        message = "\n".join((request_id, user_id, timestamp, digest)).encode()
        return self._key.sign(message).hex()

    def headers(self, request_id: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """Every `X-Fal-Webhook-*` header of a delivery of `body` (now, unless `timestamp` is given)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "X-Fal-Webhook-Request-Id": request_id,
            "X-Fal-Webhook-User-Id": self.user_id,
            "X-Fal-Webhook-Timestamp": stamp,
            "X-Fal-Webhook-Signature": self.signature(request_id, self.user_id, stamp, body),
        }


def refusal(url: str) -> str | None:
    """Why the sandbox will not deliver to `url`, or None when it is a loopback http(s) URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "refused: not a URL"
    if parts.scheme not in ("http", "https"):
        return f"refused: scheme {parts.scheme!r} is not http(s)"
    if host == "localhost":
        return None
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return None if loopback else f"refused: host {host!r} is not a loopback address"


def webhook_body(request_id: str, code: int, body: Any) -> dict[str, Any]:
    """What fal POSTs for a job whose result call would answer `code` with `body`."""
    message: dict[str, Any] = {"request_id": request_id, "gateway_request_id": request_id}
    if 200 <= code < 300:
        message["status"] = "OK"
    else:
        message["status"] = "ERROR"
        message["error"] = f"Invalid status code: {code}"
    try:
        json.dumps(body)
        message["payload"] = body
    except (TypeError, ValueError) as error:
        message["payload"] = None
        message["payload_error"] = f"Response payload is not JSON serializable: {error}"
    return message


@dataclass
class Attempt:
    status: int
    note: str = ""


@dataclass
class WebhookSender:
    """Delivers one message with retries; `report` is called after every attempt."""

    session: aiohttp.ClientSession
    signer: WebhookSigner
    attempts: int = 4
    backoff_seconds: float = 0.05
    backoff_max_seconds: float = 2.0
    timeout_seconds: float = 10.0

    async def deliver(self, url: str, message: dict[str, Any], report: Any) -> bool:
        """True once the receiver answered 2xx; False after `attempts` failures."""
        if (refused := refusal(url)) is not None:  # checked at submit too; never leave loopback
            report(Attempt(0, refused))
            return False
        body = json.dumps(message).encode()
        delay = self.backoff_seconds
        for attempt in range(1, max(1, self.attempts) + 1):
            headers = {"Content-Type": "application/json", **self.signer.headers(message["request_id"], body)}
            outcome = await self._post(url, body, headers)
            report(outcome)
            if 200 <= outcome.status < 300:
                return True
            if attempt < self.attempts:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_max_seconds)
        return False

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> Attempt:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        try:
            async with self.session.post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                await response.read()
                return Attempt(response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            return Attempt(0, f"unreachable: {type(error).__name__}")
