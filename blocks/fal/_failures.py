"""How fal's failures read to a person, and which of them are worth waiting out.

fal reports a failed job as COMPLETED and delivers the real error with the result: a 422 whose
`detail` lists the offending fields, or a platform error with an `error_type`. Ingress hiccups
(429, nginx 5xx, dropped or stalled connections, a 200 whose body is not fal's JSON) say nothing about
the job and are retried (never a submit: see `_queue.py`).
"""

from __future__ import annotations

from typing import Any, Literal

import httpx
from fal_client.client import FalClientHTTPError

from ._queue import BadAnswer, CallFailed

Step = Literal["submit", "status", "result", "cancel"]

_TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class InputProblem(ValueError):
    """An input fal would reject (or bill for nothing), found before any request is sent."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class FalJobError(Exception):
    """A fal job (or its submission) failed; `str()` is the one message a user sees."""

    def __init__(self, message: str, *, request_id: str | None = None, kind: str = "failed"):
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.kind = kind

    def __repr__(self) -> str:
        return f"FalJobError({self.message!r}, request_id={self.request_id!r}, kind={self.kind!r})"


def is_transient(exc: BaseException, step: Step) -> bool:
    """True when retrying the same call (never a submit) may succeed."""
    if isinstance(exc, CallFailed | httpx.TransportError | httpx.TimeoutException | TimeoutError | BadAnswer):
        return True
    if not isinstance(exc, FalClientHTTPError):
        return False
    headers = {key.lower(): value for key, value in exc.response_headers.items()}
    retryable = headers.get("x-fal-retryable", "").lower()
    if retryable in ("true", "false"):
        return retryable == "true"
    if exc.status_code == 504 and headers.get("x-fal-request-timeout-type") == "user":
        return False
    if step == "result" and exc.error_type and "x-fal-request-id" in headers:
        return False  # the job's own verdict, not a hiccup on the way to it
    return exc.status_code in _TRANSIENT_STATUS


def short_reason(exc: BaseException) -> str:
    """A few words for a retry log line: `HTTP 429`, `connection dropped (ReadError)`."""
    if isinstance(exc, FalClientHTTPError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, CallFailed):
        return str(exc)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, BadAnswer):
        return f"unreadable answer: {exc}"
    if isinstance(exc, httpx.TransportError):
        return f"connection dropped ({type(exc).__name__})"
    return type(exc).__name__


def describe_detail(detail: Any) -> str:
    """fal's `detail`: a string, or a 422 list that becomes one `field: message` line per entry."""
    if isinstance(detail, list):
        lines = [_describe_item(item) for item in detail]
        return "\n".join(line for line in lines if line) or "invalid input"
    if isinstance(detail, dict):
        return _describe_item(detail)
    return str(detail)


def _describe_item(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    location = [str(part) for part in item.get("loc", []) if part != "body"]
    message = str(item.get("msg", "invalid value"))
    return f"{'.'.join(location)}: {message}" if location else message


def describe_http_error(exc: FalClientHTTPError, step: Step) -> str:
    """One message for a failed call: the fields for a 422, else the error type and detail."""
    detail = describe_detail(exc.message)
    if exc.status_code == 422:
        return f"fal rejected the input:\n{detail}"
    if exc.status_code in (401, 403):
        return f"fal refused the API key (HTTP {exc.status_code}) during {step}"
    kind = f" ({exc.error_type})" if exc.error_type else ""
    return f"fal {step} failed with HTTP {exc.status_code}{kind}: {detail}"


def describe(exc: BaseException, step: Step) -> str:
    if isinstance(exc, FalClientHTTPError):
        return describe_http_error(exc, step)
    return f"fal {step} failed: {short_reason(exc)}"
