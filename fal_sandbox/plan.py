"""What a sandbox job does, step by step, and which calls fail on purpose.

A job walks through its steps: one per queue position, one per cumulative log line, then COMPLETED.
With `step_seconds == 0` every status call moves it one step, so a test sees each state exactly once;
with a positive value the steps follow the clock, as real jobs do.

Journal call kinds (`Call`): the five client calls, plus `stream` (one entry per status stream
opened, whatever it then sends) and `webhook` (one entry per delivery attempt the sandbox makes,
with the receiver's HTTP status, 0 when it could not be reached or the URL was refused).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Call = Literal["submit", "status", "result", "cancel", "upload", "stream", "webhook"]
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
    detail = [{"loc": ["body", name], "msg": message, "type": "value_error"} for name, message in fields]
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


@dataclass
class RandomFaults:
    """Fail each matching call with probability `rate`, the kind drawn from `kinds`.

    Never on submit: a failed submit is ambiguous (did the job start?), so it is not offered.
    Bounded twice: `rate < 1`, and at most `max_streak` consecutive failures of one call for one
    job, fewer than fal-client's 10 attempts, so its own retry always gets through in the end.
    """

    rate: float
    kinds: tuple[FaultKind, ...] = ("429", "502")
    calls: tuple[Call, ...] = ("status", "result")
    seed: int | None = None
    max_streak: int = 3
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _streaks: dict[tuple[str, str | None], int] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 <= self.rate < 1:
            raise ValueError(f"fault rate must be in [0, 1), got {self.rate!r}")
        if "submit" in self.calls:
            raise ValueError("random faults never apply to submit: a failed submit is ambiguous")
        if unknown := set(self.calls) - set(get_args(Call)):
            raise ValueError(f"unknown call kinds: {sorted(unknown)}")
        if not self.kinds or (unknown := set(self.kinds) - set(get_args(FaultKind))):
            raise ValueError(f"fault kinds must be a non-empty subset of {get_args(FaultKind)}")
        if self.max_streak < 1:
            raise ValueError("max_streak must be at least 1")
        self._rng = random.Random(self.seed)

    def pick(self, call: Call, request_id: str | None) -> FaultKind | None:
        """The fault this call gets, or None; counts the streak per (call, job)."""
        if call not in self.calls or self.rate <= 0:
            return None
        key = (call, request_id)
        if self._streaks.get(key, 0) < self.max_streak and self._rng.random() < self.rate:
            self._streaks[key] = self._streaks.get(key, 0) + 1
            self.fired += 1
            return self._rng.choice(self.kinds)
        self._streaks[key] = 0
        return None
