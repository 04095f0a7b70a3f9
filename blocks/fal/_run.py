"""THE run loop every fal block uses: submit once, follow the job, fetch its result.

Why not fal-client's `subscribe`: it polls ten times a second, ignores a COMPLETED job's error, and
neither cancels nor retries. This loop drives the same client's `submit`/`status`/`get`/`cancel`:

- the job is submitted exactly once; its request id is written to the host's ledger (if any) and
  reported the moment submit returns, and a run the ledger still knows resumes that job instead;
- status is polled with exponential backoff and jitter, from `first_poll` up to `max_poll`;
- each queue-position change and each new fal log line is reported once, as it happens;
- transient failures while waiting (429, 5xx, dropped connections) are retried inside the deadline;
- when the deadline passes or the task is cancelled, fal's cancel is sent (shielded) first;
- COMPLETED means finished, not succeeded: the result decides, and failures become clear messages.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

import fal_client
import httpx
from fal_client.client import MIN_REQUEST_TIMEOUT_SECONDS, AsyncRequestHandle, FalClientHTTPError

from ._events import (
    CancelSent,
    Completed,
    LogLine,
    QueuePosition,
    Resumed,
    Retrying,
    Started,
    Submitted,
    report,
)
from ._failures import FalJobError, Step, describe, is_transient, short_reason
from ._ledger import JobLedger

# Cancel PUTs still under way after their run was cancelled; held so they are not garbage-collected.
_pending_cancels: set[asyncio.Task[Any]] = set()


@dataclass(frozen=True)
class WaitPolicy:
    """How long to wait for a job, and how often to ask about it."""

    deadline: float = 1200.0
    first_poll: float = 1.0
    max_poll: float = 8.0
    growth: float = 1.5
    jitter: float = 0.2
    cancel_timeout: float = 10.0

    def delay(self, attempt: int) -> float:
        """The wait before poll number `attempt` (1-based): exponential, capped, jittered."""
        base = min(self.first_poll * self.growth ** max(attempt - 1, 0), self.max_poll)
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)


@dataclass
class FalJobOutcome:
    """A finished job: its request id, the model's output, and the progress lines of the run."""

    request_id: str
    result: dict[str, Any]
    logs: list[str] = field(default_factory=list)
    elapsed: float = 0.0


async def run_fal_job(
    client: fal_client.AsyncClient,
    endpoint: str,
    arguments: dict[str, Any],
    *,
    policy: WaitPolicy | None = None,
    logs: list[str] | None = None,
    webhook_url: str | None = None,
    ledger: JobLedger | None = None,
    ledger_key: str = "",
) -> FalJobOutcome:
    """Run one fal job to its end. Raises `FalJobError` (with the request id once there is one).

    With a `ledger`, a job still open under `ledger_key` (its run was killed) is resumed, not
    submitted again; a new job is recorded before anything else happens.
    """
    policy = policy or WaitPolicy()
    logs = [] if logs is None else logs
    loop = asyncio.get_running_loop()
    started = loop.time()
    earlier = await asyncio.to_thread(ledger.pending, ledger_key) if ledger else None
    if earlier:
        handle = await client.get_handle(endpoint, earlier)
    else:
        handle = await _submit_once(client, endpoint, arguments, webhook_url, policy, logs)
    request_id = handle.request_id

    job_ended = True  # false only when a cancel was not accepted: the job may still finish, so keep it
    remaining = max(policy.deadline - (loop.time() - started), 0.0)
    deadline = asyncio.timeout(remaining)
    try:
        if earlier:
            report(Resumed(request_id, endpoint, arguments), logs)
        else:
            if ledger:  # written down before anything else happens to the job
                await asyncio.to_thread(ledger.submitted, ledger_key, endpoint, request_id)
            report(Submitted(request_id, endpoint, arguments), logs)
        async with deadline:
            completed = await _follow(handle, policy, logs)
            result = await _fetch_result(handle, completed, policy, logs)
    except TimeoutError:
        if not deadline.expired():
            raise
        job_ended = await _send_cancel(handle, f"no result after {policy.deadline:g}s", policy, logs)
        raise FalJobError(
            f"fal request {request_id} did not finish within {policy.deadline:g}s and was cancelled",
            request_id=request_id,
            kind="timeout",
        ) from None
    except asyncio.CancelledError:
        job_ended = await _send_cancel(handle, "run cancelled", policy, logs)
        raise
    finally:
        if ledger and job_ended:
            await asyncio.to_thread(ledger.ended, ledger_key)

    elapsed = loop.time() - started
    inference = (completed.metrics or {}).get("inference_time")
    report(Completed(request_id, elapsed, inference), logs)
    return FalJobOutcome(request_id, result, logs, elapsed)


