"""The command's side of the job ledger: which ledger file a target uses, the external sandbox setting,
and marking a node's jobs delivered once its outputs have reached the user.

One ledger file per target, so sandbox runs never touch the real one:
- real fal.ai: `<state dir>/jobs.sqlite3`;
- an external sandbox (`FAL_VIDEO_SANDBOX_URL`, e.g. a `fal-video sandbox` process): its own file,
  `<state dir>/sandbox-<host>-<port>.sqlite3`, since its jobs outlive the command like fal's do;
- the embedded sandbox: a ledger in a temporary folder, removed when the command ends (its jobs end
  with the process, so there is nothing to resume), so the run goes through the same steps.

The state dir is `$FAL_VIDEO_STATE_DIR`, else `$XDG_STATE_HOME/fal-video`, else
`~/.local/state/fal-video`.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from blocks.fal._ledger import LEDGER_FILE, JobLedger, SqliteJobLedger

from .errors import BadInput

if TYPE_CHECKING:
    from .executor import NodeResult
    from .records import SavedClip

SANDBOX_URL_VARIABLE = "FAL_VIDEO_SANDBOX_URL"


class SandboxSettingError(BadInput):
    """`FAL_VIDEO_SANDBOX_URL` is not a loopback http(s) URL."""


class LedgerUnavailable(BadInput):
    """The job ledger cannot be written (checked before the first submit): nothing was sent."""


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the command keeps its job ledgers: $FAL_VIDEO_STATE_DIR, else the XDG state folder."""
    env = os.environ if environ is None else environ
    if env.get("FAL_VIDEO_STATE_DIR"):
        return Path(env["FAL_VIDEO_STATE_DIR"])
    base = Path(env["XDG_STATE_HOME"]) if env.get("XDG_STATE_HOME") else Path.home() / ".local" / "state"
    return base / "fal-video"


def external_sandbox_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The sandbox named by `FAL_VIDEO_SANDBOX_URL` (http or https, loopback only), or None."""
    env = os.environ if environ is None else environ
    raw = env.get(SANDBOX_URL_VARIABLE, "").strip()
    if not raw:
        return None
    url = urlsplit(raw)
    host = url.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if url.scheme not in ("http", "https") or not loopback or url.path not in ("", "/") or url.query:
        raise SandboxSettingError(
            f"{SANDBOX_URL_VARIABLE}={raw!r}: give the sandbox's address as http://127.0.0.1:PORT "
            "(a loopback address, nothing after the port)"
        )
    return f"{url.scheme}://{url.netloc}"


def real_ledger(environ: Mapping[str, str] | None = None, *, resubmit: bool = False) -> SqliteJobLedger:
    return SqliteJobLedger(state_dir(environ) / LEDGER_FILE, resubmit=resubmit)


def sandbox_ledger(
    url: str, environ: Mapping[str, str] | None = None, *, resubmit: bool = False
) -> SqliteJobLedger:
    parts = urlsplit(url)
    name = f"sandbox-{parts.hostname}-{parts.port or (443 if parts.scheme == 'https' else 80)}.sqlite3"
    return SqliteJobLedger(state_dir(environ) / name.replace(":", "_"), resubmit=resubmit)


def mark_delivered(ledger: JobLedger | None, results: Iterable[NodeResult], *, saved: bool = True) -> None:
    """A run's outputs have reached the user: its jobs leave the ledger.

    A node that failed delivered its failure (its job's result, or its error): its jobs are closed.
    A completed node's jobs are closed only when the whole run succeeded (every node completed, and
    `saved`: every clip saved). Otherwise they stay open, completed, so the rerun that finishes the
    graph takes their results again for free instead of paying for them twice."""
    if ledger is None:
        return
    results = list(results)
    everything_done = saved and all(result.state == "completed" for result in results)
    for result in results:
        if not result.delivers_results:  # a submit or status node: its job is collected elsewhere
            continue
        if result.state == "failed" or (result.state == "completed" and everything_done):
            for request_id in result.request_ids:
                ledger.mark_delivered(request_id)


def mark_saved(
    ledger: JobLedger | None, results: Iterable[NodeResult], clips: dict[str, list[SavedClip]]
) -> None:
    """With `--output`: the jobs are delivered once the clips are saved and play (see `mark_delivered`)."""
    all_saved = not any(clip.problem for saved in clips.values() for clip in saved)
    mark_delivered(ledger, results, saved=all_saved)
