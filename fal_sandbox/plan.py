"""What a sandbox job does, step by step, and which calls fail on purpose.

A job walks through its steps: one per queue position, one per cumulative log line, then COMPLETED.
With `step_seconds == 0` every status call moves it one step, so a test sees each state exactly once;
with a positive value the steps follow the clock, as real jobs do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Call = Literal["submit", "status", "result", "cancel", "upload"]
FaultKind = Literal["429", "500", "502", "503", "drop"]


@dataclass(frozen=True)
class Success:
    """The job succeeds. `result=None`: the endpoint's usual output, with a rendered clip."""

    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class Failure:
    """The job ends COMPLETED and its result is an error, as fal reports failures.

    `status_error` is the `error` field on the COMPLETED status (fal sets it for some failures).
    """

    status_code: int
    detail: Any
    error_type: str | None = None
    status_error: str | None = None


def validation_failure(*fields: tuple[str, str]) -> Failure:
    """A 422 with one `detail` entry per (field, message), as fal's input validation answers."""
    detail = [
        {"loc": ["body", name], "msg": message, "type": "value_error"} for name, message in fields
    ]
    return Failure(422, detail)


def model_error(message: str, error_type: str = "runner_server_error") -> Failure:
    """The model crashed: COMPLETED with `error`/`error_type`, and a 500 result."""
    return Failure(500, message, error_type, status_error=message)


Outcome = Success | Failure


@dataclass(frozen=True)
class JobPlan:
    queue_positions: tuple[int, ...] = (0,)
    log_lines: tuple[str, ...] = ("loading model", "generating frames", "encoding video")
    step_seconds: float = 0.0
    outcome: Outcome = field(default_factory=Success)


@dataclass
class Fault:
    """Make the next `times` calls of kind `call` (after skipping `after`) fail with `kind`."""

    call: Call
    kind: FaultKind
    times: int = 1
    after: int = 0
    endpoint: str | None = None
    seen: int = 0
    fired: int = 0

    def fires(self, call: Call, endpoint: str) -> bool:
        """Count a call; True when this one is to fail."""
        if call != self.call or (self.endpoint and not endpoint.startswith(self.endpoint)):
            return False
        self.seen += 1
        if self.seen > self.after and self.fired < self.times:
            self.fired += 1
            return True
        return False
