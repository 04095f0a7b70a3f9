"""Helpers for the run loop's tests: bounded waiting, a job run straight through `run_fal_job` with a
chosen policy (the real loop, the real HTTP, the sandbox), and the ledger those runs write to."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from blocks.fal._client import queue_client_for
from blocks.fal._events import FalEvent, progress_listener
from blocks.fal._failures import FalJobError
from blocks.fal._ledger import JobLedger, SqliteJobLedger, ledger_key
from blocks.fal._run import FalJobOutcome, WaitPolicy, run_fal_job
from fal_sandbox.plan import Fault
from fal_sandbox.server import SandboxServer

from .conftest import SECRET

MOCHI = "fal-ai/mochi-v1"
QUICK = WaitPolicy(first_poll=0.02, max_poll=0.05, call_timeout=2.0, cancel_timeout=2.0, stream_stall=2.0)
"""A policy for tests against the local sandbox: quick polls, short timeouts."""


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait (bounded) for `condition`; fails the test when it never holds."""
    for _ in range(math.ceil(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {seconds}s")


def refuse_streams(sandbox: SandboxServer) -> None:
    """The sandbox answers every status stream 404, as a gateway without server-sent events would:
    the run loop follows jobs by polling."""
    sandbox.inject(Fault("stream", "404", times=10**9))


def ledger_at(folder: Path, *, resubmit: bool = False) -> SqliteJobLedger:
    return SqliteJobLedger(folder / "jobs.sqlite3", resubmit=resubmit)


@dataclass
class JobRun:
    """What one `run_fal_job` call produced."""

    outcome: FalJobOutcome | None = None
    failure: FalJobError | None = None
    logs: list[str] = field(default_factory=list)
    events: list[FalEvent] = field(default_factory=list)

    def events_of(self, kind: type) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]


KEY = ledger_key("graph/node", MOCHI, {"prompt": "a heron"})


async def run_job(
    *,
    policy: WaitPolicy = QUICK,
    ledger: JobLedger | None = None,
    key: str = KEY,
    arguments: dict[str, Any] | None = None,
    run: JobRun | None = None,
) -> JobRun:
    """Run one job to its end through the real run loop; failures are kept, not raised."""
    record = run or JobRun()
    progress_listener.set(record.events.append)
    try:
        record.outcome = await run_fal_job(
            queue_client_for(SecretStr(SECRET)),
            MOCHI,
            arguments or {"prompt": "a heron"},
            policy=policy,
            logs=record.logs,
            ledger=ledger,
            ledger_key=key if ledger is not None else "",
        )
    except FalJobError as failure:
        record.failure = failure
    return record
