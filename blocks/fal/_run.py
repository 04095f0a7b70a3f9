"""THE run loop every fal block uses: submit once, follow the job, fetch its result, never pay twice.

Why not fal-client's `subscribe`: it polls ten times a second, ignores a COMPLETED job's error,
neither cancels nor retries, and its submit retries itself (a retried submit can be a second paid
job). This loop speaks fal's queue protocol through `_queue.QueueClient`, one call at a time:

- a job is written to the host's ledger (if any) before it is sent, and submitted with exactly one
  POST. A submit that never left is said to be safe to retry; one whose answer was lost is kept in the
  ledger as ambiguous and never sent again without the user's word (`--resubmit`);
- the request id is reported the moment fal returns it; the submit answer's queue position is the
  first status (no status call right after submit);
- the job is followed on fal's status stream (`.../status/stream`, server-sent events): completion is
  noticed one round trip after it happens. A stream that drops, stalls or sends garbage is followed by
  one status call and reopened; a refused stream (or no free stream slot) falls back to status polling
  with exponential backoff and jitter, from `first_poll` up to `max_poll`; a job waiting for a slot
  gets the next one that frees, longest-waiting first (`_queue.StreamSlots`);
- each queue-position change and each new fal log line is reported once, as it happens. A status
  answer's `logs` are every line so far; a stream event's are only the lines new since that stream's
  previous event, so a fresh stream's first event holds every line so far (fal-js
  `libs/client/src/queue.ts` at 381105e, lines 422-446, adds them up per stream). Lines are counted
  by their place in the job's log, so a reopened stream neither repeats nor drops one;
- transient failures (429 honouring `Retry-After`, 5xx, dropped or stalled calls, a 200 whose body is
  not fal's JSON) are retried inside the deadline; every call has its own timeout;
- the result is fetched directly once the job is COMPLETED; COMPLETED means finished, not succeeded;
- when the deadline passes, the queue-wait limit passes, the job is given up on, or the task is
  cancelled, fal's cancel is sent in a task of its own (a second cancellation does not stop it), and
  its outcome is recorded: cancelled, already completed (the result is kept), or unconfirmed (the job
  stays open in the ledger: it may still finish).

The same steps serve the asynchronous workflow, one at a time (`blocks/fal/jobs.py`, `fal-video
submit/status/result/cancel`): `submit_fal_job` records and sends the job and returns at once;
`follow_fal_job` follows a known request to its result (a result a verified webhook left in the ledger
is taken without a call); `fal_job_status` asks once; `cancel_fal_job` cancels and records it. A
follower does not own the job: its deadline passing, or its own cancellation, leaves the job running.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import fal_client
from fal_client.client import FalClientHTTPError

from ._events import (
    CancelOutcome,
    CancelSent,
    Completed,
    Following,
    LedgerWriteFailed,
    LogLine,
    QueuePosition,
    Resumed,
    Retrying,
    Started,
    StreamInterrupted,
    Submitted,
    report,
)
from ._failures import FalJobError, Step, describe, is_transient, short_reason
from ._ledger import JobAlreadyOpen, JobLedger, JobState, LedgerEntry, LedgerError
from ._queue import (
    JobUrls,
    QueueClient,
    Status,
    StreamBroken,
    StreamRefused,
    SubmitAnswerLost,
    SubmitNotSent,
    SubmitRefused,
    job_urls,
    retry_after,
)
from ._secrets import Redact, redactor

_T = TypeVar("_T")

_pending_cancels: set[asyncio.Task[Any]] = set()
"""Cancels still going out after their run was cancelled; held so they are not garbage-collected."""

MAX_STREAM_FAILURES = 5
"""Consecutive stream breakdowns after which a job is followed by polling alone."""
STREAM_HEALTHY_SECONDS = 30.0
"""A stream that lasted this long before breaking resets the count of breakdowns."""


@dataclass(frozen=True)
class WaitPolicy:
    """How long to wait for a job, how to follow it, and how long each call may take."""

    deadline: float = 1200.0
    first_poll: float = 1.0
    max_poll: float = 4.0
    """p95 lag under 5 s when polling (the cap, jittered by 20 %, bounds the lag)."""
    growth: float = 1.5
    jitter: float = 0.2
    cancel_timeout: float = 10.0
    """How long a cancel may take, retries included; beyond it the cancel is unconfirmed."""
    call_timeout: float = 10.0
    """Each status, result or cancel call."""
    submit_timeout: float = 60.0
    """The submit's answer; after this the submit is ambiguous (fal may have accepted it)."""
    status_stream: bool = True
    """Follow the job on fal's status stream (else poll from the start)."""
    stream_stall: float = 25.0
    """Silence on the stream (fal sends a comment line about every 15 s) after which it is reopened."""
    max_queue_wait: float | None = None
    """Cancel a job still in fal's queue this many seconds after it was submitted (None: no limit)."""

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
    client: QueueClient,
    endpoint: str,
    arguments: dict[str, Any],
    *,
    policy: WaitPolicy | None = None,
    logs: list[str] | None = None,
    webhook_url: str | None = None,
    ledger: JobLedger | None = None,
    ledger_key: str = "",
    estimate_usd: float | None = None,
    secrets: Sequence[str] = (),
) -> FalJobOutcome:
    """Run one fal job to its end. Raises `FalJobError` (with the request id once there is one).

    With a `ledger`, a job still open under `ledger_key` is resumed, not submitted again, and a new
    job is recorded before it is sent. `secrets` (secret input values) are masked in every line and
    error this run produces."""
    job = _JobRun(
        client=client,
        endpoint=endpoint,
        arguments=arguments,
        policy=policy or WaitPolicy(),
        logs=[] if logs is None else logs,
        webhook_url=webhook_url,
        ledger=ledger,
        key=ledger_key,
        estimate_usd=estimate_usd,
        redact=redactor(secrets),
    )
    try:
        return await job.run()
    except FalJobError as failure:
        failure.message = job.redact(failure.message)
        failure.args = (failure.message,)
        raise


