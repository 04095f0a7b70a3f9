"""fal's queue protocol over HTTP, one call at a time, every answer distrusted.

fal-client retries each call up to ten times inside itself, a submit included: a submit whose answer
was lost after fal accepted it becomes a second paid job. Here every call is made exactly once and
says what happened; the run loop decides what to retry:

- a submit is one POST. It fails as `SubmitNotSent` when nothing left this machine (connect refused,
  pool timeout: safe to retry), `SubmitRefused` when fal turned it away (429: no job, safe to retry),
  `SubmitAnswerLost` when it was sent and no usable answer came back (fal may have accepted it);
- a 2xx whose body is not what fal's protocol says (invalid JSON, JSON nested past the parser's
  recursion, an HTML page, a status for another request id or with a status fal does not have) is
  `BadAnswer`: transient, like a 502, and never taken as the job's news;
- every call has its own timeout; the key is only ever sent to the submit host (status, result and
  cancel URLs from an answer are followed only on its scheme and host, or on fal's own queue hosts).

The URLs come from fal-client's own constants (`fal_client.client.QUEUE_URL_FORMAT`, read at each
call), so its `FAL_QUEUE_RUN_HOST` variable and `route_fal_client` route these calls as they route
fal-client's; on fal's own queue host a connection that cannot be made is tried once on fal's backup
host, as fal-client does.

The calls go over aiohttp, not httpx (fal-client's own): with thousands of jobs in flight, httpx's
per-request machinery (anyio cancel scopes around each read and write, the pool's connection walk, h11,
three byte iterators under the event-stream parser) was most of the process's CPU, four times the
same calls over aiohttp, and the process saturated its core at about 1,500 jobs (`bench/capacity.py`).

What is in flight is bounded: `max_requests` short calls (`CallSlots`: a job already running goes
before a new submit), and `StreamSlots` status streams (a stream holds a connection, so a file
descriptor, for a whole job: see `stream_bound`).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import fal_client
import fal_client.client as fal_http
import httpx
from fal_client.client import AppId, FalClientHTTPError
from yarl import URL

from ._events import CancelOutcome

FAL_BACKUP_HOSTS = {"queue.fal.run": "queue.falrun.com"}
"""fal's queue host and its backup domain: a connection the first cannot make is tried on the second
(with a connect timeout of at most `BACKUP_CONNECT_TIMEOUT`), as fal-client does."""
FAL_QUEUE_HOSTS = frozenset(FAL_BACKUP_HOSTS) | frozenset(FAL_BACKUP_HOSTS.values())
"""fal's own queue hosts: answers may point there."""
BACKUP_CONNECT_TIMEOUT = 5.0
USER_AGENT = f"{fal_http.USER_AGENT} fal-video-blocks"
_NOT_SENT = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidUrlClientError,
    aiohttp.NonHttpUrlClientError,
)
"""Failures that happen before a request leaves this machine."""
MAX_EVENT_BYTES = 16 * 1024 * 1024
"""A status event longer than this is a broken stream (each event carries all of fal's log lines)."""

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


class CallFailed(Exception):
    """A status, result or cancel call that got no HTTP answer (the connection failed, dropped or
    timed out): transient. `str()` says which, in a few words."""


class CallTimedOut(CallFailed, TimeoutError):
    """The call's time ran out before its answer came."""


@dataclass(frozen=True)
class JobUrls:
    request_id: str
    status_url: str
    response_url: str
    cancel_url: str


