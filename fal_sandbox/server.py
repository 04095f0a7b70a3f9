"""A local server that speaks fal's queue protocol, so the unmodified fal-client can talk to it.

Routes (all on one loopback port):
    GET  /_sandbox/journal                             every call so far (the journal, as JSON)
    GET  /.well-known/jwks.json                        the public key its webhooks are signed with
    POST /{endpoint_id}                                submit (`?fal_webhook=` accepted)
    GET  /{owner}/{alias}/requests/{id}/status         status (202 while waiting, 200 when COMPLETED)
    GET  /{owner}/{alias}/requests/{id}/status/stream  status as server-sent events (see stream.py)
    GET  /{owner}/{alias}/requests/{id}                result (or the job's error)
    PUT  /{owner}/{alias}/requests/{id}/cancel         cancel
    GET  /files/{name}                                 media the jobs produced and uploads
    GET  /api/openapi/queue/openapi.json?endpoint_id=  an endpoint's schemas, as fal publishes them
    storage (token, upload, multipart, fallback)       see storage.py

Jobs follow `JobPlan`s queued with `plan_next` (else `default_plan`), failures are injected with
`inject` (scripted) or `random_faults` (a rate), and every call lands in `journal` (call kinds:
plan.py). A job advances when observed (status call, stream) and, when it has a webhook, on its own
in a background driver; cancelling a job stops its rendering, its driver and its streams.
Each submit is checked against the endpoint's published schema (`validation.py`): a bad input is a
job whose result is fal's 422.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ssl
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from .answers import check_key, html_page, json_answer, nginx_page, wrong_body
from .catalog import behaviour_for
from .job_inputs import InputRejected
from .journal import Journal
from .openapi import serve_openapi
from .plan import BODY_FAULTS, Call, Failure, Fault, FaultKind, JobPlan, RandomFaults, Success
from .storage import MediaStore
from .stream import STALL_LIMIT_SECONDS, stream_status
from .validation import PublishedSchemas
from .webhooks import Attempt, WebhookSender, WebhookSigner, refusal, webhook_body

_SLACK = 1e-3  # wake just after a step boundary: asyncio timers may fire a hair early
_late_fault: contextvars.ContextVar[Fault | None] = contextvars.ContextVar("sandbox_late_fault", default=None)
"""A fault that acts later in the handler that picked it (each request runs in its own task and
context): an accepted submit's lost answer, a stream cut or stalled after its first event."""


@dataclass
class Job:
    request_id: str
    endpoint: str
    arguments: dict[str, Any]
    plan: JobPlan
    urls: dict[str, str]
    webhook_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """The submit's `X-Fal-*` headers (priority, runner hint, request timeout), as sent."""
    rejection: list[dict[str, Any]] | None = None
    """fal's 422 `detail` when the arguments break the endpoint's schema (the result answers it)."""
    steps: list[dict[str, Any]] = field(default_factory=list)
    step: int = 0
    step_started: float = 0.0
    observed: bool = False
    cancelled: bool = False
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    output: asyncio.Task[dict[str, Any]] | None = None
    """The render started at submit (plans with `Success()`), cancelled with the job."""
    driver: asyncio.Task[None] | None = None
    """Completes the job on its own and delivers its webhook (jobs with a webhook only)."""
    _changed: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def completed(self) -> bool:
        return self.cancelled or self.steps[self.step]["status"] == "COMPLETED"

    def advance(self, now: float) -> None:
        """Move on through the plan: by the clock, or one step per status call when untimed."""
        seconds = self.plan.step_seconds
        before = self.step
        while not self.cancelled and self.step < len(self.steps) - 1 and (self.observed or seconds > 0):
            if now - self.step_started < seconds:
                break
            self.step += 1
            self.step_started += seconds if seconds > 0 else now - self.step_started
            self.observed = False
        if self.step != before:
            self.notify()

    def tick(self, now: float) -> None:
        """Catch up with the clock (timed plans only); an untimed job waits to be observed."""
        if self.plan.step_seconds > 0:
            self.advance(now)

    def finish(self) -> None:
        """Jump to COMPLETED (an untimed job with a webhook completes on its own, at once)."""
        if not self.completed:
            self.step = len(self.steps) - 1
            self.notify()

    def next_change_at(self) -> float | None:
        """When the clock moves a timed job on next; None when untimed or finished."""
        if self.plan.step_seconds <= 0 or self.completed:
            return None
        return self.step_started + self.plan.step_seconds

    def changed(self) -> asyncio.Event:
        """An event set at the job's next change (a step, a cancel, the server stopping)."""
        return self._changed

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def stop_work(self) -> None:
        """Cancel the job's background work: rendering and the webhook driver."""
        for task in (self.output, self.driver):
            if task is not None and not task.done() and task is not asyncio.current_task():
                task.cancel()


