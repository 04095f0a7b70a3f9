"""fal's queue protocol over HTTP, one call at a time, every answer distrusted.

fal-client retries each call up to ten times inside itself, a submit included: a submit whose answer
was lost after fal accepted it becomes a second paid job. Here every call is made exactly once and
says what happened; the run loop decides what to retry:

- a submit is one POST. It fails as `SubmitNotSent` when nothing left this machine (connect refused,
  pool timeout: safe to retry), `SubmitRefused` when fal turned it away (429: no job, safe to retry),
  `SubmitAnswerLost` when it was sent and no usable answer came back (fal may have accepted it);
- a 2xx whose body is not what fal's protocol says (invalid JSON, an HTML page) is `BadAnswer`;
- every call has its own timeout; the key is only ever sent to the submit host (status, result and
  cancel URLs from an answer are followed only on its scheme and host, or on fal's own queue hosts).

The URLs come from fal-client's own constants (`fal_client.client.QUEUE_URL_FORMAT`, read at each
call), so its `FAL_QUEUE_RUN_HOST` variable and `route_fal_client` route these calls as they route
fal-client's; on fal's own queue host, fal-client's backup-domain transport is kept (a connection
refused there is tried on its backup host).

What is in flight is bounded: `max_requests` short calls, and `StreamSlots` status streams (a stream
holds a connection, so a file descriptor, for a whole job: see `stream_bound`). Connections live in
many small pools rather than one big one: httpcore walks its whole pool, twice nested, on every
request (cost: the pool's size squared), so one pool of a thousand connections costs more CPU than
the jobs themselves (measured: `bench/capacity.py`).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import fal_client
import fal_client.client as fal_http
import httpx
from fal_client.client import AppId, AsyncBackupDomainTransport, FalClientHTTPError
from httpx_sse import SSEError, aconnect_sse

from ._events import CancelOutcome

FAL_QUEUE_HOSTS = frozenset({"queue.fal.run", "queue.falrun.com"})
"""fal's own queue hosts (the second is fal-client's backup domain): answers may point there."""
USER_AGENT = f"{fal_http.USER_AGENT} fal-video-blocks"
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.ProxyError,
)
"""Failures that happen before a request leaves this machine."""

Status = fal_client.Queued | fal_client.InProgress | fal_client.Completed


class SubmitNotSent(Exception):
    """Nothing reached fal: running again is safe."""


class SubmitRefused(Exception):
    """fal turned the submit away (429) without creating a job: safe to retry, after `retry_after`."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SubmitAnswerLost(Exception):
    """The submit was sent and no usable answer came back: fal may have accepted (and bill) the job."""


class BadAnswer(Exception):
    """A 2xx answer whose body is not what fal's protocol says: a transient failure, like a 502."""


class StreamRefused(Exception):
    """The status stream is not served here (a 4xx, or not an event stream): poll instead."""


class StreamBroken(Exception):
    """The status stream dropped, stalled, or sent something unreadable."""


@dataclass(frozen=True)
class JobUrls:
    request_id: str
    status_url: str
    response_url: str
    cancel_url: str


STREAM_CAP = 10_000
"""Streams one process opens at most, whatever its file limit: each costs about 25 KB here (its
connection, buffers and the job's coroutine; `bench/capacity.py`), so the cap keeps streams within
about 250 MB."""
FILES_KEPT_FREE = 128
"""File descriptors left for everything that is not a stream: the ledger, logs, uploads, imports."""


def stream_bound(max_requests: int) -> int:
    """How many status streams may be open at once: one file descriptor each, so the process's open-file
    limit (`ulimit -n`) less the short calls' connections and `FILES_KEPT_FREE`, at most `STREAM_CAP`,
    at least one. Past it a job polls (a server that refuses streams is polled the same way)."""
    try:
        import resource
    except ImportError:  # no such limit to read (Windows): the cap alone
        return STREAM_CAP
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return STREAM_CAP
    return max(1, min(STREAM_CAP, soft - max_requests - FILES_KEPT_FREE))


