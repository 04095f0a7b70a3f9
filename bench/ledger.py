"""The job ledger at scale (issue 12.3): what one job costs in the SQLite ledger with 1,000 rows and
with 100,000 rows already in it (each job: a lookup, the intent, the submit, the result, delivery;
every write a durable transaction)."""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from rich.table import Table

from blocks.fal._ledger import SqliteJobLedger

from .support import CONSOLE

SIZES = (1_000, 100_000)
MEASURED_JOBS = 300
ROUNDS = 3
ENDPOINT = "fal-ai/mochi-v1"


def per_job_ms(rows: int) -> tuple[float, float]:
    """(ms per job, ms per lookup) with `rows` earlier jobs in the ledger."""
    with tempfile.TemporaryDirectory() as folder:
        ledger = SqliteJobLedger(Path(folder) / "jobs.sqlite3")
        ledger.check_writable()
        with sqlite3.connect(ledger.path) as raw:
            raw.executemany(
                "INSERT INTO jobs (key, endpoint, state, request_id, created_at, result_json)"
                " VALUES (?, ?, 'delivered', ?, 0, '{}')",
                ((f"old-{n}", ENDPOINT, f"old-request-{n}") for n in range(rows)),
            )
        with sqlite3.connect(ledger.path) as raw:  # settle the bulk insert, as months of use would have
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        began = time.perf_counter()
        for n in range(MEASURED_JOBS):
            key = f"new-{n}"
            assert ledger.open_job(key) is None
            entry = ledger.record_intent(key, ENDPOINT, 0.4)
            ledger.record_submitted(entry.job_id, f"request-{n}", f"https://queue.fal.run/x/requests/{n}")
            ledger.record_completed(entry.job_id, {"video": {"url": f"https://v3.fal.media/{n}.mp4"}})
            ledger.mark_delivered(f"request-{n}")
        job = (time.perf_counter() - began) / MEASURED_JOBS
        began = time.perf_counter()
        for n in range(MEASURED_JOBS):
            ledger.open_job(f"old-{n * (rows // MEASURED_JOBS)}")
        lookup = (time.perf_counter() - began) / MEASURED_JOBS
        ledger.close()
    return 1000 * job, 1000 * lookup


def main() -> None:
    table = Table(
        title=f"job ledger (SQLite, WAL, synchronous=FULL): cost per job as it grows (median of {ROUNDS})"
    )
    for column in ("rows already in the ledger", "per job (lookup + 4 durable writes)", "per lookup"):
        table.add_column(column, justify="right")
    for rows in SIZES:
        rounds = [per_job_ms(rows) for _ in range(ROUNDS)]  # fsync times vary: the median of rounds
        job = statistics.median(r[0] for r in rounds)
        lookup = statistics.median(r[1] for r in rounds)
        table.add_row(f"{rows:,}", f"{job:.2f} ms", f"{lookup:.3f} ms")
    CONSOLE.print(table)


if __name__ == "__main__":
    main()
