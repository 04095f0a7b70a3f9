"""A local server that speaks fal's queue protocol, so the unmodified fal-client can talk to it.

Routes (all on one loopback port):
    POST /{endpoint_id}                          submit (`?fal_webhook=` accepted)
    GET  /{owner}/{alias}/requests/{id}/status   status (202 while waiting, 200 when COMPLETED)
    GET  /{owner}/{alias}/requests/{id}          result (or the job's error)
    PUT  /{owner}/{alias}/requests/{id}/cancel   cancel
    GET  /files/{name}                           media the jobs produced

Jobs follow `JobPlan`s queued with `plan_next` (else `default_plan`), failures are injected with
`inject`, and every call lands in `journal`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .journal import Journal
from .models import behaviour_for
from .plan import Call, Failure, Fault, JobPlan, Success
from .storage import MediaStore

_NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Job:
    request_id: str
    endpoint: str
    arguments: dict[str, Any]
    plan: JobPlan
    urls: dict[str, str]
    webhook_url: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    step: int = 0
    step_started: float = 0.0
    observed: bool = False
    cancelled: bool = False
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    output: asyncio.Task[dict[str, Any]] | None = None

    @property
    def completed(self) -> bool:
        return self.cancelled or self.steps[self.step]["status"] == "COMPLETED"

    def advance(self, now: float) -> None:
        """Move on through the plan: by the clock, or one step per status call when untimed."""
        seconds = self.plan.step_seconds
        while self.step < len(self.steps) - 1 and (self.observed or seconds > 0):
            if now - self.step_started < seconds:
                return
            self.step += 1
            self.step_started += seconds if seconds > 0 else now - self.step_started
            self.observed = False


class SandboxServer:
    """The fal-compatible server; `async with SandboxServer() as sandbox:` runs it on loopback."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.journal = Journal()
        self.media = MediaStore()
        self.default_plan = JobPlan()
        self.jobs: dict[str, Job] = {}
        self._plans: deque[tuple[str | None, JobPlan]] = deque()
        self._faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---- scripting ----------------------------------------------------------------------------

    def plan_next(self, plan: JobPlan, *, endpoint: str | None = None) -> None:
        """The next job submitted (to `endpoint`, if given) follows `plan`."""
        self._plans.append((endpoint, plan))

    def inject(self, *faults: Fault) -> None:
        self._faults.extend(faults)

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> SandboxServer:
        app = web.Application(client_max_size=1024**3)
        app.router.add_get("/files/{name}", self._serve_file)
        self.media.add_routes(app, self)
        app.router.add_get("/{app:.+}/requests/{request_id}/status", self._status)
        app.router.add_put("/{app:.+}/requests/{request_id}/cancel", self._cancel)
        app.router.add_get("/{app:.+}/requests/{request_id}", self._result)
        app.router.add_post("/{endpoint:.+}", self._submit)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://{self.host}:{self.port}"
        self.media.base_url = self.url
        return self

    async def stop(self) -> None:
        for job in self.jobs.values():
            if job.output and not job.output.done():
                job.output.cancel()
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
        if (denied := _check_key(request)) is not None:
            self.journal.record("submit", endpoint, None, denied.status)
            return denied
        if (faulty := await self._fault("submit", endpoint, None, request)) is not None:
            return faulty
        try:
            arguments = await request.json()
        except ValueError:
            return self._answer("submit", endpoint, None, 422, {"detail": "body is not JSON"})
        request_id = str(uuid.uuid4())
        base = f"{self.url}/{_app_path(endpoint)}/requests/{request_id}"
        urls = {
            "response_url": base,
            "status_url": f"{base}/status",
            "cancel_url": f"{base}/cancel",
        }
        plan = self._take_plan(endpoint)
        job = Job(request_id, endpoint, arguments, plan, urls, request.query.get("fal_webhook"))
        job.steps = _steps(plan)
        job.step_started = asyncio.get_running_loop().time()
        if isinstance(plan.outcome, Success) and plan.outcome.result is None:
            job.output = asyncio.ensure_future(self._produce(job))
        self.jobs[request_id] = job
        body = {"request_id": request_id, **urls, **self._status_body(job, with_logs=False)}
        return self._answer("submit", endpoint, request_id, 200, body)

    async def _status(self, request: web.Request) -> web.StreamResponse:
        job = self._job(request, "status")
        if isinstance(job, web.Response):
            return job
        if (
            faulty := await self._fault("status", job.endpoint, job.request_id, request)
        ) is not None:
            return faulty
        job.advance(asyncio.get_running_loop().time())
        job.observed = True
        with_logs = request.query.get("logs", "0").lower() in ("1", "true")
        body = self._status_body(job, with_logs=with_logs)
        code = 200 if body["status"] == "COMPLETED" else 202
        return self._answer("status", job.endpoint, job.request_id, code, body)

    async def _result(self, request: web.Request) -> web.StreamResponse:
        job = self._job(request, "result")
        if isinstance(job, web.Response):
            return job
        if (
            faulty := await self._fault("result", job.endpoint, job.request_id, request)
        ) is not None:
            return faulty
        if not job.completed:
            body = {"detail": "Request is still in progress"}
            return self._answer("result", job.endpoint, job.request_id, 400, body)
        if job.cancelled:
            body = {"detail": "Request was cancelled", "error_type": "client_cancelled"}
            return self._answer("result", job.endpoint, job.request_id, 499, body)
        outcome = job.plan.outcome
        if isinstance(outcome, Failure):
            body = {"detail": outcome.detail}
            headers = {}
            if outcome.error_type:
                body["error_type"] = outcome.error_type
                headers["X-Fal-Error-Type"] = outcome.error_type
            code = outcome.status_code
            return self._answer("result", job.endpoint, job.request_id, code, body, headers)
        result = outcome.result if outcome.result is not None else await job.output  # type: ignore[misc]
        return self._answer("result", job.endpoint, job.request_id, 200, result)

    async def _cancel(self, request: web.Request) -> web.StreamResponse:
        job = self._job(request, "cancel")
        if isinstance(job, web.Response):
            return job
        if (
            faulty := await self._fault("cancel", job.endpoint, job.request_id, request)
        ) is not None:
            return faulty
        if job.completed:
            body = {"status": "ALREADY_COMPLETED"}
            return self._answer("cancel", job.endpoint, job.request_id, 400, body)
        job.cancelled = True
        if job.output is not None:
            job.output.cancel()
        body = {"status": "CANCELLATION_REQUESTED"}
        return self._answer("cancel", job.endpoint, job.request_id, 202, body)

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.media.get(request.match_info["name"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type=stored.content_type)

    # ---- helpers ------------------------------------------------------------------------------

    async def _produce(self, job: Job) -> dict[str, Any]:
        """Render the job's media and build the endpoint's output (started at submit)."""
        return await behaviour_for(job.endpoint).produce(
            job.endpoint, job.arguments, job.request_id, self.media
        )

    def _take_plan(self, endpoint: str) -> JobPlan:
        for index, (wanted, plan) in enumerate(self._plans):
            if wanted is None or endpoint.startswith(wanted):
                del self._plans[index]
                return plan
        return self.default_plan

    def _status_body(self, job: Job, *, with_logs: bool) -> dict[str, Any]:
        step = (
            {"status": "COMPLETED", "logs_upto": len(job.plan.log_lines)}
            if job.cancelled
            else job.steps[job.step]
        )
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
        denied = _check_key(request)
        job = self.jobs.get(request_id)
        if denied is None and job is not None:
            return job
        response = denied or _json(404, {"detail": "Request not found", "status": "NOT_FOUND"})
        self.journal.record(call, request.match_info["app"], request_id, response.status)
        return response

    async def _fault(
        self, call: Call, endpoint: str, request_id: str | None, request: web.Request
    ) -> web.StreamResponse | None:
        fault = next((f for f in self._faults if f.fires(call, endpoint)), None)
        if fault is None:
            return None
        if fault.kind == "drop":
            self.journal.record(call, endpoint, request_id, 0)
            await request.read()
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError  # aiohttp gives up on a closed transport without a reply
        code = int(fault.kind)
        self.journal.record(call, endpoint, request_id, code)
        if code in (502, 503):  # ingress failures: nginx's page, no x-fal-request-id
            return web.Response(status=code, text=_NGINX_502, content_type="text/html")
        if code == 429:
            return _json(429, {"detail": "Rate limit exceeded"})
        return _json(
            code,
            {"detail": "Internal server error", "error_type": "internal_error"},
            {"x-fal-request-id": request_id or ""},
        )

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
        return _json(code, body, {"x-fal-request-id": request_id or "", **(headers or {})})


def _json(code: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=code, headers=headers)


def _check_key(request: web.Request) -> web.Response | None:
    """fal answers 401 without a `Key` authorization; the key itself is never echoed."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Key" or not token.strip():
        return _json(401, {"detail": "Missing or malformed Authorization header"})
    return None


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
    steps += [
        {"status": "IN_PROGRESS", "logs_upto": upto} for upto in range(1 if lines else 0, lines + 1)
    ]
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