@dataclass(frozen=True)
class PoolSettings:
    """How much one process keeps in flight: measured in `bench/capacity.py`."""

    max_requests: int = 64
    """Short calls (submit, status, result, cancel) in flight at once; the rest wait their turn."""
    max_streams: int | None = None
    """Status streams open at once (None: `stream_bound`); a job beyond that polls until a stream is
    free, and each freed stream goes to the job that has waited longest."""
    pool_size: int = 4
    """Connections per pool."""
    connect_timeout: float = 10.0


def submit_url(endpoint: str) -> str:
    return fal_http.QUEUE_URL_FORMAT + endpoint


def job_urls(endpoint: str, request_id: str) -> JobUrls:
    """A job's queue URLs on the submit host (what fal-client's `get_handle` builds)."""
    app = AppId.from_endpoint_id(endpoint)
    prefix = f"{app.namespace}/" if app.namespace else ""
    base = f"{fal_http.QUEUE_URL_FORMAT}{prefix}{app.owner}/{app.alias}/requests/{request_id}"
    return JobUrls(request_id, f"{base}/status", base, f"{base}/cancel")


def trusted(url: Any, submit: str) -> bool:
    """May the key be sent to `url`? Only on the submit URL's own scheme, host and port, or over https
    to fal's own queue hosts: never to another host, never downgraded to plain http."""
    if not isinstance(url, str):
        return False
    target, origin = urlsplit(url), urlsplit(submit)
    if (target.scheme, target.hostname, target.port) == (origin.scheme, origin.hostname, origin.port):
        return True
    return target.scheme == "https" and target.hostname in FAL_QUEUE_HOSTS and target.port in (None, 443)


def retry_after(response: httpx.Response | None) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), or None."""
    if response is None:
        return None
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def parse_status(body: Any) -> Status:
    """A status answer (or stream event), checked; `BadAnswer` when it is not one."""
    if not isinstance(body, dict):
        raise BadAnswer(f"a status answer that is not an object ({type(body).__name__})")
    state = body.get("status")
    logs = body.get("logs")
    if logs is not None and not isinstance(logs, list):
        raise BadAnswer("a status answer whose logs are not a list")
    if state == "IN_QUEUE":
        position = body.get("queue_position")
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise BadAnswer(f"a queued status without a queue position ({str(position)[:40]!r})")
        return fal_client.Queued(position=position)
    if state == "IN_PROGRESS":
        return fal_client.InProgress(logs=logs)
    if state == "COMPLETED":
        metrics = body.get("metrics")
        return fal_client.Completed(
            logs=logs,
            metrics=metrics if isinstance(metrics, dict) else {},
            error=_text_or_none(body.get("error")),
            error_type=_text_or_none(body.get("error_type")),
        )
    raise BadAnswer(f"a status answer with an unknown status ({str(state)[:40]!r})")


class QueueClient:
    """One per event loop and key (see `_client.queue_client_for`): bounded pools bound to the loop."""

    def __init__(self, api_key: str, settings: PoolSettings | None = None) -> None:
        self.settings = settings or PoolSettings()
        self._headers = {"Authorization": f"Key {api_key}", "User-Agent": USER_AGENT}
        self._tls = _shared_tls_context()
        self._requests = asyncio.Semaphore(self.settings.max_requests)
        self.stream_slots = StreamSlots(self.settings.max_streams or stream_bound(self.settings.max_requests))
        self._call_pools: list[_Pool] = []
        self._stream_pools: list[_Pool] = []

    def __repr__(self) -> str:
        return "QueueClient(<key hidden>)"

    def _pool(self, pools: list[_Pool]) -> _Pool:
        """The least busy pool with room for one more connection (a new pool when all are full)."""
        size = self.settings.pool_size
        free = min((pool for pool in pools if pool.busy < size), key=lambda pool: pool.busy, default=None)
        if free is not None:
            return free
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        backup = AsyncBackupDomainTransport(
            transport=httpx.AsyncHTTPTransport(verify=self._tls, limits=limits)
        )
        pool = _Pool(
            httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(verify=self._tls, limits=limits),
                mounts={f"https://{host}": backup for host in FAL_QUEUE_HOSTS},
                headers=self._headers,
                follow_redirects=False,
            )
        )
        pools.append(pool)
        return pool

    def _timeout(self, seconds: float) -> httpx.Timeout:
        return httpx.Timeout(seconds, connect=min(self.settings.connect_timeout, seconds))

    async def aclose(self) -> None:
        for pool in self._call_pools + self._stream_pools:
            await pool.http.aclose()

    # ---- submit ------------------------------------------------------------------------------

    async def submit(
        self,
        endpoint: str,
        arguments: dict[str, Any],
        *,
        limit: float,
        start_timeout: float | None = None,
        webhook_url: str | None = None,
    ) -> tuple[JobUrls, Status | None]:
        """One POST; the job's URLs and the status the answer carried (fal says IN_QUEUE there)."""
        url = submit_url(endpoint)
        if webhook_url is not None:
            url += "?" + urlencode({"fal_webhook": webhook_url})
        headers = {}
        if start_timeout is not None:
            headers["X-Fal-Request-Timeout"] = str(float(start_timeout))
        async with self._requests:
            pool = self._pool(self._call_pools)
            pool.busy += 1
            try:
                async with asyncio.timeout(limit + 1.0):  # httpx's own timeouts say more, first
                    response = await pool.http.post(
                        url, json=arguments, headers=headers, timeout=self._timeout(limit)
                    )
            except _NOT_SENT as exc:
                raise SubmitNotSent(_transport_reason(exc)) from None
            except (httpx.HTTPError, TimeoutError) as exc:
                raise SubmitAnswerLost(_transport_reason(exc)) from None
            finally:
                pool.busy -= 1
        if response.status_code == 429:
            raise SubmitRefused("rate limited (HTTP 429)", retry_after(response))
        if response.status_code >= 500 or response.status_code == 408:
            raise SubmitAnswerLost(f"HTTP {response.status_code}")
        if not response.is_success:
            raise _http_error(response)
        try:
            body = response.json()
            request_id = body["request_id"]
            if not isinstance(request_id, str) or not request_id.strip():
                raise ValueError("no request id")
        except (ValueError, KeyError, TypeError):
            raise SubmitAnswerLost(f"HTTP {response.status_code} without a readable request id") from None
        urls = self._urls_from(body, endpoint, request_id, url)
        try:
            first = parse_status(body) if "status" in body else None
        except BadAnswer:
            first = None
        return urls, first

    def _urls_from(self, body: dict[str, Any], endpoint: str, request_id: str, submitted_to: str) -> JobUrls:
        """The answer's URLs where they may be trusted with the key; else the submit host's own."""
        derived = job_urls(endpoint, request_id)
        given = {name: body.get(name) for name in ("status_url", "response_url", "cancel_url")}
        if all(trusted(value, submitted_to) for value in given.values()):
            return JobUrls(request_id, **given)  # type: ignore[arg-type]
        return derived

    # ---- status, result, cancel ---------------------------------------------------------------

    async def status(self, urls: JobUrls, *, limit: float) -> Status:
        response = await self._call("GET", urls.status_url, limit, params={"logs": "1"})
        if not response.is_success:
            raise _http_error(response)
        return parse_status(_json(response))

    async def result(self, urls: JobUrls, *, limit: float) -> dict[str, Any]:
        response = await self._call("GET", urls.response_url, limit)
        if not response.is_success:
            raise _http_error(response)
        body = _json(response)
        if not isinstance(body, dict):
            raise BadAnswer(f"a result that is not an object ({type(body).__name__})")
        return body

    async def cancel(self, urls: JobUrls, *, limit: float) -> CancelOutcome:
        """One PUT: `accepted`, `already_completed` or `not_found`; anything unclear raises."""
        response = await self._call("PUT", urls.cancel_url, limit)
        if response.is_success:
            if response.content.strip():
                _json(response)  # a proxy's HTML page is no confirmation
            return "accepted"
        if response.status_code == 404:
            return "not_found"
        if response.status_code == 400:
            try:
                if response.json().get("status") == "ALREADY_COMPLETED":
                    return "already_completed"
            except (ValueError, AttributeError):
                pass
        raise _http_error(response)

    async def _call(self, method: str, url: str, limit: float, **kwargs: Any) -> httpx.Response:
        async with self._requests:
            pool = self._pool(self._call_pools)
            pool.busy += 1
            try:
                async with asyncio.timeout(limit + 1.0):
                    return await pool.http.request(method, url, timeout=self._timeout(limit), **kwargs)
            finally:
                pool.busy -= 1

    # ---- the status stream --------------------------------------------------------------------

    @asynccontextmanager
    async def stream(self, urls: JobUrls, *, stall_timeout: float) -> AsyncIterator[AsyncIterator[Status]]:
        """`GET {status_url}/stream?logs=1`: the statuses as they come. Raises `StreamRefused` (poll
        instead) or `StreamBroken` (dropped, stalled for `stall_timeout`, unreadable, closed early)."""
        pool = self._pool(self._stream_pools)
        pool.busy += 1
        try:
            timeout = httpx.Timeout(stall_timeout, connect=min(self.settings.connect_timeout, stall_timeout))
            try:
                async with aconnect_sse(
                    pool.http, "GET", f"{urls.status_url}/stream", params={"logs": "1"}, timeout=timeout
                ) as source:
                    response = source.response
                    if response.status_code == 429 or response.status_code >= 500:
                        raise StreamBroken(f"HTTP {response.status_code}")
                    if not response.is_success:
                        raise StreamRefused(f"HTTP {response.status_code}")
                    statuses = _statuses(source.aiter_sse())
                    try:
                        yield statuses
                    finally:
                        await statuses.aclose()
            except SSEError as exc:
                raise StreamRefused(str(exc)) from None
            except httpx.ReadTimeout:
                raise StreamBroken(f"nothing received for {stall_timeout:g}s") from None
            except httpx.HTTPError as exc:
                raise StreamBroken(_transport_reason(exc)) from None
        finally:
            pool.busy -= 1


