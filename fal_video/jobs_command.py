"""`fal-video status`, `cancel`, `jobs` and `webhooks`: the asynchronous workflow's side commands.

`submit` and `result` run the job blocks like any block (`cli.py`: preflight, spend guard, `--output`);
these look at one known job, or at the ledger, with the run loop's own steps (`fal_job_status`,
`cancel_fal_job`). Jobs must outlive the command that submitted them, so these commands need a lasting
target: real fal.ai (a key), or a `fal-video sandbox` process (`FAL_VIDEO_SANDBOX_URL`); the embedded
sandbox ends with its command and is refused.

Like the rest of the command, nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

from .errors import BadInput
from .terminal import Escaped, shown

if TYPE_CHECKING:
    from blocks.fal._ledger import LedgerEntry, SqliteJobLedger

EXIT_OK, EXIT_FAILED = 0, 1


class NoLastingTarget(BadInput):
    """Neither a key nor a sandbox process: a job submitted now would end with this command."""


def add_job_commands(commands: Any, loopback: Any, port: Any) -> None:
    """Register `status`, `cancel`, `jobs` and `webhooks` (`submit` and `result` are in `cli.py`)."""
    status = commands.add_parser("status", help="one look at a submitted job: state, queue position, logs")
    _known_job_arguments(status)
    status.set_defaults(handler=_status)

    cancel = commands.add_parser("cancel", help="cancel a submitted job (recorded in the job ledger)")
    _known_job_arguments(cancel)
    cancel.set_defaults(handler=_cancel)

    jobs = commands.add_parser("jobs", help="the job ledger: endpoint, request id, state, age, cost estimate")
    jobs.add_argument("--open", action="store_true", help="only jobs not yet delivered or closed")
    jobs.add_argument("--limit", type=int, default=50, metavar="N", help="at most N jobs, newest first (50)")
    jobs.add_argument("--sandbox", action="store_true", help="the sandbox's ledger even when FAL_KEY is set")
    jobs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    jobs.set_defaults(handler=_jobs)

    hooks = commands.add_parser(
        "webhooks", help="receive fal's webhooks: verify each signature, record results"
    )
    hooks.add_argument("--host", type=loopback, default="127.0.0.1", help="a loopback address")
    hooks.add_argument("--port", type=port, default=8766, help="0 to 65535 (0: any free); default 8766")
    hooks.add_argument(
        "--jwks-url",
        metavar="URL",
        help="fal's public keys (default: FAL_VIDEO_WEBHOOK_JWKS_URL, else the sandbox's, else fal's)",
    )
    hooks.add_argument("--sandbox", action="store_true", help="the sandbox's ledger even when FAL_KEY is set")
    hooks.set_defaults(handler=_webhooks)


def _known_job_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("request_id", help="the request id `fal-video submit` printed")
    parser.add_argument("--endpoint", help="the fal endpoint (default: the one the job ledger recorded)")
    parser.add_argument("--sandbox", action="store_true", help="the sandbox even when FAL_KEY is set")
    parser.add_argument("--json", action="store_true", help="print JSON")


# ---- the lasting target and its ledger --------------------------------------------------------


def lasting_ledger(force_sandbox: bool) -> tuple[str, SqliteJobLedger]:
    """("fal" | "sandbox", the ledger of the target jobs outlive the command on); `NoLastingTarget`."""
    from .connection import choose_mode
    from .jobs_state import external_sandbox_url, real_ledger, sandbox_ledger

    if choose_mode(force_sandbox=force_sandbox) == "fal":
        return "fal", real_ledger()
    external = external_sandbox_url()
    if external is None:
        raise NoLastingTarget(
            "a submitted job must outlive this command: set FAL_KEY (fal.ai, billed), or "
            "FAL_VIDEO_SANDBOX_URL to a running `fal-video sandbox` (nothing billed)"
        )
    return "sandbox", sandbox_ledger(external)


def known_endpoint(request_id: str, endpoint: str | None, ledger: SqliteJobLedger) -> str:
    """The endpoint given, else the one the ledger recorded for the request."""
    if endpoint:
        return endpoint.strip()
    entry = _entry(ledger, request_id)
    if entry is None:
        raise BadInput(f"the job ledger ({ledger.path}) does not know request {request_id}: give --endpoint")
    return entry.endpoint


def _entry(ledger: SqliteJobLedger, request_id: str) -> LedgerEntry | None:
    if not ledger.path.exists():
        return None
    return ledger.job_for_request(request_id)


# ---- status and cancel ------------------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    return asyncio.run(_ask(args, "status"))


def _cancel(args: argparse.Namespace) -> int:
    return asyncio.run(_ask(args, "cancel"))


async def _ask(args: argparse.Namespace, what: str) -> int:
    from blocks.fal._client import queue_client_for
    from blocks.fal._failures import FalJobError
    from blocks.fal._run import cancel_fal_job, fal_job_status

    from .connection import fal_target

    lasting_ledger(args.sandbox)
    async with fal_target(force_sandbox=args.sandbox, announce=_say_plain) as target:
        assert target.ledger is not None
        ledger: SqliteJobLedger = target.ledger  # type: ignore[assignment]
        request_id = args.request_id.strip()
        endpoint = known_endpoint(request_id, args.endpoint, ledger)
        client = queue_client_for(target.credentials.api_key)
        try:
            if what == "status":
                status = await fal_job_status(client, endpoint, request_id)
            else:
                outcome = await cancel_fal_job(client, endpoint, request_id, ledger=ledger)
        except FalJobError as failure:
            _say(f"error: {failure}")
            return EXIT_FAILED
        entry = await asyncio.to_thread(ledger.job_for_request, request_id)
        recorded = entry.state.value if entry is not None else None
    if what == "status":
        document = {
            "request_id": request_id,
            "endpoint": endpoint,
            "state": status.state,
            "queue_position": status.queue_position,
            "logs": status.logs,
            "error": status.error,
            "ledger_state": recorded,
        }
        if args.json:
            print(json.dumps(document, indent=2))
        else:
            where = f", position {status.queue_position}" if status.queue_position is not None else ""
            failed = f" (fal reports: {status.error})" if status.error else ""
            _print_now(f"{request_id} on {endpoint}: {status.state}{where}{failed}")
            for line in status.logs:
                _print_now(f"  fal: {line}")
        return EXIT_OK
    if args.json:
        print(
            json.dumps(
                {"request_id": request_id, "endpoint": endpoint, "outcome": outcome, "ledger_state": recorded}
            )
        )
    else:
        _print_now(f"{request_id} on {endpoint}: cancel {CANCEL_WORDS[outcome]}")
    return EXIT_OK if outcome == "accepted" else EXIT_FAILED


CANCEL_WORDS = {
    "accepted": "accepted",
    "already_completed": "not needed: the job had already completed (collect it with fal-video result)",
    "not_found": "refused: fal does not know the request",
    "unconfirmed": "not confirmed: the job may still run; it stays open in the job ledger",
}


# ---- jobs ------------------------------------------------------------------------------------


def _jobs(args: argparse.Namespace) -> int:
    try:
        _, ledger = lasting_ledger(args.sandbox)
    except NoLastingTarget:
        from .jobs_state import real_ledger

        ledger = real_ledger()  # nothing lasting is set up: show what real fal jobs were recorded
    entries = ledger.jobs(open_only=args.open, limit=max(args.limit, 1)) if ledger.path.exists() else []
    now = time.time()
    if args.json:
        print(json.dumps([_job_record(entry, now) for entry in entries], indent=2))
        return EXIT_OK
    _say_plain(f"job ledger: {ledger.path}")
    if not entries:
        print("no jobs")
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("endpoint", "request id", "state", "age", "estimate"):
        table.add_column(
            column, overflow="fold", justify="right" if column in ("age", "estimate") else "left"
        )
    for entry in entries:
        record = _job_record(entry, now)
        estimate = "" if entry.estimate_usd is None else f"${entry.estimate_usd:.2f}"
        table.add_row(
            entry.endpoint,
            entry.request_id or "(none yet)",
            record["state"],
            _age(record["age_seconds"]),
            estimate,
        )
    (Console() if sys.stdout.isatty() else Console(width=200)).print(Escaped(table))
    return EXIT_OK


def _job_record(entry: LedgerEntry, now: float) -> dict[str, Any]:
    return {
        "endpoint": entry.endpoint,
        "request_id": entry.request_id,
        "state": entry.state.value,
        "age_seconds": round(entry.age(now), 1),
        "created_at": entry.created_at,
        "estimate_usd": entry.estimate_usd,
        "has_result": entry.result is not None,
    }


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


# ---- webhooks ----------------------------------------------------------------------------------


def _webhooks(args: argparse.Namespace) -> int:
    from .connection import checked_ledger
    from .jobs_state import external_sandbox_url
    from .webhooks import JwksCache, WebhookReceiver, jwks_url, serve_webhooks

    mode, ledger = lasting_ledger(args.sandbox)
    url = jwks_url(args.jwks_url, external_sandbox_url() if mode == "sandbox" else None, os.environ)
    keys = JwksCache(url)

    async def main() -> None:
        await checked_ledger(ledger)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        receiver = WebhookReceiver(ledger, keys, announce=_say_plain)
        _say_plain(f"job ledger: {ledger.path}")
        await serve_webhooks(receiver, args.host, args.port, _print_now, stop)

    try:
        asyncio.run(main())
    except OSError as exc:
        raise BadInput(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK


def _print_now(text: str) -> None:
    print(shown(text), flush=True)


def _say(text: str) -> None:
    _say_plain(f"fal-video: {text}")


def _say_plain(text: str) -> None:
    try:
        print(shown(text), file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass
