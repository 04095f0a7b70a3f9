"""Never pay twice, never lose a result (issue 9): 1,000 block runs while fal misbehaves.

Every run is a real `AIVideoGeneratorBlock` with the standalone job ledger, against the sandbox. 30 %
of status, result and stream calls fail, every kind mixed: 429 and 503 with `Retry-After`, 500, 502,
dropped connections, 200s with invalid JSON, JSON nested past the parser's recursion or an HTML page,
status answers for another request id (COMPLETED) or with a status fal does not have, calls that
stall (answer 2 s late; the first twenty of each kind never answer), and streams cut, stalled or
garbled (the same wrong answers as one event) after their first event.
2 % of submits are accepted (the job exists and would be billed) and their answer dropped.

The table: one submit per job, every request id that reached the client reported, every accepted
job either delivered, cancelled, or open in the ledger (the dropped-answer ones as ambiguous, named
by endpoint and time), no job recorded failed (every job succeeds on fal: a FAILED row is a job that
was still running, and billing, when the run gave up on it), and no result lost.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr
from rich.table import Table

from blocks.fal._ledger import JobState, SqliteJobLedger, job_ledger
from blocks.fal.text_to_video import AIVideoGeneratorBlock
from credentials import FalCredentials, credentials_input
from fal_sandbox.plan import Fault, FaultKind, JobPlan, Success
from fal_sandbox.server import SandboxServer, route_fal_client

from .support import CONSOLE

JOBS = 1000
FAULT_RATE = 0.3
WRONG_ANSWERS: tuple[FaultKind, ...] = ("deep_json", "other_id", "bad_status")
KINDS: tuple[FaultKind, ...] = (
    "429",
    "500",
    "502",
    "503",
    "drop",
    "bad_json",
    "html",
    "stall",
    *WRONG_ANSWERS,
)
STREAM_KINDS: tuple[FaultKind, ...] = ("502", "drop", "cut", "stall", "bad_json", "html", *WRONG_ANSWERS)
ACCEPTED_DROPS = 0.02
RESULT = {"video": {"url": "http://127.0.0.1:9/fault-run.mp4", "content_type": "video/mp4"}}


@dataclass
class Run:
    number: int
    outputs: dict[str, object] = field(default_factory=dict)

    @property
    def prompt(self) -> str:
        return f"fault run job {self.number}"


async def fault_run(streams: bool) -> dict[str, int]:
    credentials = FalCredentials(provider="fal", api_key=SecretStr("bench-key"), title="bench")
    runs = [Run(n) for n in range(JOBS)]
    with tempfile.TemporaryDirectory() as folder:
        ledger = SqliteJobLedger(Path(folder) / "jobs.sqlite3")
        ledger.check_writable()
        async with SandboxServer() as sandbox:
            sandbox.default_plan = JobPlan(
                queue_positions=(1, 0), log_lines=("a", "b", "c"), step_seconds=0.3, outcome=Success(RESULT)
            )
            if not streams:  # a gateway without server-sent events: every job is polled
                sandbox.inject(Fault("stream", "404", times=10**9))
            for call in ("status", "result", "stream"):  # the first twenty of each never answer
                sandbox.inject(Fault(call, "stall", seconds=None, times=20))  # type: ignore[arg-type]
            faults = sandbox.random_faults(
                FAULT_RATE,
                kinds=KINDS,
                calls=("status", "result", "stream"),
                seed=9,
                accepted_drops=ACCEPTED_DROPS,
                stall_seconds=2.0,
                retry_after=0.5,
                stream_kinds=STREAM_KINDS,
            )

            async def one(run: Run) -> None:
                job_ledger.set(ledger)
                inputs = {"prompt": run.prompt, "credentials": credentials_input(credentials)}
                try:
                    async for name, value in AIVideoGeneratorBlock().execute(
                        inputs, credentials=credentials, graph_id="fault-run", node_id=f"node-{run.number}"
                    ):
                        run.outputs[name] = value
                except Exception as failure:  # the platform's error for an `error` output
                    run.outputs["error"] = str(failure)
                request_id = run.outputs.get("request_id")
                if "video_url" in run.outputs and isinstance(request_id, str):
                    await asyncio.to_thread(ledger.mark_delivered, request_id)  # as the host would

            with route_fal_client(sandbox.url):
                began = time.perf_counter()
                await asyncio.gather(*(one(run) for run in runs))
                wall = time.perf_counter() - began
            figures = _account(sandbox, runs, ledger)
            figures.update(
                wall=round(wall),
                faults=faults.fired + sum(f.fired for f in sandbox._faults if f.kind != "404"),
                dropped=faults.dropped_submits,
                wrong=sum(faults.fired_kinds[kind] for kind in WRONG_ANSWERS),
                calls=sum(
                    1
                    for e in sandbox.journal.entries
                    if e.call in ("status", "result", "stream") and e.note != "fault: 404"
                ),
            )
        ledger.close()
    return figures


def _account(sandbox: SandboxServer, runs: list[Run], ledger: SqliteJobLedger) -> dict[str, int]:
    journal = sandbox.journal
    by_prompt = Counter(job.arguments.get("prompt") for job in sandbox.jobs.values())
    dropped = {entry.request_id for entry in journal.entries if entry.note == "fault: accept_then_drop"}
    answered = set(sandbox.jobs) - dropped
    reported = {run.outputs.get("request_id") for run in runs} - {None}
    fetched = {
        entry.request_id
        for entry in journal.entries
        if entry.call == "result" and entry.status == 200 and not entry.injected
    }
    in_ledger = {entry.request_id: entry.state for entry in ledger.jobs()}
    ambiguous_rows = sum(1 for entry in ledger.jobs(open_only=True) if entry.state == JobState.AMBIGUOUS)
    abandoned = [
        request_id
        for request_id, job in sandbox.jobs.items()
        if request_id not in dropped
        and not job.cancelled
        and request_id not in fetched
        and in_ledger.get(request_id) not in (JobState.SUBMITTED, JobState.CANCEL_UNCONFIRMED)
    ]
    video_runs = {run.outputs.get("request_id") for run in runs if "video_url" in run.outputs}
    lost = [request_id for request_id in fetched & answered if request_id not in video_runs]
    errors = Counter(_why(str(run.outputs.get("error"))) for run in runs if "error" in run.outputs)
    return {
        "runs": len(runs),
        "jobs": len(sandbox.jobs),
        "submits": journal.count("submit"),
        "duplicates": sum(count - 1 for count in by_prompt.values() if count > 1),
        "reported": len(reported & answered),
        "answered": len(answered),
        "ambiguous_runs": errors.get("ambiguous", 0),
        "ambiguous_rows": ambiguous_rows,
        "abandoned": len(abandoned),
        "failed": sum(1 for state in in_ledger.values() if state == JobState.FAILED),
        "lost": len(lost),
        "succeeded": len(video_runs - {None}),
        "other_errors": sum(count for why, count in errors.items() if why != "ambiguous"),
    }


def _why(error: str) -> str:
    return "ambiguous" if "may still have accepted the job" in error else error[:60]


def main() -> None:
    modes = {
        "status stream": asyncio.run(fault_run(True)),
        "polling (stream refused)": asyncio.run(fault_run(False)),
    }
    table = Table(
        title=f"fault run: {JOBS} block runs per mode, {FAULT_RATE:.0%} of status/result/stream calls failing"
    )
    table.add_column("")
    for mode in modes:
        table.add_column(mode, justify="right")
    table.add_column("target")
    rows = [
        ("block runs", lambda f: f["runs"], None),
        ("jobs fal accepted", lambda f: f["jobs"], None),
        ("submits (POSTs fal received)", lambda f: f["submits"], "one per run"),
        ("duplicate submits", lambda f: f["duplicates"], 0),
        (
            "request ids reported / answers that reached the client",
            lambda f: f"{f['reported']}/{f['answered']}",
            "all",
        ),
        (
            "accepted, answer dropped: reported ambiguous (ledger rows)",
            lambda f: f"{f['ambiguous_runs']} ({f['ambiguous_rows']})",
            "all",
        ),
        ("jobs abandoned uncancelled", lambda f: f["abandoned"], 0),
        ("jobs recorded failed (all succeed on fal)", lambda f: f["failed"], 0),
        ("results lost", lambda f: f["lost"], 0),
        ("runs that delivered a video", lambda f: f["succeeded"], None),
        ("runs failed for another reason", lambda f: f["other_errors"], 0),
        (
            "status/result/stream calls: faults / calls (refused streams not counted)",
            lambda f: f"{f['faults']}/{f['calls']}",
            None,
        ),
        ("of which deep JSON / another request's status / a status fal lacks", lambda f: f["wrong"], None),
        ("wall", lambda f: f"{f['wall']} s", None),
    ]
    for label, value, target in rows:
        table.add_row(label, *(str(value(f)) for f in modes.values()), "" if target is None else str(target))
    CONSOLE.print(table)
    CONSOLE.print(
        "faults: 429/503 with Retry-After, 500, 502, dropped connections, 200 with invalid JSON, too deeply "
        "nested JSON or an HTML page, statuses for another request id or with a status fal does not have, "
        "calls answering 2 s late (the first 20 of each kind never), streams cut, stalled, garbled or "
        "refused; "
        f"{ACCEPTED_DROPS:.0%} of submits accepted and their answer dropped",
        highlight=False,
    )


if __name__ == "__main__":
    main()