class StreamSlots:
    """At most `limit` status streams at once. A job that finds none free waits its turn (polling
    meanwhile); each slot that frees is handed to the job that has waited longest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self._turns: deque[asyncio.Future[None]] = deque()
        """Waiting jobs, longest-waiting first; a cancelled turn is dropped when it is reached."""

    def take(self) -> bool:
        """A free slot now, if there is one and no job is already waiting for it."""
        while self._turns and self._turns[0].done():
            self._turns.popleft()
        if self.open < self.limit and not self._turns:
            self.open += 1
            return True
        return False

    def wait_turn(self) -> asyncio.Future[None]:
        """Done when a slot has been handed to this job (the job then holds it: `release` it)."""
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._turns.append(turn)
        return turn

    def leave(self, turn: asyncio.Future[None]) -> None:
        """Stop waiting; a slot handed over meanwhile, and not used, is passed on."""
        if not turn.done():
            turn.cancel()
        elif not turn.cancelled():
            self.release()

    def release(self) -> None:
        """A stream ended: its slot goes to the longest-waiting job, else back to the free ones."""
        while self._turns:
            turn = self._turns.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.open -= 1

    @property
    def waiting(self) -> int:
        return sum(not turn.done() for turn in self._turns)


@dataclass
class _Pool:
    http: httpx.AsyncClient
    busy: int = 0
    """Requests (or streams) using one of its connections now."""


async def _statuses(events: AsyncIterator[Any]) -> AsyncGenerator[Status, None]:
    async for event in events:
        if not event.data:
            continue
        try:
            body = json.loads(event.data)
        except ValueError:
            raise StreamBroken("an event that is not JSON") from None
        try:
            yield parse_status(body)
        except BadAnswer as exc:
            raise StreamBroken(str(exc)) from None
    raise StreamBroken("closed before the job completed")


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise BadAnswer(f"HTTP {response.status_code} with a body that is not JSON ({kind})") from None


def _http_error(response: httpx.Response) -> FalClientHTTPError:
    """fal-client's own error type for a non-2xx answer, with fal's `detail` and error type."""
    message: Any = response.text
    error_type = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("detail", response.text)
        error_type = body.get("error_type")
    error_type = error_type or response.headers.get("x-fal-error-type")
    return FalClientHTTPError(message, response.status_code, dict(response.headers), response, error_type)


def _transport_reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, _NOT_SENT):
        return f"could not connect ({type(exc).__name__})"
    return f"connection dropped ({type(exc).__name__})"


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


_TLS: ssl.SSLContext | None = None


def _shared_tls_context() -> ssl.SSLContext:
    """One TLS context for every pool (each costs a CA bundle load); honours SSL_CERT_FILE as httpx does."""
    global _TLS
    if _TLS is None:
        _TLS = httpx.create_ssl_context()
    return _TLS