async def _submit_once(
    client: fal_client.AsyncClient,
    endpoint: str,
    arguments: dict[str, Any],
    webhook_url: str | None,
    policy: WaitPolicy,
    logs: list[str],
) -> AsyncRequestHandle:
    """Submit, never twice. A cancel during submit waits for the answer so the job can be cancelled.

    The start deadline (fal's `X-Fal-Request-Timeout`) is the run's own deadline: a job that has not
    started by then should not start at all, and with it fal-client does not retry a submit whose
    answer timed out, a retry that could create a second, billed job."""
    start_timeout = policy.deadline if policy.deadline > MIN_REQUEST_TIMEOUT_SECONDS else None
    submit = asyncio.ensure_future(
        client.submit(endpoint, arguments, webhook_url=webhook_url, start_timeout=start_timeout)
    )
    try:
        return await asyncio.shield(submit)
    except asyncio.CancelledError:
        handle = await _settle(submit, policy.cancel_timeout)
        if handle is not None:
            report(Submitted(handle.request_id, endpoint, arguments), logs)
            await _send_cancel(handle, "run cancelled during submit", policy, logs)
        raise
    except FalClientHTTPError as exc:
        raise FalJobError(describe(exc, "submit"), kind="rejected") from None
    except httpx.ConnectError as exc:
        raise FalJobError(f"could not reach fal to submit: {short_reason(exc)}") from None
    except httpx.HTTPError as exc:
        raise FalJobError(
            f"fal submit to {endpoint} failed ({short_reason(exc)}); fal may still have accepted "
            "the job, so check its dashboard before running this again",
            kind="unknown",
        ) from None


async def _settle(submit: asyncio.Future[AsyncRequestHandle], limit: float) -> AsyncRequestHandle | None:
    try:
        return await asyncio.wait_for(asyncio.shield(submit), limit)
    except Exception:
        return None


async def _follow(handle: AsyncRequestHandle, policy: WaitPolicy, logs: list[str]) -> fal_client.Completed:
    """Poll status until COMPLETED, reporting each new queue position and log line once."""
    request_id = handle.request_id
    last_position: int | None = None
    seen_lines = 0
    started = False
    polls = failures = 0
    while True:
        try:
            status = await handle.status(with_logs=True)
        except Exception as exc:
            failures += 1
            await _retry_or_raise(exc, "status", request_id, failures, policy, logs)
            continue
        failures = 0
        if isinstance(status, fal_client.Queued):
            if status.position != last_position:
                last_position = status.position
                report(QueuePosition(request_id, status.position), logs)
        elif isinstance(status, fal_client.InProgress | fal_client.Completed):
            if not started:
                started = True
                report(Started(request_id), logs)
            lines = status.logs or []
            for line in lines[seen_lines:]:
                report(_log_line(request_id, line), logs)
            seen_lines = max(seen_lines, len(lines))
            if isinstance(status, fal_client.Completed):
                return status
        polls += 1
        await asyncio.sleep(policy.delay(polls))


async def _fetch_result(
    handle: AsyncRequestHandle,
    completed: fal_client.Completed,
    policy: WaitPolicy,
    logs: list[str],
) -> dict[str, Any]:
    """The job's output, or its failure as a clear message. Refetching a result is always safe."""
    request_id = handle.request_id
    failures = 0
    while True:
        try:
            result = await handle.get()
            break
        except Exception as exc:
            failures += 1
            await _retry_or_raise(exc, "result", request_id, failures, policy, logs)
    if completed.error:
        kind = f" ({completed.error_type})" if completed.error_type else ""
        raise FalJobError(f"fal request {request_id} failed{kind}: {completed.error}", request_id=request_id)
    if not isinstance(result, dict):
        raise FalJobError(
            f"fal request {request_id} returned {type(result).__name__}, not an object",
            request_id=request_id,
        )
    return result


async def _retry_or_raise(
    exc: Exception,
    step: Step,
    request_id: str,
    attempt: int,
    policy: WaitPolicy,
    logs: list[str],
) -> None:
    """Wait out a transient failure (the deadline bounds it), or turn a final one into FalJobError."""
    if not is_transient(exc, step):
        raise FalJobError(f"{describe(exc, step)}\n(request {request_id})", request_id=request_id) from None
    delay = policy.delay(attempt)
    report(Retrying(request_id, step, short_reason(exc), attempt, delay), logs)
    await asyncio.sleep(delay)


async def _send_cancel(handle: AsyncRequestHandle, reason: str, policy: WaitPolicy, logs: list[str]) -> None:
    """Ask fal to cancel the job, best effort; a second cancellation does not stop the PUT."""

    async def put_cancel() -> bool:
        try:
            await asyncio.wait_for(handle.cancel(), policy.cancel_timeout)
        except (FalClientHTTPError, httpx.HTTPError, TimeoutError):
            return False  # already completed, unknown, or unreachable: nothing more to do
        return True

    task = asyncio.ensure_future(put_cancel())
    _pending_cancels.add(task)
    task.add_done_callback(_pending_cancels.discard)
    accepted = await asyncio.shield(task)
    report(CancelSent(handle.request_id, reason, accepted), logs)
    return accepted


def _log_line(request_id: str, line: Any) -> LogLine:
    if isinstance(line, dict):
        return LogLine(request_id, str(line.get("message", "")), str(line.get("level", "INFO")))
    return LogLine(request_id, str(line))