class SandboxServer:
    """The fal-compatible server; `async with SandboxServer() as sandbox:` runs it on loopback."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.journal = Journal()
        self.media = MediaStore()
        self.default_plan = JobPlan()
        self.jobs: dict[str, Job] = {}
        self.stream_keepalive_seconds = 15.0
        """Seconds between `: keep-alive` comment lines on a quiet status stream."""
        self.webhook_repeats = 0
        """Extra deliveries of each webhook after the first (fal can deliver more than once)."""
        self.webhook_attempts = 4
        """Attempts per delivery (transport error or non-2xx answer → retry after a backoff)."""
        self.webhook_backoff_seconds = 0.05
        self.webhook_backoff_max_seconds = 2.0
        self.webhook_timeout_seconds = 10.0
        self.webhook_signer = WebhookSigner()
        """Signs every webhook delivery (ED25519, as fal does); its public key is the JWKS route's."""
        self.answer_base_url: str | None = None
        """When set, submit answers name queue URLs on this base instead of the sandbox's own (as a
        misconfigured or hostile gateway might): a client must not send its key there."""
        self._plans: deque[tuple[str | None, JobPlan]] = deque()
        self._faults: list[Fault] = []
        self._random: RandomFaults | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closing = False
        self._stopping = asyncio.Event()
        self.url = ""
        self.ssl_context = ssl_context
        """With TLS, fal-client can reach the sandbox through its own host variables, as a gateway."""
        self.schemas = PublishedSchemas()
        """What submits are checked against and the OpenAPI route serves (fal_spec's, copied)."""

    # ---- scripting ----------------------------------------------------------------------------

    def plan_next(self, plan: JobPlan, *, endpoint: str | None = None) -> None:
        """The next job submitted (to `endpoint`, if given) follows `plan`."""
        self._plans.append((endpoint, plan))

    def inject(self, *faults: Fault) -> None:
        self._faults.extend(faults)

    def random_faults(
        self,
        rate: float,
        *,
        kinds: tuple[FaultKind, ...] = ("429", "502"),
        calls: tuple[Call, ...] = ("status", "result"),
        seed: int | None = None,
        max_streak: int = 3,
        accepted_drops: float = 0.0,
        stall_seconds: float = 1.0,
        retry_after: float | None = None,
        stream_kinds: tuple[FaultKind, ...] | None = None,
    ) -> RandomFaults:
        """From now on, each `calls` call fails with probability `rate` (0 turns it off).

        Never submit, except `accepted_drops`: that share of submits creates its job and loses the
        answer. `rate >= 1` is refused; at most `max_streak` failures in a row per call and job.
        Scripted `inject` faults are checked first. Returns the source (`.fired` counts).
        """
        self._random = RandomFaults(
            rate,
            kinds,
            calls,
            seed,
            max_streak,
            accepted_drops=accepted_drops,
            stall_seconds=stall_seconds,
            retry_after=retry_after,
            stream_kinds=stream_kinds,
        )
        return self._random

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> SandboxServer:
        app = web.Application(client_max_size=1024**3)
        app.router.add_get("/_sandbox/journal", self._serve_journal)
        app.router.add_get("/.well-known/jwks.json", self._serve_jwks)
        app.router.add_get("/files/{name}", self._serve_file)
        app.router.add_get("/api/openapi/queue/openapi.json", self._openapi)
        self.media.add_routes(app, self)
        app.router.add_get("/{app:.+}/requests/{request_id}/status/stream", self._stream)
        app.router.add_get("/{app:.+}/requests/{request_id}/status", self._status)
        app.router.add_put("/{app:.+}/requests/{request_id}/cancel", self._cancel)
        app.router.add_get("/{app:.+}/requests/{request_id}", self._result)
        app.router.add_post("/{endpoint:.+}", self._submit)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self.ssl_context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        scheme = "https" if self.ssl_context else "http"
        self.url = f"{scheme}://{self.host}:{self.port}"
        self.media.base_url = self.url
        self._closing = False
        self._stopping = asyncio.Event()
        return self

    async def stop(self) -> None:
        self._closing = True
        self._stopping.set()  # ends stalled calls
        work: list[asyncio.Task[Any]] = []
        for job in self.jobs.values():
            job.stop_work()
            job.notify()  # wakes its streams, which see `_closing` and end
            work += [task for task in (job.output, job.driver) if task is not None]
        if work:
            await asyncio.wait(work, timeout=5.0)
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the queue protocol -------------------------------------------------------------------

    async def _submit(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"].strip("/")
        if (denied := check_key(request)) is not None:
            self.journal.record("submit", endpoint, None, denied.status)
            return denied
        if (faulty := await self.injected_fault("submit", endpoint, None, request)) is not None:
            return faulty
        try:
            arguments = await request.json()
        except ValueError:
            return self._answer("submit", endpoint, None, 422, {"detail": "body is not JSON"})
        request_id = str(uuid.uuid4())
        base = f"{self.answer_base_url or self.url}/{_app_path(endpoint)}/requests/{request_id}"
        urls = {
            "response_url": base,
            "status_url": f"{base}/status",
            "cancel_url": f"{base}/cancel",
        }
        plan = self._take_plan(endpoint)
        job = Job(request_id, endpoint, arguments, plan, urls, request.query.get("fal_webhook"))
        job.headers = {
            key: value for key, value in request.headers.items() if key.lower().startswith("x-fal-")
        }
        job.steps = _steps(plan)
        job.step_started = asyncio.get_running_loop().time()
        job.rejection = self.schemas.problems(endpoint, arguments)
        if job.rejection is None and isinstance(plan.outcome, Success) and plan.outcome.result is None:
            job.output = asyncio.ensure_future(self._produce(job))
        self.jobs[request_id] = job
        if job.webhook_url is not None:
            if (refused := refusal(job.webhook_url)) is not None:
                self.journal.record("webhook", endpoint, request_id, 0, note=refused)
            else:
                job.driver = asyncio.ensure_future(self._drive(job))
        body = {
            "request_id": request_id,
            "gateway_request_id": request_id,
            **urls,
            **self._status_body(job, with_logs=False),
        }
        if _late_fault.get() is not None:  # the job exists (and is billed); its answer never arrives
            return await self._drop(request, "submit", endpoint, request_id, 200, "accept_then_drop")
        return self._answer("submit", endpoint, request_id, 200, body)

    async def _status(self, request: web.Request) -> web.StreamResponse:
        job = self._job(request, "status")
        if isinstance(job, web.Response):
            return job
        if (faulty := await self.injected_fault("status", job.endpoint, job.request_id, request)) is not None:
            return faulty
        job.advance(asyncio.get_running_loop().time())
        job.observed = True
        body = self._status_body(job, with_logs=_with_logs(request))
        code = 200 if body["status"] == "COMPLETED" else 202
        return self._answer("status", job.endpoint, job.request_id, code, body)

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        job = self._job(request, "stream")
        if isinstance(job, web.Response):
            return job
        if (faulty := await self.injected_fault("stream", job.endpoint, job.request_id, request)) is not None:
            return faulty
        self.journal.record("stream", job.endpoint, job.request_id, 200)
        with_logs = _with_logs(request)
        return await stream_status(
            request,
            job,
            lambda current: self._status_body(current, with_logs=with_logs),
            keepalive_seconds=self.stream_keepalive_seconds,
            closing=lambda: self._closing,
            interruption=_late_fault.get(),
            stopping=self._stopping,
        )

    async def _result(self, request: web.Request) -> web.StreamResponse:
        job = self._job(request, "result")
        if isinstance(job, web.Response):
            return job
        if (faulty := await self.injected_fault("result", job.endpoint, job.request_id, request)) is not None:
            return faulty
        job.tick(asyncio.get_running_loop().time())
        if not job.completed:
            body = {"detail": "Request is still in progress"}
            return self._answer("result", job.endpoint, job.request_id, 400, body)
        code, body, headers = await self._outcome(job)
        return self._answer("result", job.endpoint, job.request_id, code, body, headers)

    async def _cancel(self, request: web.Request) -> web.StreamResponse:
        job = self._job(request, "cancel")
        if isinstance(job, web.Response):
            return job
        if (faulty := await self.injected_fault("cancel", job.endpoint, job.request_id, request)) is not None:
            return faulty
        job.tick(asyncio.get_running_loop().time())  # a job the clock has finished is finished
        if job.completed:
            body = {"status": "ALREADY_COMPLETED"}
            return self._answer("cancel", job.endpoint, job.request_id, 400, body)
        job.cancelled = True
        job.stop_work()
        job.notify()  # its streams send COMPLETED (client_cancelled) and close
        body = {"status": "CANCELLATION_REQUESTED"}
        return self._answer("cancel", job.endpoint, job.request_id, 202, body)

    async def _serve_journal(self, request: web.Request) -> web.StreamResponse:
        """Every call so far and each job's arguments, for clients in other processes (`fal-video
        sandbox`): `{"entries": [...], "arguments": {request_id: {...}}}`."""
        arguments = {request_id: job.arguments for request_id, job in self.jobs.items()}
        return json_answer(
            200, {"entries": [asdict(entry) for entry in self.journal.entries], "arguments": arguments}
        )

    async def _serve_jwks(self, request: web.Request) -> web.StreamResponse:
        return json_answer(200, self.webhook_signer.jwks())

    async def _openapi(self, request: web.Request) -> web.StreamResponse:
        return await serve_openapi(request, self.schemas)

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.media.get(request.match_info["name"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type=stored.content_type)

    # ---- background work ----------------------------------------------------------------------

    async def _produce(self, job: Job) -> dict[str, Any]:
        """Render the job's media and build the endpoint's output (started at submit)."""
        arguments = self.schemas.with_defaults(job.endpoint, job.arguments)
        return await behaviour_for(job.endpoint).produce(job.endpoint, arguments, job.request_id, self.media)

    async def _drive(self, job: Job) -> None:
        """Complete a webhook job without anyone polling, then deliver its webhook.

        A timed plan follows the clock (bounded by its number of steps); an untimed one completes
        at once. Cancelled with the job: a cancelled job gets no webhook.
        """
        loop = asyncio.get_running_loop()
        if job.plan.step_seconds <= 0:
            job.finish()
        for _ in range(2 * len(job.steps) + 2):  # each pass: a step boundary or a change
            job.tick(loop.time())
            if job.completed or self._closing:
                break
            wake = job.next_change_at() or loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.changed().wait(), timeout=max(0.0, wake - loop.time()) + _SLACK)
        if job.cancelled or self._closing:
            return
        if not job.completed:  # not expected: the passes cover every step boundary
            self.journal.record("webhook", job.endpoint, job.request_id, 0, "driver gave up")
            return
        code, body, _ = await self._outcome(job)
        message = webhook_body(job.request_id, code, body)
        url = job.webhook_url or ""

        def report(attempt: Attempt) -> None:
            self.journal.record("webhook", job.endpoint, job.request_id, attempt.status, attempt.note)

        sender = WebhookSender(
            self._webhook_session(),
            self.webhook_signer,
            attempts=self.webhook_attempts,
            backoff_seconds=self.webhook_backoff_seconds,
            backoff_max_seconds=self.webhook_backoff_max_seconds,
            timeout_seconds=self.webhook_timeout_seconds,
        )
        for repeat in range(1 + max(0, self.webhook_repeats)):
            if repeat:  # a repeat is a delivery of its own, signed at a later second (else it is a replay)
                await asyncio.sleep(1.01 - time.time() % 1)
            await sender.deliver(url, message, report)

    def _webhook_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _outcome(self, job: Job) -> tuple[int, Any, dict[str, str]]:
        """What the result call answers for a completed job: (code, body, extra headers)."""
        cancelled: tuple[int, Any, dict[str, str]] = (
            499,
            {"detail": "Request was cancelled", "error_type": "client_cancelled"},
            {},
        )
        if job.cancelled:
            return cancelled
        outcome = job.plan.outcome
        if job.rejection is not None and not isinstance(outcome, Failure):  # a scripted failure wins
            return 422, {"detail": job.rejection}, {}
        if isinstance(outcome, Failure):
            body: dict[str, Any] = {"detail": outcome.detail}
            headers = {}
            if outcome.error_type:
                body["error_type"] = outcome.error_type
                headers["X-Fal-Error-Type"] = outcome.error_type
            return outcome.status_code, body, headers
        if outcome.result is not None:
            return 200, outcome.result, {}
        assert job.output is not None
        try:
            return 200, await asyncio.shield(job.output), {}
        except asyncio.CancelledError:
            if job.output.cancelled() and job.cancelled:
                return cancelled
            raise
        except InputRejected as rejected:  # fal could not fetch or use a file input
            return 422, {"detail": rejected.detail}, {}
        except Exception as error:  # the render broke: fal's answer to a crashed runner
            body = {"detail": f"Rendering failed: {error}", "error_type": "internal_error"}
            return 500, body, {"X-Fal-Error-Type": "internal_error"}

    # ---- helpers ------------------------------------------------------------------------------

    def _take_plan(self, endpoint: str) -> JobPlan:
        for index, (wanted, plan) in enumerate(self._plans):
            if wanted is None or endpoint.startswith(wanted):
                del self._plans[index]
                return plan
        return self.default_plan

    def _status_body(self, job: Job, *, with_logs: bool) -> dict[str, Any]:
        step = job.steps[job.step]
        if job.cancelled:  # COMPLETED, with the logs it had produced when it was cancelled
            step = {"status": "COMPLETED", "logs_upto": step.get("logs_upto", 0)}
        body: dict[str, Any] = {"status": step["status"], "request_id": job.request_id, **job.urls}
        if step["status"] == "IN_QUEUE":
            body["queue_position"] = step["queue_position"]
        body["logs"] = self._logs(job, step.get("logs_upto", 0)) if with_logs else None
        if step["status"] == "COMPLETED":
            body["metrics"] = {"inference_time": round(0.5 + 0.1 * len(job.plan.log_lines), 3)}
            outcome = job.plan.outcome
            if job.cancelled:
                body["error"], body["error_type"] = "Request was cancelled", "client_cancelled"
            elif isinstance(outcome, Failure) and outcome.status_error:
                body["error"] = outcome.status_error
                body["error_type"] = outcome.error_type
        return body

    @staticmethod
    def _logs(job: Job, upto: int) -> list[dict[str, str]]:
        stamp = job.created_at.isoformat()
        return [
            {"message": line, "level": "INFO", "source": "user", "timestamp": stamp}
            for line in job.plan.log_lines[:upto]
        ]

    def _job(self, request: web.Request, call: Call) -> Job | web.Response:
        """The job a queue URL names, or the 401/404 answer (journaled) when there is none."""
        request_id = request.match_info["request_id"]
        denied = check_key(request)
        job = self.jobs.get(request_id)
        if denied is None and job is not None:
            return job
        # `is None`, not `or`: an aiohttp Response is a mapping, and an empty one is falsy before 3.12
        response = (
            denied
            if denied is not None
            else json_answer(404, {"detail": "Request not found", "status": "NOT_FOUND"})
        )
        self.journal.record(call, request.match_info["app"], request_id, response.status)
        return response

    async def injected_fault(
        self, call: Call, endpoint: str, request_id: str | None, request: web.Request
    ) -> web.StreamResponse | None:
        """The failure this call is to get (scripted first, then random), journaled; else None.

        Faults that act later in the handler (an accepted submit's lost answer, a stream cut or stalled
        after its first event) are kept in `_late_fault`; a stall that ends lets the call go on."""
        fault = next((f for f in self._faults if f.fires(call, endpoint)), None)
        if fault is None and self._random is not None:
            if call == "submit" and self._random.drop_submit():
                fault = Fault("submit", "accept_then_drop")
            else:
                fault = self._random.fault(call, request_id)
        if fault is None:
            return None
        kind: FaultKind = fault.kind
        late = ("cut", "stall", *(body for body in BODY_FAULTS if body != "html"))
        if kind == "accept_then_drop" or (call == "stream" and kind in late):
            _late_fault.set(fault)
            return None
        if kind == "stall":
            await self._stall(fault.seconds)
            if fault.seconds is None:  # never answered: the server stopped, or the limit passed
                return await self._drop(request, call, endpoint, request_id, 0, "stall")
            return None
        if kind == "drop":
            return await self._drop(request, call, endpoint, request_id, 0, "drop")
        if kind in BODY_FAULTS:
            self.journal.record(call, endpoint, request_id, 200, note=f"fault: {kind}")
            if kind == "html":
                return html_page()
            return web.Response(
                status=200, text=wrong_body(kind, request_id), content_type="application/json"
            )
        code = int(kind)
        self.journal.record(call, endpoint, request_id, code, note=f"fault: {kind}")
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        if code in (502, 503):  # ingress failures: nginx's page, no x-fal-request-id
            page = nginx_page(code)
            page.headers.update(headers)
            return page
        if code == 429:
            return json_answer(429, {"detail": "Rate limit exceeded"}, headers)
        if code == 404:
            return json_answer(404, {"detail": "Not Found"})
        return web.Response(status=code, text="Internal Server Error")  # a proxy's 500, not the job's

    async def _stall(self, seconds: float | None) -> None:
        """Wait `seconds` (None: until the server stops, at most `STALL_LIMIT_SECONDS`)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds or STALL_LIMIT_SECONDS)

    async def _drop(
        self, request: web.Request, call: Call, endpoint: str, request_id: str | None, status: int, why: str
    ) -> web.StreamResponse:
        """Close the connection without an answer (journaled with `status`: 200 when the call did its
        work first, 0 when it did nothing)."""
        self.journal.record(call, endpoint, request_id, status, note=f"fault: {why}")
        await request.read()
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError  # aiohttp gives up on a closed transport without a reply

    def _answer(
        self,
        call: Call,
        endpoint: str,
        request_id: str | None,
        code: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        self.journal.record(call, endpoint, request_id, code)
        return json_answer(code, body, {"x-fal-request-id": request_id or "", **(headers or {})})


def _with_logs(request: web.Request) -> bool:
    return request.query.get("logs", "0").lower() in ("1", "true")


def _app_path(endpoint: str) -> str:
    """`owner/alias` of an endpoint id (namespaced ids keep their prefix); the sub-path is dropped."""
    parts = endpoint.split("/")
    keep = 3 if parts[0] == "workflows" else 2
    return "/".join(parts[:keep])


def _steps(plan: JobPlan) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {"status": "IN_QUEUE", "queue_position": position} for position in plan.queue_positions
    ]
    lines = len(plan.log_lines)
    steps += [{"status": "IN_PROGRESS", "logs_upto": upto} for upto in range(1 if lines else 0, lines + 1)]
    steps.append({"status": "COMPLETED", "logs_upto": lines})
    return steps


@contextlib.contextmanager
def route_fal_client(base_url: str):  # type: ignore[no-untyped-def]
    """Point fal-client's documented URL constants at `base_url` for the duration of the block."""
    import fal_client.client as fal_http

    saved = (fal_http.QUEUE_URL_FORMAT, fal_http.REST_URL, fal_http.CDN_URL)
    fal_http.QUEUE_URL_FORMAT = f"{base_url}/"
    fal_http.REST_URL = base_url
    fal_http.CDN_URL = base_url
    try:
        yield
    finally:
        fal_http.QUEUE_URL_FORMAT, fal_http.REST_URL, fal_http.CDN_URL = saved
