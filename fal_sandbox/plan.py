"""What a sandbox job does, step by step, and which calls fail on purpose.

A job walks through its steps: one per queue position, one per cumulative log line, then COMPLETED.
With `step_seconds == 0` every status call moves it one step, so a test sees each state exactly once;
with a positive value the steps follow the clock, as real jobs do.

Journal call kinds (`Call`): the five client calls, plus `stream` (one entry per status stream
opened, whatever it then sends) and `webhook` (one entry per delivery attempt the sandbox makes,
with the receiver's HTTP status, 0 when it could not be reached or the URL was refused).

Fault kinds (`FaultKind`), the failures real fal and real networks produce:
- "429", "500", "502", "503", "404": that HTTP status (502/503 as nginx's HTML page, 429 as fal's
  JSON; `retry_after` adds a `Retry-After` header);
- "drop": the connection is closed without an answer (a submit creates no job);
- "accept_then_drop" (submit only): the job is created, and billed, then the connection is closed
  without an answer;
- "bad_json", "html": a 200 whose body is not JSON / is an HTML page (a proxy's or a portal's);
- "deep_json": a 200 whose JSON nests deeper than a parser's recursion goes (Python raises
  RecursionError, not ValueError);
- "other_id", "bad_status" (status and stream only): a 200 status for another request id (and
  COMPLETED), or with a status fal does not have ("FAILED");
- "stall": the answer comes `seconds` late (None: never, until the client leaves or the server stops);
  on a stream, the first event is sent and then nothing, not even keep-alives;
- "cut" (stream only): the first event is sent, then the connection is closed mid-stream.
On a stream, the body faults (but "html") are one such event after the first; the stream goes on.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Call = Literal["submit", "status", "result", "cancel", "upload", "stream", "webhook"]
FaultKind = Literal[
    "429",
    "500",
    "502",
    "503",
    "404",
    "drop",
    "accept_then_drop",
    "bad_json",
    "html",
    "deep_json",
    "other_id",
    "bad_status",
    "stall",
    "cut",
]
BODY_FAULTS: tuple[FaultKind, ...] = ("bad_json", "html", "deep_json", "other_id", "bad_status")
"""200 answers with a broken (or wrong) body."""
STATUS_FAULTS: tuple[FaultKind, ...] = ("other_id", "bad_status")
"""Wrong status answers: only status calls and streams get them."""
_STATUS_CALLS = ("status", "stream")


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
    seconds: float | None = None
    """For "stall": how late the answer comes (None: never)."""
    retry_after: float | None = None
    """For "429" and "503": the `Retry-After` header's seconds."""
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind == "accept_then_drop" and self.call != "submit":
            raise ValueError("accept_then_drop is a submit fault")
        if self.kind == "cut" and self.call != "stream":
            raise ValueError("cut is a stream fault")
        if self.kind in STATUS_FAULTS and self.call not in _STATUS_CALLS:
            raise ValueError(f"{self.kind} is a status or stream fault")

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

    Never on submit (a failed submit is ambiguous: did the job start?), except `accepted_drops`: that
    share of submits is accepted, the job created, and the answer dropped. Bounded twice: `rate < 1`,
    and at most `max_streak` consecutive failures of one call for one job, so a client retrying
    within its deadline always gets through in the end. A "stall" lasts `stall_seconds`; a 429 or 503
    carries `Retry-After: retry_after` when that is set. `STATUS_FAULTS` are drawn for status calls
    and streams only.
    """

    rate: float
    kinds: tuple[FaultKind, ...] = ("429", "502")
    calls: tuple[Call, ...] = ("status", "result")
    seed: int | None = None
    max_streak: int = 3
    accepted_drops: float = 0.0
    stall_seconds: float = 1.0
    retry_after: float | None = None
    stream_kinds: tuple[FaultKind, ...] | None = None
    """The kinds for `stream` calls (default: `kinds`); "cut" is allowed here."""
    fired: int = 0
    fired_kinds: Counter[str] = field(default_factory=Counter)
    """How many of `fired` were of each kind."""
    dropped_submits: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _streaks: dict[tuple[str, str | None], int] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 <= self.rate < 1:
            raise ValueError(f"fault rate must be in [0, 1), got {self.rate!r}")
        if "submit" in self.calls:
            raise ValueError("random faults never apply to submit: a failed submit is ambiguous")
        if unknown := set(self.calls) - set(get_args(Call)):
            raise ValueError(f"unknown call kinds: {sorted(unknown)}")
        if not self.kinds or (set(self.kinds) - set(get_args(FaultKind))):
            raise ValueError(f"fault kinds must be a non-empty subset of {get_args(FaultKind)}")
        if self.max_streak < 1:
            raise ValueError("max_streak must be at least 1")
        if not 0 <= self.accepted_drops < 1:
            raise ValueError(f"accepted_drops must be in [0, 1), got {self.accepted_drops!r}")
        if set(self.calls) - set(_STATUS_CALLS) and set(self.kinds) <= set(STATUS_FAULTS):
            raise ValueError(f"{self.calls} need a fault kind besides the status-only {STATUS_FAULTS}")
        if {"accept_then_drop", "cut"} & set(self.kinds):
            raise ValueError("accept_then_drop is `accepted_drops`; cut is a stream fault (`stream_kinds`)")
        if self.stream_kinds is not None and (
            not self.stream_kinds
            or "accept_then_drop" in self.stream_kinds
            or set(self.stream_kinds) - set(get_args(FaultKind))
        ):
            raise ValueError(f"stream kinds must be a non-empty subset of {get_args(FaultKind)}")
        self._rng = random.Random(self.seed)

    def drop_submit(self) -> bool:
        """Whether this submit is to be accepted and its answer dropped."""
        if self.accepted_drops > 0 and self._rng.random() < self.accepted_drops:
            self.dropped_submits += 1
            return True
        return False

    def fault(self, call: Call, request_id: str | None) -> Fault | None:
        """The fault this call gets, as a one-off `Fault` (its stall and Retry-After filled in)."""
        kind = self.pick(call, request_id)
        if kind is None:
            return None
        return Fault(call, kind, seconds=self.stall_seconds, retry_after=self.retry_after)

    def pick(self, call: Call, request_id: str | None) -> FaultKind | None:
        """The fault this call gets, or None; counts the streak per (call, job)."""
        if call not in self.calls or self.rate <= 0:
            return None
        key = (call, request_id)
        if self._streaks.get(key, 0) < self.max_streak and self._rng.random() < self.rate:
            self._streaks[key] = self._streaks.get(key, 0) + 1
            self.fired += 1
            kinds = self.stream_kinds if call == "stream" and self.stream_kinds else self.kinds
            if call not in _STATUS_CALLS:
                kinds = tuple(kind for kind in kinds if kind not in STATUS_FAULTS)
            kind = self._rng.choice(kinds)
            self.fired_kinds[kind] += 1
            return kind
        self._streaks[key] = 0
        return None
