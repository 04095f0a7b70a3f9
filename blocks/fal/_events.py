"""What the run loop reports while a fal job runs.

Each event is one line of the `logs` output (`str(event)`) and, as it happens, a call to whatever
progress listener the host installed (a live progress display, the platform's node log).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

logger = logging.getLogger("blocks.fal")


@dataclass(frozen=True)
class FalEvent:
    request_id: str

    def __str__(self) -> str:  # pragma: no cover - every subclass says its own line
        return type(self).__name__


@dataclass(frozen=True)
class Submitted(FalEvent):
    endpoint: str
    arguments: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """What fal received (the host's record of the job; never part of the log line)."""

    def __str__(self) -> str:
        return f"submitted to {self.endpoint} as request {self.request_id}"


@dataclass(frozen=True)
class Resumed(FalEvent):
    endpoint: str
    arguments: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __str__(self) -> str:
        return f"resumed request {self.request_id} on {self.endpoint}, submitted by an earlier run"


@dataclass(frozen=True)
class Following(FalEvent):
    """A known request (submitted earlier, maybe by another process) is followed to its result."""

    endpoint: str

    def __str__(self) -> str:
        return f"following request {self.request_id} on {self.endpoint}"


@dataclass(frozen=True)
class QueuePosition(FalEvent):
    position: int

    def __str__(self) -> str:
        return f"in queue, position {self.position}"


@dataclass(frozen=True)
class Started(FalEvent):
    def __str__(self) -> str:
        return "in progress"


@dataclass(frozen=True)
class LogLine(FalEvent):
    message: str
    level: str = "INFO"

    def __str__(self) -> str:
        return f"fal: {self.message}"


@dataclass(frozen=True)
class Retrying(FalEvent):
    step: str
    reason: str
    attempt: int
    delay: float

    def __str__(self) -> str:
        return f"{self.step} failed ({self.reason}); retry {self.attempt} in {self.delay:.1f}s"


@dataclass(frozen=True)
class Completed(FalEvent):
    elapsed: float
    inference_time: float | None = None

    def __str__(self) -> str:
        inference = f", inference {self.inference_time:.1f}s" if self.inference_time else ""
        return f"completed after {self.elapsed:.1f}s{inference}"


CancelOutcome = Literal["accepted", "already_completed", "not_found", "unconfirmed"]
"""What fal said to a cancel: 202 accepted; 400 ALREADY_COMPLETED (the job finished first, its result is
kept); 404 (fal does not know the request); or no clear answer (the job may still run)."""

_CANCEL_OUTCOMES: dict[str, str] = {
    "accepted": "accepted",
    "already_completed": "not needed: the job had already completed, its result is kept",
    "not_found": "fal does not know the request",
    "unconfirmed": "not confirmed: the job may still run; it stays in the job ledger",
}


@dataclass(frozen=True)
class CancelSent(FalEvent):
    reason: str
    outcome: CancelOutcome

    @property
    def accepted(self) -> bool:
        return self.outcome == "accepted"

    def __str__(self) -> str:
        return f"{self.reason}: cancel sent for request {self.request_id} ({_CANCEL_OUTCOMES[self.outcome]})"


@dataclass(frozen=True)
class StreamInterrupted(FalEvent):
    """The status stream dropped, stalled or sent something unreadable: one status call, then reopen."""

    reason: str

    def __str__(self) -> str:
        return f"status stream interrupted ({self.reason}); checking status and reopening it"


@dataclass(frozen=True)
class LedgerWriteFailed(FalEvent):
    """A submitted job could not be written to the job ledger: its id is said here, then it is cancelled."""

    reason: str

    def __str__(self) -> str:
        return f"job ledger write failed for request {self.request_id} ({self.reason}); cancelling it"


ProgressListener = Callable[[FalEvent], None]

progress_listener: contextvars.ContextVar[ProgressListener | None] = contextvars.ContextVar(
    "fal_progress_listener", default=None
)
"""Set by a host (the standalone executor, a test) for the task that runs a node."""


def report(event: FalEvent, collected: list[str]) -> None:
    """Record an event in the run's logs, the Python log, and the host's listener (if any)."""
    line = str(event)
    collected.append(line)
    logger.info(line, extra={"fal_request_id": event.request_id})
    listener = progress_listener.get()
    if listener is not None:
        try:
            listener(event)
        except Exception:  # a broken progress display must never break a paid job
            logger.exception("progress listener failed")