@dataclass(frozen=True)
class SubmittedJob:
    """A job fal has accepted (or one an earlier run left open under the same key: `resumed`)."""

    request_id: str
    endpoint: str
    resumed: bool = False


JobStateName = Literal["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]


@dataclass(frozen=True)
class JobStatus:
    """One status answer: fal's state, the queue position while queued, fal's log lines so far."""

    request_id: str
    state: JobStateName
    queue_position: int | None = None
    logs: list[str] = field(default_factory=list)
    error: str | None = None
    """A COMPLETED job's failure, as fal's status says it (the result says more)."""


async def submit_fal_job(
    client: QueueClient,
    endpoint: str,
    arguments: dict[str, Any],
    *,
    policy: WaitPolicy | None = None,
    logs: list[str] | None = None,
    webhook_url: str | None = None,
    ledger: JobLedger | None = None,
    ledger_key: str = "",
    estimate_usd: float | None = None,
    secrets: Sequence[str] = (),
) -> SubmittedJob:
    """Submit one job and return as soon as fal has accepted it (its request id is recorded in the
    ledger first, when there is one). A job still open under `ledger_key` is returned instead of a new
    submit, exactly as `run_fal_job` resumes it. Raises `FalJobError`."""
    job = _JobRun(
        client=client,
        endpoint=endpoint,
        arguments=arguments,
        policy=policy or WaitPolicy(),
        logs=[] if logs is None else logs,
        webhook_url=webhook_url,
        ledger=ledger,
        key=ledger_key,
        estimate_usd=estimate_usd,
        redact=redactor(secrets),
        start_deadline=False,
    )
    return await _redacted(job, job.submit_only())


async def follow_fal_job(
    client: QueueClient,
    endpoint: str,
    request_id: str,
    *,
    policy: WaitPolicy | None = None,
    logs: list[str] | None = None,
    ledger: JobLedger | None = None,
    secrets: Sequence[str] = (),
) -> FalJobOutcome:
    """Follow a known request to its end and fetch its result, within `policy.deadline`. Nothing is
    submitted, and nothing cancelled: when the deadline passes the job keeps running (`FalJobError`
    of kind `not_finished`; ask again later). A result the ledger already holds (fetched by an earlier
    run, or brought by a verified webhook) is returned without a call to fal."""
    job = _known_job(client, endpoint, request_id, policy, logs, ledger, secrets)
    return await _redacted(job, job.follow())


async def fal_job_status(
    client: QueueClient,
    endpoint: str,
    request_id: str,
    *,
    policy: WaitPolicy | None = None,
    secrets: Sequence[str] = (),
) -> JobStatus:
    """One status answer for a known request (transient failures retried within `policy.deadline`)."""
    job = _known_job(client, endpoint, request_id, policy, None, None, secrets)
    return await _redacted(job, job.status_once())


async def cancel_fal_job(
    client: QueueClient,
    endpoint: str,
    request_id: str,
    *,
    policy: WaitPolicy | None = None,
    logs: list[str] | None = None,
    ledger: JobLedger | None = None,
    secrets: Sequence[str] = (),
) -> CancelOutcome:
    """Send fal's cancel for a known request and record its outcome in the ledger (as the run loop
    records its own cancels): accepted, already completed (the result is kept), not found, or
    unconfirmed (the job stays open: it may still finish)."""
    job = _known_job(client, endpoint, request_id, policy, logs, ledger, secrets)
    return await _redacted(job, job.cancel_known())


def _known_job(
    client: QueueClient,
    endpoint: str,
    request_id: str,
    policy: WaitPolicy | None,
    logs: list[str] | None,
    ledger: JobLedger | None,
    secrets: Sequence[str],
) -> _JobRun:
    job = _JobRun(
        client=client,
        endpoint=endpoint,
        arguments={},
        policy=policy or WaitPolicy(),
        logs=[] if logs is None else logs,
        webhook_url=None,
        ledger=ledger,
        key="",
        estimate_usd=None,
        redact=redactor(secrets),
        owns_job=False,
    )
    job.urls = job_urls(endpoint, request_id)
    return job


async def _redacted(job: _JobRun, step: Any) -> Any:
    """Await one step of a job; its failure's message is masked of every secret."""
    try:
        return await step
    except FalJobError as failure:
        failure.message = job.redact(failure.message)
        failure.args = (failure.message,)
        raise


async def settle_pending_cancels(seconds: float) -> None:
    """Wait (at most `seconds`) for cancels still going out: a host calls this before its event
    loop ends, so they are sent and recorded. A cancel cut short leaves its job open in the ledger."""
    pending = [task for task in _pending_cancels if not task.done()]
    if pending:
        await asyncio.wait(pending, timeout=seconds)


@dataclass
class _JobRun:
    """One run of one job: its state as the run goes on, and the steps that move it."""

    client: QueueClient
    endpoint: str
    arguments: dict[str, Any]
    policy: WaitPolicy
    logs: list[str]
    webhook_url: str | None
    ledger: JobLedger | None
    key: str
    estimate_usd: float | None
    redact: Redact
    urls: JobUrls | None = None
    job_id: int | None = None
    started: float = 0.0
    queued_since: float = 0.0
    last_position: int | None = None
    seen_lines: int = 0
    job_started: bool = False
    on_start: Callable[[], None] | None = None
    resumed_completed: bool = False
    unrecorded: bool = False
    """Submitted, and not yet written to the ledger as such."""
    cancel_outcome: CancelOutcome | None = None
    """What fal said to this run's cancel, once one was sent (never two)."""
    owns_job: bool = True
    """A run that submitted (or resumed) the job cancels it when it gives up; a follower does not."""
    start_deadline: bool = True
    """Send the deadline as fal's start timeout (`X-Fal-Request-Timeout`); not for a submit-only job."""

    @property
    def request_id(self) -> str:
        return self.urls.request_id if self.urls else ""

    async def run(self) -> FalJobOutcome:
        loop = asyncio.get_running_loop()
        self.started = self.queued_since = loop.time()
        for _ in range(4):  # an open entry settles (resumed, closed, raced by another process) quickly
            earlier = await self._ledger_read()
            if earlier is not None:
                outcome = await self._resume(earlier)
                if outcome is not None:
                    return outcome
                if self.urls is None:  # closed (by --resubmit, or by another process): look again
                    continue
                try:
                    return await self._wait(None)
                except FalJobError as failure:
                    if failure.kind != "cancelled":
                        raise
                    self._forget_job()  # the job an earlier run left was cancelled: make it anew
                    continue
            try:
                first = await self._submit()
            except JobAlreadyOpen:  # another process recorded this key's job just now: follow that
                continue
            return await self._wait(first)
        raise FalJobError(f"the job ledger keeps changing this node's open job on {self.endpoint}")

    async def submit_only(self) -> SubmittedJob:
        """Record and send the job (or take the one an earlier run left open), and return."""
        self.started = self.queued_since = asyncio.get_running_loop().time()
        for _ in range(4):  # as in `run`: an open entry settles quickly
            earlier = await self._ledger_read()
            if earlier is not None:
                await self._resume(earlier)
                if self.urls is None:  # closed meanwhile (--resubmit, another process): look again
                    continue
                return SubmittedJob(self.request_id, self.endpoint, resumed=True)
            try:
                await self._submit()
            except JobAlreadyOpen:
                continue
            try:
                await self._record_submission()
            except LedgerError as broken:
                raise await self._lost_ledger(broken) from None
            except asyncio.CancelledError:
                await self._cancel("run cancelled")
                raise
            return SubmittedJob(self.request_id, self.endpoint)
        raise FalJobError(f"the job ledger keeps changing this node's open job on {self.endpoint}")

    async def follow(self) -> FalJobOutcome:
        """Follow the known request (`self.urls`) to its result, within the deadline."""
        self.started = self.queued_since = asyncio.get_running_loop().time()
        entry = await self._known_entry()
        if entry is not None and entry.result is not None:  # fetched earlier, or a verified webhook's
            return self._outcome(entry.result, None)
        if entry is not None and entry.state == JobState.COMPLETED:
            self.resumed_completed = True  # its result is fetched again from fal (free)
        report(Following(self.request_id, self.endpoint), self.logs)
        return await self._wait(None)

    async def status_once(self) -> JobStatus:
        """One status answer, transient failures retried within the deadline."""
        self.started = asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(self.policy.deadline):
                status = await self._poll()
        except TimeoutError:
            raise FalJobError(
                f"no status for fal request {self.request_id} within {self.policy.deadline:g}s",
                request_id=self.request_id,
                kind="timeout",
            ) from None
        if isinstance(status, fal_client.Queued):
            return JobStatus(self.request_id, "IN_QUEUE", queue_position=status.position)
        lines = [self._log_line(line).message for line in status.logs or []]
        if isinstance(status, fal_client.Completed):
            error = self.redact(status.error) if status.error else None
            return JobStatus(self.request_id, "COMPLETED", logs=lines, error=error)
        return JobStatus(self.request_id, "IN_PROGRESS", logs=lines)

    async def cancel_known(self) -> CancelOutcome:
        """Cancel the known request and record the outcome on its ledger entry, if it has one."""
        self.started = asyncio.get_running_loop().time()
        await self._known_entry()
        return await self._cancel("cancel requested")

    async def _known_entry(self) -> LedgerEntry | None:
        """The ledger's entry for the known request; its later steps are recorded on it. A request
        the ledger does not know is followed all the same (it was submitted elsewhere)."""
        if self.ledger is None:
            return None
        try:
            entry = await asyncio.to_thread(self.ledger.job_for_request, self.request_id)
        except LedgerError as broken:
            raise FalJobError(f"{broken}; nothing was asked of fal", request_id=self.request_id) from None
        if entry is None:
            return None
        if entry.endpoint != self.endpoint:
            raise FalJobError(
                f"fal request {self.request_id} was submitted to {entry.endpoint}, not {self.endpoint}",
                request_id=self.request_id,
                kind="rejected",
            )
        self.key, self.job_id = entry.key, entry.job_id
        return entry

    def _forget_job(self) -> None:
        """Back to before the submit: the job this run followed is over, a new one is to be made."""
        self.urls, self.job_id, self.resumed_completed = None, None, False
        self.last_position, self.seen_lines, self.job_started = None, 0, False
        self.queued_since = asyncio.get_running_loop().time()

    # ---- resuming what an earlier run left ---------------------------------------------------

    async def _resume(self, entry: LedgerEntry) -> FalJobOutcome | None:
        """Act on an open entry: an outcome, or None (`self.urls` set: follow it; unset: submit)."""
        if entry.state in (JobState.INTENT, JobState.AMBIGUOUS):
            entry = await self._await_other_submitter(entry)
            if entry.state in (JobState.INTENT, JobState.AMBIGUOUS):
                if self.ledger is not None and self.ledger.resubmit:
                    await self._ledger_write(self.ledger.allow_resubmit, self.key)
                    return None
                raise FalJobError(_unknown_submit(entry), kind="ambiguous")
            if not entry.is_open:
                return None
        assert entry.request_id is not None
        self.job_id = entry.job_id
        self.urls = job_urls(self.endpoint, entry.request_id)
        report(Resumed(entry.request_id, self.endpoint, self.arguments), self.logs)
        if entry.submitted_at is not None:  # the queue wait counts from the submit, not this run
            self.queued_since -= max(time.time() - entry.submitted_at, 0.0)
        if entry.state == JobState.COMPLETED:
            if entry.result is not None:  # kept by the run that fetched it, or by a verified webhook
                return self._outcome(entry.result, None)
            self.resumed_completed = True  # its result is fetched again from fal (free)
        return None

    async def _await_other_submitter(self, entry: LedgerEntry) -> LedgerEntry:
        """An intent of a live process (another run, now) is a submit in flight: wait (bounded) for its
        answer. One whose process is gone is a crashed run's, to be settled by the user."""
        patience = self.policy.submit_timeout + 5.0
        for _ in range(int(patience / 0.2) + 1):
            if entry.state != JobState.INTENT or entry.age() > patience or entry.owner_alive() is False:
                return entry
            await asyncio.sleep(0.2)
            current = await self._ledger_read()
            if current is None or current.job_id != entry.job_id:
                return current or _closed(entry)
            entry = current
        return entry

    # ---- submitting, once --------------------------------------------------------------------

    async def _submit(self) -> Status | None:
        """Record the intent, send one POST (a 429 is retried: no job was made), report the request id.
        Raises `JobAlreadyOpen` when another process recorded this key's job first. The answer is
        recorded in the ledger by `_wait`, where a cancellation at that moment cancels the job."""
        entry = await self._write_intent()
        self.job_id = entry.job_id if entry is not None else None
        refusals = 0
        while True:
            try:
                urls, first = await self._post()
                break
            except SubmitRefused as refused:
                refusals += 1
                delay = max(self.policy.delay(refusals), refused.retry_after or 0.0)
                if self._elapsed() + delay >= self.policy.deadline:
                    await self._ledger_write(self._forget_intent)
                    raise FalJobError(
                        f"fal refused the submit to {self.endpoint} ({refused}) until the deadline; "
                        "nothing was submitted",
                        kind="rejected",
                    ) from None
                report(Retrying("", "submit", str(refused), refusals, delay), self.logs)
                try:
                    await asyncio.sleep(delay)
                except asyncio.CancelledError:  # nothing in flight: there is no job to remember
                    await self._ledger_write(self._forget_intent)
                    raise
        self.urls = urls
        self.unrecorded = True
        report(Submitted(urls.request_id, self.endpoint, self.arguments), self.logs)
        return first

    async def _write_intent(self) -> LedgerEntry | None:
        """The intent, written before anything is sent; a cancellation meanwhile leaves none behind."""
        if self.ledger is None or not self.key:
            return None
        writing = asyncio.ensure_future(self._ledger_write(self._record_intent))
        try:
            return await asyncio.shield(writing)
        except asyncio.CancelledError:
            try:
                entry = await writing
            except Exception:
                raise asyncio.CancelledError from None
            if entry is not None:
                self.job_id = entry.job_id
                await self._ledger_write(self._forget_intent)
            raise

    async def _post(self) -> tuple[JobUrls, Status | None]:
        """The one POST. A cancellation while it is in flight waits (bounded) for its answer, so a job
        that was created can be recorded and cancelled."""
        limit = min(self.policy.submit_timeout, max(self.policy.deadline - self._elapsed(), 1.0))
        start_timeout = self.policy.deadline if self.start_deadline and self.policy.deadline >= 1 else None
        sending = asyncio.ensure_future(
            self.client.submit(
                self.endpoint,
                self.arguments,
                limit=limit,
                start_timeout=start_timeout,
                webhook_url=self.webhook_url,
            )
        )
        try:
            return await asyncio.shield(sending)
        except asyncio.CancelledError:
            await self._settle_cancelled_submit(sending)
            raise
        except SubmitRefused:
            raise
        except SubmitNotSent as failure:
            await self._ledger_write(self._forget_intent)
            raise FalJobError(
                f"could not reach fal to submit to {self.endpoint}: {failure}; nothing was sent, so "
                "running again is safe",
                kind="not_sent",
            ) from None
        except SubmitAnswerLost as failure:
            await self._ledger_write(self._record_ambiguous, str(failure))
            message = _lost_answer(self.endpoint, str(failure), self.ledger)
            raise FalJobError(message, kind="ambiguous") from None
        except FalClientHTTPError as refused:
            await self._ledger_write(self._forget_intent)
            raise FalJobError(describe(refused, "submit"), kind="rejected") from None

    async def _settle_cancelled_submit(self, sending: asyncio.Future[tuple[JobUrls, Status | None]]) -> None:
        try:
            urls, _ = await asyncio.wait_for(asyncio.shield(sending), self.policy.cancel_timeout)
        except (SubmitNotSent, SubmitRefused, FalClientHTTPError):
            await self._ledger_write(self._forget_intent)
            return
        except Exception as failure:  # answer lost, or not back in time: fal may have the job
            await self._ledger_write(self._record_ambiguous, f"run cancelled during submit ({failure!r})")
            return
        self.urls = urls
        report(Submitted(urls.request_id, self.endpoint, self.arguments), self.logs)
        try:
            await self._ledger_write(self._record_submitted)
        except LedgerError as broken:  # the cancel below is what matters now; its line names the request
            report(LedgerWriteFailed(urls.request_id, str(broken)), self.logs)
        await self._cancel("run cancelled during submit")

    async def _record_submission(self) -> None:
        if self.unrecorded:
            await self._ledger_write(self._record_submitted)
            self.unrecorded = False

    async def _lost_ledger(self, broken: LedgerError) -> FalJobError:
        """The job exists, and the ledger cannot say so: tell the id, cancel the job, stop."""
        report(LedgerWriteFailed(self.request_id, str(broken)), self.logs)
        outcome = await self._cancel("job ledger write failed")
        return FalJobError(
            f"fal request {self.request_id} on {self.endpoint} was submitted, but the job ledger could "
            f"not record it ({broken}); the job was cancelled ({outcome.replace('_', ' ')}). "
            f"Request id: {self.request_id}",
            request_id=self.request_id,
            kind="ledger",
        )

    # ---- following the job ------------------------------------------------------------------

    async def _wait(self, first: Status | None) -> FalJobOutcome:
        """Follow the job and fetch its result, within the deadline; cancel it on the way out."""
        remaining = max(self.policy.deadline - self._elapsed(), 0.0)
        deadline = asyncio.timeout(remaining)
        completed: fal_client.Completed | None = None
        try:
            async with deadline:
                await self._record_submission()
                completed = await self._follow(first)
                result = await self._fetch_result(completed)
        except TimeoutError:
            if not deadline.expired():
                raise
            return await self._deadline_passed(completed)
        except asyncio.CancelledError:
            if self.owns_job and completed is None and self.cancel_outcome is None:
                await self._cancel("run cancelled")
            raise
        except LedgerError as broken:  # only the submission's record raises it here
            raise await self._lost_ledger(broken) from None
        except Exception:
            if self.owns_job and completed is None and self.cancel_outcome is None:  # do not leave it
                await self._cancel("gave up waiting for the job")
            raise
        return self._outcome(result, completed)

    async def _deadline_passed(self, completed: fal_client.Completed | None) -> FalJobOutcome:
        limit = f"{self.policy.deadline:g}s"
        if not self.owns_job:  # a follower's deadline: the job is not its to cancel
            message = self._not_finished(completed, limit)
            raise FalJobError(message, request_id=self.request_id, kind="not_finished")
        if completed is not None:
            outcome: CancelOutcome = "already_completed"
        else:
            outcome = await self._cancel(f"no result after {limit}")
        if outcome == "already_completed":  # it finished as time ran out: its result is paid for
            try:
                async with asyncio.timeout(self.policy.cancel_timeout):
                    return self._outcome(await self._fetch_result(completed), completed)
            except TimeoutError:
                pass
            raise FalJobError(
                f"fal request {self.request_id} finished just as the {limit} deadline passed and its result "
                "could not be fetched in time; it is kept in the job ledger (run again to fetch it)",
                request_id=self.request_id,
                kind="timeout",
            )
        ending = {
            "accepted": "and was cancelled",
            "not_found": "(fal no longer knows it)",
            "unconfirmed": "; a cancel was sent but not confirmed, so it may still finish",
        }[outcome]
        raise FalJobError(
            f"fal request {self.request_id} did not finish within {limit} {ending}",
            request_id=self.request_id,
            kind="timeout",
        )

    def _not_finished(self, completed: fal_client.Completed | None, limit: str) -> str:
        if completed is not None:
            where = "finished, and its result could not be fetched in time"
        elif self.job_started:
            where = "is still in progress"
        elif self.last_position is not None:
            where = f"is still in fal's queue (position {self.last_position})"
        else:
            where = "has not finished"
        return (
            f"fal request {self.request_id} {where} after {limit}; it was left running: ask for its "
            "result again later"
        )

    async def _follow(self, first: Status | None) -> fal_client.Completed:
        """Until COMPLETED, reporting each new queue position and log line once; within the queue-wait
        limit, if there is one."""
        if self.resumed_completed:
            return fal_client.Completed(logs=None, metrics={})
        if first is not None:
            self._see(first)
            if isinstance(first, fal_client.Completed):
                return first
        limit = self.policy.max_queue_wait
        if limit is None or self.job_started:
            return await self._watch()
        queue_timer = asyncio.timeout_at(self.queued_since + limit)
        self.on_start = lambda: queue_timer.reschedule(None)
        try:
            async with queue_timer:
                return await self._watch()
        except TimeoutError:
            if not queue_timer.expired():
                raise
        finally:
            self.on_start = None
        return await self._queue_wait_passed(limit)

    async def _queue_wait_passed(self, limit: float) -> fal_client.Completed:
        waited = asyncio.get_running_loop().time() - self.queued_since
        position = "" if self.last_position is None else f" at position {self.last_position}"
        outcome = await self._cancel(f"still queued after {limit:g}s")
        if outcome == "already_completed":  # it started and finished meanwhile: take its result
            return await self._watch()
        ending = "it was cancelled" if outcome != "unconfirmed" else "a cancel was sent but not confirmed"
        raise FalJobError(
            f"fal request {self.request_id} waited {waited:.0f}s in fal's queue{position} without "
            f"starting (limit {limit:g}s); {ending}",
            request_id=self.request_id,
            kind="queue_timeout",
        )

    async def _watch(self) -> fal_client.Completed:
        """Follow the stream while it works; poll when it is refused, has failed too often, or no
        stream slot is free (then wait for one, longest-waiting first, polling meanwhile: a slot
        handed over ends the pause at once). A broken stream is followed by one status call, then
        reopened."""
        slots = self.client.stream_slots
        stream_wanted = self.policy.status_stream
        breakdowns = polls = 0
        turn: asyncio.Future[None] | None = None
        try:
            while True:
                if stream_wanted and (turn.done() if turn is not None else slots.take()):
                    turn = None
                    opened = asyncio.get_running_loop().time()
                    try:
                        try:
                            return await self._follow_stream()
                        finally:
                            slots.release()  # a broken stream's pause and poll need no slot
                    except StreamRefused:
                        stream_wanted = False
                    except StreamBroken as broken:
                        lasted = asyncio.get_running_loop().time() - opened
                        breakdowns = 1 if lasted >= STREAM_HEALTHY_SECONDS else breakdowns + 1
                        report(StreamInterrupted(self.request_id, str(broken)), self.logs)
                        stream_wanted = breakdowns < MAX_STREAM_FAILURES
                        status = await self._poll()
                        if isinstance(status, fal_client.Completed):
                            return status
                        await asyncio.sleep(self.policy.delay(breakdowns))
                        continue
                if stream_wanted and turn is None:
                    turn = slots.wait_turn()
                polls += 1
                if turn is None:
                    await asyncio.sleep(self.policy.delay(polls))
                else:
                    await asyncio.wait([turn], timeout=self.policy.delay(polls))
                    if turn.done():
                        continue  # a stream's first event is the status a poll would give
                status = await self._poll()
                if isinstance(status, fal_client.Completed):
                    return status
        finally:
            if turn is not None:
                slots.leave(turn)

    async def _follow_stream(self) -> fal_client.Completed:
        assert self.urls is not None
        async with self.client.stream(self.urls, stall_timeout=self.policy.stream_stall) as statuses:
            carried = 0  # log lines this stream has carried: each event holds only the new ones
            async for status in statuses:
                self._see(status, carried)
                carried += len(_lines(status))
                if isinstance(status, fal_client.Completed):
                    return status
        raise StreamBroken("closed before the job completed")  # pragma: no cover - `statuses` raises it

    async def _poll(self) -> Status:
        """One status answer; transient failures are retried (within the deadline)."""
        assert self.urls is not None
        failures = 0
        while True:
            try:
                status = await self.client.status(self.urls, limit=self.policy.call_timeout)
            except Exception as exc:
                failures += 1
                await self._retry_or_raise(exc, "status", failures)
                continue
            self._see(status)
            return status

    def _see(self, status: Status, carried: int = 0) -> None:
        """Report what is new in a status: a queue position, the start, each new log line. `carried`:
        the lines of the job's log before this answer's first (0 for a status answer, which holds all)."""
        request_id = self.request_id
        if isinstance(status, fal_client.Queued):
            if status.position != self.last_position:
                self.last_position = status.position
                report(QueuePosition(request_id, status.position), self.logs)
            return
        if not self.job_started:
            self.job_started = True
            if self.on_start is not None:
                self.on_start()
            report(Started(request_id), self.logs)
        lines = _lines(status)
        for line in lines[max(self.seen_lines - carried, 0) :]:
            report(self._log_line(line), self.logs)
        self.seen_lines = max(self.seen_lines, carried + len(lines))

    # ---- the result --------------------------------------------------------------------------

    async def _fetch_result(self, completed: fal_client.Completed | None) -> dict[str, Any]:
        """The job's output (fetched directly: fal's result URL), or its failure as a clear message."""
        assert self.urls is not None
        failures = 0
        while True:
            try:
                result = await self.client.result(self.urls, limit=self.policy.call_timeout)
                break
            except FalClientHTTPError as exc:
                if exc.status_code == 499 or exc.error_type == "client_cancelled":
                    await self._end(JobState.CANCELLED, "cancelled on fal")
                    raise FalJobError(
                        f"fal request {self.request_id} was cancelled",
                        request_id=self.request_id,
                        kind="cancelled",
                    ) from None
                failures += 1
                await self._retry_or_raise(exc, "result", failures)
            except Exception as exc:
                failures += 1
                await self._retry_or_raise(exc, "result", failures)
        if completed is not None and completed.error:
            kind = f" ({completed.error_type})" if completed.error_type else ""
            message = f"fal request {self.request_id} failed{kind}: {completed.error}"
            await self._end(JobState.FAILED, message)
            raise FalJobError(message, request_id=self.request_id)
        try:
            await self._ledger_write(self._record_completed, result)
        except LedgerError as broken:  # the result is here: deliver it; a rerun would fetch it again
            report(LedgerWriteFailed(self.request_id, str(broken)), self.logs)
        return result

    async def _retry_or_raise(self, exc: Exception, step: Step, attempt: int) -> None:
        """Wait out a transient failure (the deadline bounds it; `Retry-After` is honoured), or end the
        job in the ledger and raise its failure."""
        if not is_transient(exc, step):
            message = f"{describe(exc, step)}\n(request {self.request_id})"
            http_status = exc.status_code if isinstance(exc, FalClientHTTPError) else None
            if http_status not in (401, 403):  # the job is gone or has failed; a refused key keeps it
                await self._end(JobState.FAILED, message)
            raise FalJobError(message, request_id=self.request_id) from None
        response = exc.response if isinstance(exc, FalClientHTTPError) else None
        delay = max(self.policy.delay(attempt), retry_after(response) or 0.0)
        report(Retrying(self.request_id, step, short_reason(exc), attempt, delay), self.logs)
        await asyncio.sleep(delay)

    def _outcome(self, result: dict[str, Any], completed: fal_client.Completed | None) -> FalJobOutcome:
        elapsed = self._elapsed()
        inference = ((completed.metrics if completed else None) or {}).get("inference_time")
        report(Completed(self.request_id, elapsed, inference), self.logs)
        return FalJobOutcome(self.request_id, result, self.logs, elapsed)

    # ---- cancelling --------------------------------------------------------------------------

    async def _cancel(self, reason: str) -> CancelOutcome:
        """Send fal's cancel and record its outcome, in a task of its own: a second cancellation of
        this run stops the waiting, not the cancel. Cut short (the loop ends), the job stays open."""
        task = asyncio.ensure_future(self._cancel_and_record(reason))
        _pending_cancels.add(task)
        task.add_done_callback(_pending_cancels.discard)
        return await asyncio.shield(task)

    async def _cancel_and_record(self, reason: str) -> CancelOutcome:
        outcome = await self._send_cancel()
        self.cancel_outcome = outcome
        state = {
            "accepted": JobState.CANCELLED,
            "not_found": JobState.FAILED,
            "unconfirmed": JobState.CANCEL_UNCONFIRMED,
        }.get(outcome)  # already completed: stays submitted, so a rerun fetches the result
        if state is not None:
            await self._end(state, f"{reason}: cancel {outcome}")
        report(CancelSent(self.request_id, reason, outcome), self.logs)
        return outcome

    async def _send_cancel(self) -> CancelOutcome:
        assert self.urls is not None
        limit = self.policy.cancel_timeout
        per_call = min(self.policy.call_timeout, limit)
        try:
            async with asyncio.timeout(limit):
                for attempt in range(1, 1000):  # bounded by the timeout long before the count
                    try:
                        return await self.client.cancel(self.urls, limit=per_call)
                    except Exception as exc:
                        if not is_transient(exc, "cancel"):
                            return "unconfirmed"
                        response = exc.response if isinstance(exc, FalClientHTTPError) else None
                        pause = max(min(self.policy.delay(attempt), 1.0), retry_after(response) or 0.0)
                        await asyncio.sleep(pause)
        except TimeoutError:
            pass
        return "unconfirmed"

    # ---- the ledger --------------------------------------------------------------------------

    async def _ledger_read(self) -> LedgerEntry | None:
        if self.ledger is None or not self.key:
            return None
        try:
            return await asyncio.to_thread(self.ledger.open_job, self.key)
        except LedgerError as broken:
            raise FalJobError(f"{broken}; nothing was submitted", kind="ledger") from None

    async def _ledger_write(self, action: Callable[..., _T], *args: Any) -> _T | None:
        """Run one ledger step in a worker thread (nothing without a ledger)."""
        if self.ledger is None or not self.key:
            return None
        return await asyncio.to_thread(action, *args)

    def _record_intent(self) -> LedgerEntry:
        assert self.ledger is not None
        try:
            return self.ledger.record_intent(self.key, self.endpoint, self.estimate_usd)
        except JobAlreadyOpen:
            raise
        except LedgerError as broken:
            raise FalJobError(f"{broken}; nothing was submitted", kind="ledger") from None

    def _record_submitted(self) -> None:
        assert self.ledger is not None and self.job_id is not None and self.urls is not None
        self.ledger.record_submitted(self.job_id, self.urls.request_id, self.urls.response_url)

    def _record_ambiguous(self, reason: str) -> None:
        assert self.ledger is not None and self.job_id is not None
        try:
            self.ledger.record_ambiguous(self.job_id, reason)
        except LedgerError:
            pass  # the intent stays in the ledger, which already blocks a blind resubmit

    def _forget_intent(self) -> None:
        assert self.ledger is not None and self.job_id is not None
        try:
            self.ledger.forget_intent(self.job_id)
        except LedgerError:
            pass  # a leftover intent makes the next run ask for --resubmit: safe, if a nuisance

    def _record_completed(self, result: dict[str, Any]) -> None:
        assert self.ledger is not None and self.job_id is not None
        self.ledger.record_completed(self.job_id, result)

    async def _end(self, state: JobState, note: str) -> None:
        """Record how the job ended; a failed write is reported, never raised over the job's own news."""
        if self.ledger is None or self.job_id is None or not self.key:
            return
        try:
            await asyncio.to_thread(self.ledger.record_ended, self.job_id, state, self.redact(note))
        except LedgerError as broken:
            report(LedgerWriteFailed(self.request_id, str(broken)), self.logs)

    # ---- small helpers -----------------------------------------------------------------------

    def _elapsed(self) -> float:
        return asyncio.get_running_loop().time() - self.started

    def _log_line(self, line: Any) -> LogLine:
        if isinstance(line, dict):
            message = self.redact(str(line.get("message", "")))
            return LogLine(self.request_id, message, str(line.get("level", "INFO")))
        return LogLine(self.request_id, self.redact(str(line)))


def _lines(status: Status) -> list[Any]:
    """A status's log lines (a queued status has none)."""
    return [] if isinstance(status, fal_client.Queued) else status.logs or []


def _closed(entry: LedgerEntry) -> LedgerEntry:
    return LedgerEntry(entry.job_id, entry.key, entry.endpoint, JobState.ABANDONED, entry.created_at)


def _unknown_submit(entry: LedgerEntry) -> str:
    what = (
        "its answer was lost"
        if entry.state == JobState.AMBIGUOUS
        else "that run stopped before fal's answer was recorded"
    )
    return (
        f"an earlier run sent this node's job to {entry.endpoint} at {entry.when()} and {what}: fal may "
        "have accepted it (and bill it), and its request id is unknown. Check your fal dashboard for that "
        "endpoint around that time; to submit it again anyway, rerun with --resubmit"
    )


def _lost_answer(endpoint: str, reason: str, ledger: JobLedger | None) -> str:
    kept = (
        "; the job ledger keeps it as unconfirmed, and a rerun submits again only with --resubmit"
        if ledger is not None
        else ""
    )
    return (
        f"fal submit to {endpoint} failed after it was sent ({reason}); fal may still have accepted the "
        f"job (and bill it), so check your fal dashboard before running this again{kept}"
    )