STREAM_CAP = 10_000
"""Streams one process opens at most, whatever its file limit: a followed job costs about 35 KB (its
stream's connection and buffers, the job's coroutines: 94 MB peak RSS at 1,000 jobs, 231 MB at
5,000, `bench/capacity.py`), so the cap keeps a process under about 400 MB. fal states no limit on
streams per key; a server that refuses one (429, 5xx) is polled, and the stream tried again later."""
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
class Answer:
    """One HTTP answer, read in full."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


@dataclass(frozen=True)
class PoolSettings:
    """How much one process keeps in flight: measured in `bench/capacity.py`."""

    max_requests: int = 64
    """Short calls (submit, status, result, cancel) in flight at once; the rest wait their turn."""
    max_streams: int | None = None
    """Status streams open at once (None: `stream_bound`); a job beyond that polls until a stream is
    free, and each freed stream goes to the job that has waited longest."""
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


def parse_status(body: Any, request_id: str) -> Status:
    """A status answer (or stream event) of request `request_id`, checked; `BadAnswer` when it is not
    one (fal names the request in every status, fal-js types/common.ts:84 at 381105e; an answer naming
    another is some other job's news)."""
    if not isinstance(body, dict):
        raise BadAnswer(f"a status answer that is not an object ({type(body).__name__})")
    named = body.get("request_id", request_id)
    if named != request_id:
        raise BadAnswer(f"a status answer for another request ({str(named)[:40]!r})")
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
        self.call_slots = CallSlots(self.settings.max_requests)
        self.stream_slots = StreamSlots(self.settings.max_streams or stream_bound(self.settings.max_requests))
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self._closer: AsyncGenerator[None, None] | None = None

    def __repr__(self) -> str:
        return "QueueClient(<key hidden>)"

    async def _session(self, kind: str) -> aiohttp.ClientSession:
        """The loop's session for short calls, or for streams (apart: a stream holds its connection
        for a whole job, a call reuses one). The semaphore and the stream slots bound them."""
        session = self._sessions.get(kind)
        if session is None or session.closed:
            if self._closer is None:
                self._closer = self._close_at_loop_end()
                await anext(self._closer)
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, ssl=self._tls), headers=self._headers, trust_env=False
            )
            self._sessions[kind] = session
        return session

    def _timeout(self, seconds: float) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=seconds, connect=min(self.settings.connect_timeout, seconds))

    async def aclose(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()

    async def _close_at_loop_end(self) -> AsyncGenerator[None, None]:
        """Suspended for as long as the loop runs: the loop's end (`shutdown_asyncgens`, which
        `asyncio.run` and pytest's loops call) finishes it, closing the sessions inside the loop, so
        no open connection is left for the garbage collector to warn about."""
        try:
            yield
        finally:
            await self.aclose()

    async def _send(
        self, kind: str, method: str, url: str, limits: aiohttp.ClientTimeout, **kwargs: Any
    ) -> Answer:
        """One request, read in full. On fal's queue host, a connection that cannot be made is tried
        once on the backup host (a second failure raises the first)."""
        session = await self._session(kind)
        try:
            return await _read(session, method, url, limits, **kwargs)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as first:
            backup = backup_url(url)
            if backup is None:
                raise
            connect = min(limits.connect or BACKUP_CONNECT_TIMEOUT, BACKUP_CONNECT_TIMEOUT)
            try:
                return await _read(
                    session,
                    method,
                    backup,
                    aiohttp.ClientTimeout(total=limits.total, connect=connect),
                    **kwargs,
                )
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
                raise first from None

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
        async with self.call_slots.turn(submit=True):
            try:
                async with asyncio.timeout(limit + 1.0):  # aiohttp's own timeouts say more, first
                    response = await self._send(
                        "calls", "POST", url, self._timeout(limit), json=arguments, headers=headers
                    )
            except _NOT_SENT as exc:
                raise SubmitNotSent(_transport_reason(exc)) from None
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise SubmitAnswerLost(_transport_reason(exc)) from None
        if response.status_code == 429:
            raise SubmitRefused("rate limited (HTTP 429)", retry_after(_httpx_response(response)))
        if response.status_code >= 500 or response.status_code == 408:
            raise SubmitAnswerLost(f"HTTP {response.status_code}")
        if not response.is_success:
            raise _http_error(response)
        try:
            body = _loads(response.content)
            request_id = body["request_id"]
            if not isinstance(request_id, str) or not request_id.strip():
                raise ValueError("no request id")
        except (ValueError, KeyError, TypeError):
            raise SubmitAnswerLost(f"HTTP {response.status_code} without a readable request id") from None
        urls = self._urls_from(body, endpoint, request_id, url)
        try:
            first = parse_status(body, request_id) if "status" in body else None
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
        return parse_status(_json(response), urls.request_id)

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
                if _loads(response.content).get("status") == "ALREADY_COMPLETED":
                    return "already_completed"
            except (ValueError, AttributeError):
                pass
        raise _http_error(response)

    async def _call(self, method: str, url: str, limit: float, **kwargs: Any) -> Answer:
        """A status, result or cancel call; `CallFailed` when no HTTP answer came back."""
        async with self.call_slots.turn(submit=False):
            try:
                async with asyncio.timeout(limit + 1.0):
                    return await self._send("calls", method, url, self._timeout(limit), **kwargs)
            except TimeoutError as exc:
                raise CallTimedOut(_transport_reason(exc)) from None
            except aiohttp.ClientError as exc:
                raise CallFailed(_transport_reason(exc)) from None

    # ---- the status stream --------------------------------------------------------------------

    @asynccontextmanager
    async def stream(self, urls: JobUrls, *, stall_timeout: float) -> AsyncIterator[AsyncIterator[Status]]:
        """`GET {status_url}/stream?logs=1`: the statuses as they come. Raises `StreamRefused` (poll
        instead) or `StreamBroken` (dropped, stalled for `stall_timeout`, unreadable, closed early).
        The caller holds one of `stream_slots` for it."""
        timeout = aiohttp.ClientTimeout(
            total=None, connect=min(self.settings.connect_timeout, stall_timeout), sock_read=stall_timeout
        )
        try:
            session = await self._session("streams")
            response = await session.get(
                f"{urls.status_url}/stream",
                params={"logs": "1"},
                headers={"Accept": "text/event-stream"},
                timeout=timeout,
                allow_redirects=False,
            )
        except TimeoutError:
            raise StreamBroken(f"nothing received for {stall_timeout:g}s") from None
        except aiohttp.ClientError as exc:
            raise StreamBroken(_transport_reason(exc)) from None
        try:
            if response.status == 429 or response.status >= 500:
                raise StreamBroken(f"HTTP {response.status}")
            if not 200 <= response.status < 300:
                raise StreamRefused(f"HTTP {response.status}")
            if response.content_type != "text/event-stream":
                raise StreamRefused(f"an answer that is not an event stream ({response.content_type})")
            statuses = _statuses(_events(response.content, stall_timeout), urls.request_id)
            try:
                yield statuses
            finally:
                await statuses.aclose()
        finally:
            response.close()  # a stream is read to its end or given up on: its connection is not reused


class CallSlots:
    """At most `limit` short calls in flight. Waiting calls go first come, first served, except that
    a running job's call (status, result, cancel) goes before any new submit: with thousands of
    submits queued, a finished job's result would otherwise wait behind all of them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.busy = 0
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {False: deque(), True: deque()}
        """By `submit`: the calls of running jobs, and new submits, each in arrival order."""

    @asynccontextmanager
    async def turn(self, *, submit: bool) -> AsyncIterator[None]:
        if self.busy < self.limit:  # nobody waits while a slot is free: `_release` hands it on
            self.busy += 1
        else:
            waiting: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting[submit].append(waiting)
            try:
                await waiting
            except asyncio.CancelledError:
                if waiting.done() and not waiting.cancelled():  # handed a slot as it was cancelled
                    self._release()
                elif waiting in self._waiting[submit]:  # still queued: out of the queue
                    self._waiting[submit].remove(waiting)
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        """The slot goes to the first waiter, running jobs' calls first; else it is free."""
        for queue in (self._waiting[False], self._waiting[True]):
            while queue:
                waiting = queue.popleft()
                if not waiting.done():  # not cancelled meanwhile
                    waiting.set_result(None)
                    return
        self.busy -= 1


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


@dataclass(frozen=True)
class _Event:
    data: str
    """A server-sent event's data lines, joined."""


async def _events(content: aiohttp.StreamReader, stall_timeout: float) -> AsyncGenerator[_Event, None]:
    """Server-sent events as they arrive (comments and other fields skipped); `StreamBroken` when the
    connection drops or stays silent for `stall_timeout`; it ends when the server closes the stream."""
    pending = b""
    data: list[str] = []
    while True:
        try:
            chunk = await content.readany()
        except TimeoutError:
            raise StreamBroken(f"nothing received for {stall_timeout:g}s") from None
        except aiohttp.ClientError as exc:
            raise StreamBroken(_transport_reason(exc)) from None
        if not chunk:
            return
        *lines, pending = (pending + chunk).split(b"\n")
        if len(pending) > MAX_EVENT_BYTES:
            raise StreamBroken("an event longer than a status stream may send")
        for raw in lines:
            line = raw.removesuffix(b"\r").decode("utf-8", "replace")
            if not line:
                if data:
                    yield _Event("\n".join(data))
                    data = []
                continue
            name, _, value = line.partition(":")
            if name == "data":
                data.append(value.removeprefix(" "))


async def _statuses(events: AsyncIterator[Any], request_id: str) -> AsyncGenerator[Status, None]:
    async for event in events:
        if not event.data:
            continue
        try:
            body = _loads(event.data)
        except ValueError:
            raise StreamBroken("an event that is not JSON") from None
        try:
            yield parse_status(body, request_id)
        except BadAnswer as exc:
            raise StreamBroken(str(exc)) from None
    raise StreamBroken("closed before the job completed")


def _loads(text: str | bytes) -> Any:
    """`json.loads`, with JSON nested too deeply to parse (a RecursionError) as the ValueError it is."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None


async def _read(
    session: aiohttp.ClientSession, method: str, url: str, limits: aiohttp.ClientTimeout, **kwargs: Any
) -> Answer:
    async with session.request(method, url, timeout=limits, allow_redirects=False, **kwargs) as response:
        return Answer(response.status, response.headers, await response.read())


def backup_url(url: str) -> str | None:
    """The same URL on fal's backup host, for a URL on fal's queue host over https (else None)."""
    target = URL(url)
    backup = FAL_BACKUP_HOSTS.get(target.host or "")
    if target.scheme != "https" or backup is None:
        return None
    return str(target.with_host(backup))


def _httpx_response(answer: Answer) -> httpx.Response:
    """The answer as fal-client's error type carries it (and `retry_after` reads it)."""
    return httpx.Response(answer.status_code, headers=list(answer.headers.items()), content=answer.content)


def _json(response: Answer) -> Any:
    try:
        return _loads(response.content)
    except ValueError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise BadAnswer(f"HTTP {response.status_code} with a body that is not JSON ({kind})") from None


def _http_error(answer: Answer) -> FalClientHTTPError:
    """fal-client's own error type for a non-2xx answer, with fal's `detail` and error type."""
    response = _httpx_response(answer)
    message: Any = response.text
    error_type = None
    try:
        body = _loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("detail", response.text)
        error_type = body.get("error_type")
    error_type = error_type or response.headers.get("x-fal-error-type")
    return FalClientHTTPError(message, response.status_code, dict(response.headers), response, error_type)


def _transport_reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
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
