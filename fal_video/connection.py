"""Where fal jobs go: real fal.ai when a key is set, else an embedded sandbox where nothing is billed."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from blocks._sdk import APIKeyCredentials
from blocks.fal._ledger import JobLedger, LedgerError, SqliteJobLedger
from credentials import credentials_from_env, fal_key_from_env
from fal_sandbox.plan import JobPlan
from fal_sandbox.server import SandboxServer, route_fal_client

from .jobs_state import (
    SANDBOX_URL_VARIABLE,
    LedgerUnavailable,
    external_sandbox_url,
    real_ledger,
    sandbox_ledger,
)
from .keys import check_fal_key

SANDBOX_NOTICE = "sandbox: synthetic test clips, nothing is billed"

SANDBOX_CREDENTIALS = APIKeyCredentials(
    id="0d7c4b1e-9a2f-4e63-b8d5-1f0a2c3e4d5b",
    provider="fal",
    api_key=SecretStr("sandbox-key"),
    title="sandbox (no real key)",
)

EMBEDDED_PLAN = JobPlan(queue_positions=(1, 0), step_seconds=0.25)
"""Embedded jobs take about a second and a half: long enough to watch one queue and progress."""


Mode = Literal["fal", "sandbox"]


@dataclass(frozen=True)
class FalTarget:
    mode: Mode
    credentials: APIKeyCredentials
    sandbox_url: str | None = None
    ledger: JobLedger | None = None
    """Jobs are recorded before they are sent, so a rerun after a crash resumes them (one file per
    target, see `jobs_state`); checked writable before anything is submitted."""
    external_sandbox: bool = False
    """A `fal-video sandbox` process: its jobs, like fal's, outlive this command."""

    @property
    def lasting(self) -> bool:
        """Whether the jobs (and their ledger) outlive this command, so a rerun can pick them up."""
        return self.mode == "fal" or self.external_sandbox


def choose_mode(*, force_sandbox: bool, environ: Mapping[str, str] | None = None) -> Mode:
    """Real fal when the environment has a key; the sandbox with `force_sandbox` or no key at all.
    A key variable that is set but unusable is an error (`FalKeyProblem`), never a quiet sandbox."""
    if force_sandbox:
        return "sandbox"
    check_fal_key(environ)
    return "fal" if fal_key_from_env(environ) is not None else "sandbox"


def credentials_for(mode: Mode, environ: Mapping[str, str] | None = None) -> APIKeyCredentials:
    """The key jobs are sent with: the environment's for real fal, a dummy for the sandbox."""
    return credentials_from_env(environ) if mode == "fal" else SANDBOX_CREDENTIALS


@asynccontextmanager
async def fal_target(
    *,
    force_sandbox: bool,
    announce: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
    resubmit: bool = False,
) -> AsyncIterator[FalTarget]:
    """Real fal with the environment's key; else (or with `force_sandbox`) a sandbox on loopback: the
    one `FAL_VIDEO_SANDBOX_URL` names, or an embedded one. Raises `LedgerError` before anything is
    sent when the target's job ledger cannot be written."""
    external = external_sandbox_url(environ)
    why = "--sandbox" if force_sandbox else "no FAL_KEY set"
    if choose_mode(force_sandbox=force_sandbox, environ=environ) == "fal":
        ledger = await checked_ledger(real_ledger(environ, resubmit=resubmit))
        announce(f"fal.ai: real jobs with your fal key; they are billed (job ledger {ledger.path})")
        yield FalTarget("fal", credentials_for("fal", environ), ledger=ledger)
    elif external is not None:
        ledger = await checked_ledger(sandbox_ledger(external, environ, resubmit=resubmit))
        with route_fal_client(external):
            announce(f"{SANDBOX_NOTICE} ({why}; the sandbox at {external}, from {SANDBOX_URL_VARIABLE})")
            yield FalTarget(
                "sandbox", credentials_for("sandbox"), external, ledger=ledger, external_sandbox=True
            )
    else:
        with tempfile.TemporaryDirectory(prefix="fal-video-sandbox-") as folder:
            ledger = await checked_ledger(SqliteJobLedger(Path(folder) / "jobs.sqlite3", resubmit=resubmit))
            async with SandboxServer() as server:
                server.default_plan = EMBEDDED_PLAN
                with route_fal_client(server.url):
                    announce(f"{SANDBOX_NOTICE} ({why}; embedded fal sandbox at {server.url})")
                    yield FalTarget("sandbox", credentials_for("sandbox"), server.url, ledger=ledger)
            ledger.close()


async def checked_ledger(ledger: SqliteJobLedger) -> SqliteJobLedger:
    """The ledger, proven writable (folder, space, file) before the first submit."""
    try:
        await asyncio.to_thread(ledger.check_writable)
    except LedgerError as problem:
        raise LedgerUnavailable(
            f"{problem}; nothing was submitted (FAL_VIDEO_STATE_DIR sets the folder)"
        ) from None
    return ledger
