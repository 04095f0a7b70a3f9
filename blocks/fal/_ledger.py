"""The job ledger: every paid job written down before it is sent, kept until its outputs are delivered.

A job costs money, so it must not be paid for twice because a process died, a connection dropped or a
disk filled up. The run loop writes each job's steps here (stdlib SQLite, WAL, one row per job):

    intent ──POST──▶ submitted ──result──▶ completed ──host──▶ delivered
       │                 │  └──job failed──▶ failed
       │                 └──cancel──▶ cancelled, or cancel_unconfirmed (may still finish)
       └─answer lost─▶ ambiguous (fal may have accepted it; the request id is unknown)

Open states (a rerun of the same key acts on them instead of submitting): `intent`, `submitted`,
`ambiguous`, `completed`, `cancel_unconfirmed`. A submitted or cancel-unconfirmed job is followed
again, a completed one is delivered from its stored result (or re-fetched from its result URL: free);
an intent-only or ambiguous entry is never resubmitted blindly: the run stops and names the endpoint
and the time, and only `allow_resubmit(key)` (the command's `--resubmit`) closes it as `abandoned`.
Closed states: `delivered`, `cancelled`, `failed`, `abandoned`.

The block cannot know when its outputs are delivered (inside the platform there is no ledger at all):
the host says so with `mark_delivered(request_id)`.

A verified webhook (`fal_video.webhooks`) brings a job's result with `complete_from_webhook`: the job
is completed with it, so the next `result` answers without a call to fal. A delivery may arrive before
the submitting run has recorded the request id (fal can be that fast): it is kept in its own table and
taken up by `record_submitted`. Repeated deliveries change nothing (the first one wins).

A host turns the ledger on by setting `job_ledger` for the task that runs a node (the `fal-video`
command does). Several processes may share one file: one open job per key is enforced by a unique
index, and every change is its own short transaction.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger("blocks.fal.ledger")

MIN_FREE_BYTES = 1024 * 1024
"""Free space the ledger's directory must have before a job is sent (a few thousand rows' worth)."""
LEDGER_FILE = "jobs.sqlite3"
LEGACY_FILE = "jobs.jsonl"


class JobState(StrEnum):
    INTENT = "intent"
    """About to be sent: nothing is known yet."""
    SUBMITTED = "submitted"
    """fal accepted it; its request id is known."""
    AMBIGUOUS = "ambiguous"
    """Sent, and the answer was lost: fal may have accepted it (and bill it); its request id is unknown."""
    COMPLETED = "completed"
    """Its result was fetched (and is kept) but not yet delivered by the host."""
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    FAILED = "failed"
    """The job itself failed (or fal no longer knows it): nothing more to fetch."""
    CANCEL_UNCONFIRMED = "cancel_unconfirmed"
    """A cancel was sent and not confirmed: the job may still finish, so it stays open."""
    ABANDONED = "abandoned"
    """An intent-only or ambiguous entry the user chose to resubmit (`--resubmit`)."""


OPEN_STATES = frozenset(
    {JobState.INTENT, JobState.SUBMITTED, JobState.AMBIGUOUS, JobState.COMPLETED, JobState.CANCEL_UNCONFIRMED}
)


class LedgerError(Exception):
    """The ledger cannot be read or written; `str()` names the file and the reason."""


class JobAlreadyOpen(LedgerError):
    """Another run (maybe another process) holds an open job under this key."""

    def __init__(self, entry: LedgerEntry) -> None:
        super().__init__(f"an open job already exists for this node ({entry.state}, {entry.endpoint})")
        self.entry = entry


@dataclass(frozen=True)
class LedgerEntry:
    """One job as the ledger knows it."""

    job_id: int
    key: str
    endpoint: str
    state: JobState
    created_at: float
    """Unix time the intent was recorded (just before the submit was sent)."""
    request_id: str | None = None
    submitted_at: float | None = None
    ended_at: float | None = None
    estimate_usd: float | None = None
    result_url: str | None = None
    """Where fal serves the job's result (its queue response URL): fetching it again costs nothing."""
    result: dict[str, Any] | None = None
    """The job's result, once fetched or delivered by a verified webhook."""
    note: str = ""
    owner: str = ""
    """The process that recorded the intent (`host:pid:start`), to tell a submit in flight from a
    crashed one."""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.created_at

    def when(self) -> str:
        """The intent's time as people read it (UTC)."""
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.created_at))

    def owner_alive(self) -> bool | None:
        """Is the process that recorded this entry still running? None when that cannot be told
        (another host)."""
        return process_alive(self.owner)


class JobLedger(Protocol):
    """What the run loop and hosts need from a ledger (`SqliteJobLedger` is the one implementation)."""

    resubmit: bool
    """True when the user asked to resubmit jobs whose earlier submit is unknown (`--resubmit`)."""

    # -- the run loop's calls --
    def open_job(self, key: str) -> LedgerEntry | None: ...

    def record_intent(self, key: str, endpoint: str, estimate_usd: float | None = None) -> LedgerEntry: ...

    def record_submitted(self, job_id: int, request_id: str, result_url: str) -> None: ...

    def record_ambiguous(self, job_id: int, reason: str) -> None: ...

    def forget_intent(self, job_id: int) -> None: ...

    def record_completed(self, job_id: int, result: dict[str, Any]) -> None: ...

    def record_ended(self, job_id: int, state: JobState, note: str = "") -> None: ...

    # -- hosts' calls --
    def mark_delivered(self, request_id: str) -> bool: ...

    def allow_resubmit(self, key: str) -> bool: ...

    def complete_from_webhook(self, request_id: str, result: dict[str, Any]) -> bool: ...

    def job_for_request(self, request_id: str) -> LedgerEntry | None: ...

    def jobs(self, *, open_only: bool = False, limit: int | None = None) -> list[LedgerEntry]: ...

    def check_writable(self) -> None: ...


job_ledger: contextvars.ContextVar[JobLedger | None] = contextvars.ContextVar("fal_job_ledger", default=None)


def ledger_key(scope: str, endpoint: str, arguments: dict[str, Any]) -> str:
    """Which job a run is: the node it belongs to, the endpoint, and the arguments as the user gave them."""
    canonical = json.dumps([scope, endpoint, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id       INTEGER PRIMARY KEY,
    key          TEXT NOT NULL,
    endpoint     TEXT NOT NULL,
    state        TEXT NOT NULL,
    request_id   TEXT,
    created_at   REAL NOT NULL,
    submitted_at REAL,
    ended_at     REAL,
    estimate_usd REAL,
    result_url   TEXT,
    result_json  TEXT,
    note         TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS one_open_job_per_key ON jobs (key)
    WHERE state IN ('intent', 'submitted', 'ambiguous', 'completed', 'cancel_unconfirmed');
CREATE INDEX IF NOT EXISTS jobs_by_request_id ON jobs (request_id);
CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs (key);
CREATE TABLE IF NOT EXISTS webhook_results (
    request_id   TEXT PRIMARY KEY,
    result_json  TEXT NOT NULL,
    received_at  REAL NOT NULL
);
"""
_COLUMNS = (
    "job_id, key, endpoint, state, request_id, created_at, submitted_at, ended_at, estimate_usd, "
    "result_url, result_json, note, owner"
)


class SqliteJobLedger:
    """The ledger in one SQLite file (WAL, `synchronous=FULL`: a recorded step survives a power cut).

    The calls are small and synchronous; the run loop makes them from a worker thread. Safe for several
    threads (one connection, a lock) and several processes (SQLite's own locking, a busy timeout)."""

    def __init__(self, path: Path, *, resubmit: bool = False, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.resubmit = resubmit
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"SqliteJobLedger({str(self.path)!r})"

    # ---- the run loop's calls ------------------------------------------------------------------

    def open_job(self, key: str) -> LedgerEntry | None:
        """The open job under `key`, if any (a row in a state this code does not know is skipped)."""
        rows = self._query(f"SELECT {_COLUMNS} FROM jobs WHERE key = ? AND state IN {_OPEN_SQL}", (key,))
        entries = [entry for entry in map(_entry, rows) if entry is not None]
        return entries[0] if entries else None

    def record_intent(self, key: str, endpoint: str, estimate_usd: float | None = None) -> LedgerEntry:
        """Write down a job about to be sent. Raises `JobAlreadyOpen` if the key has an open job."""
        now = time.time()
        try:
            job_id = self._write(
                "INSERT INTO jobs (key, endpoint, state, created_at, estimate_usd, owner)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, endpoint, JobState.INTENT.value, now, estimate_usd, this_process()),
            )
        except sqlite3.IntegrityError:
            existing = self.open_job(key)
            if existing is None:  # closed between the insert and the read: a rare race, try once more
                return self.record_intent(key, endpoint, estimate_usd)
            raise JobAlreadyOpen(existing) from None
        return LedgerEntry(
            job_id, key, endpoint, JobState.INTENT, now, estimate_usd=estimate_usd, owner=this_process()
        )

    def record_submitted(self, job_id: int, request_id: str, result_url: str) -> None:
        """fal accepted the job; a verified webhook that came before this record completes it at once."""
        now = time.time()
        self._write_all(
            [
                (
                    "UPDATE jobs SET state = ?, request_id = ?, submitted_at = ?, result_url = ?"
                    " WHERE job_id = ?",
                    (JobState.SUBMITTED.value, request_id, now, result_url, job_id),
                ),
                (
                    f"UPDATE jobs SET state = ?, ended_at = ?, result_json = {_DELIVERED_RESULT}"
                    " WHERE job_id = ? AND state = ? AND"
                    " EXISTS (SELECT 1 FROM webhook_results WHERE request_id = ?)",
                    (JobState.COMPLETED.value, now, request_id, job_id, JobState.SUBMITTED.value, request_id),
                ),
            ]
        )

    def record_ambiguous(self, job_id: int, reason: str) -> None:
        self._update(job_id, state=JobState.AMBIGUOUS, note=reason)

    def forget_intent(self, job_id: int) -> None:
        """Nothing was sent, or fal refused it outright: there is no job to remember."""
        self._write("DELETE FROM jobs WHERE job_id = ? AND state = ?", (job_id, JobState.INTENT.value))

    def record_completed(self, job_id: int, result: dict[str, Any]) -> None:
        self._update(job_id, state=JobState.COMPLETED, result_json=json.dumps(result), ended_at=time.time())

    def record_ended(self, job_id: int, state: JobState, note: str = "") -> None:
        """`cancelled`, `failed`, or `cancel_unconfirmed` (which stays open)."""
        self._update(job_id, state=state, note=note, ended_at=time.time())

    # ---- hosts' calls --------------------------------------------------------------------------

    def mark_delivered(self, request_id: str) -> bool:
        """The host has delivered this job's outputs: the job leaves the open set. False if not completed."""
        changed = self._write(
            "UPDATE jobs SET state = ?, ended_at = ? WHERE request_id = ? AND state = ?",
            (JobState.DELIVERED.value, time.time(), request_id, JobState.COMPLETED.value),
            rowcount=True,
        )
        return changed > 0

    def allow_resubmit(self, key: str) -> bool:
        """Close an intent-only or ambiguous entry as `abandoned`, so the next run submits afresh."""
        changed = self._write(
            "UPDATE jobs SET state = ?, ended_at = ?, note = note || ? WHERE key = ? AND state IN (?, ?)",
            (
                JobState.ABANDONED.value,
                time.time(),
                " (resubmitted on request)",
                key,
                JobState.INTENT.value,
                JobState.AMBIGUOUS.value,
            ),
            rowcount=True,
        )
        return changed > 0

    def complete_from_webhook(self, request_id: str, result: dict[str, Any]) -> bool:
        """A verified webhook brought the result: the job is completed (idempotent: the first delivery
        wins). True when this delivery completed an open job; a request not recorded yet is completed
        when it is (`record_submitted`)."""
        now = time.time()
        changed = self._write_all(
            [
                (
                    "INSERT OR IGNORE INTO webhook_results (request_id, result_json, received_at)"
                    " VALUES (?, ?, ?)",
                    (request_id, json.dumps(result), now),
                ),
                (
                    f"UPDATE jobs SET state = ?, ended_at = ?, result_json = {_DELIVERED_RESULT}"
                    " WHERE request_id = ? AND state IN (?, ?)",
                    (
                        JobState.COMPLETED.value,
                        now,
                        request_id,
                        request_id,
                        JobState.SUBMITTED.value,
                        JobState.CANCEL_UNCONFIRMED.value,
                    ),
                ),
            ]
        )
        return changed > 0

    def job_for_request(self, request_id: str) -> LedgerEntry | None:
        """The job fal knows as `request_id` (the newest, should it have been recorded twice)."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM jobs WHERE request_id = ? ORDER BY job_id DESC LIMIT 1", (request_id,)
        )
        return _entry(rows[0]) if rows else None

    def jobs(self, *, open_only: bool = False, limit: int | None = None) -> list[LedgerEntry]:
        """Jobs, newest first (for `fal-video jobs`: endpoint, request id, state, age, estimate)."""
        where = f"WHERE state IN {_OPEN_SQL}" if open_only else ""
        tail = " LIMIT ?" if limit is not None else ""
        params: tuple[Any, ...] = (limit,) if limit is not None else ()
        rows = self._query(f"SELECT {_COLUMNS} FROM jobs {where} ORDER BY job_id DESC{tail}", params)
        return [entry for entry in map(_entry, rows) if entry is not None]

    def entry(self, job_id: int) -> LedgerEntry | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,))
        return _entry(rows[0]) if rows else None

    def check_writable(self) -> None:
        """Prove, before anything is paid for, that the ledger can be written: its folder exists (or is
        made), a probe file can be written, synced and removed, there is room, and the file opens."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not folder.is_dir():
                raise NotADirectoryError(f"{folder} is not a directory")
            probe = folder / f".write-probe-{uuid.uuid4().hex}"
            try:
                with probe.open("wb") as file:
                    file.write(b"\0" * 4096)
                    file.flush()
                    os.fsync(file.fileno())
            finally:
                probe.unlink(missing_ok=True)
            stats = os.statvfs(folder)
            free = stats.f_bavail * stats.f_frsize
            if free < MIN_FREE_BYTES:
                raise OSError(f"only {free // 1024} KiB free in {folder}")
        except OSError as exc:
            raise LedgerError(f"job ledger {self.path} is not writable: {_reason(exc)}") from None
        self._write("CREATE TABLE IF NOT EXISTS write_probe (x)", ())
        self._write("DROP TABLE write_probe", ())

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # ---- plumbing ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            legacy = self.path.parent / LEGACY_FILE
            connection = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=FULL")
                connection.executescript(_SCHEMA)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
            if legacy.exists() and self.path.name == LEDGER_FILE:
                _migrate(legacy, connection)
        return self._connection

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connect().execute(sql, params).fetchall()
            except (sqlite3.Error, OSError) as exc:
                raise LedgerError(f"job ledger {self.path} cannot be read: {_reason(exc)}") from None

    def _write(self, sql: str, params: tuple[Any, ...], *, rowcount: bool = False) -> int:
        """One statement in its own immediate transaction; the new row id (or the rows changed)."""
        with self._lock:
            try:
                connection = self._connect()
                connection.execute("BEGIN IMMEDIATE")
                try:
                    cursor = connection.execute(sql, params)
                    connection.execute("COMMIT")
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError:
                raise
            except (sqlite3.Error, OSError) as exc:
                raise LedgerError(f"job ledger {self.path} cannot be written: {_reason(exc)}") from None
        return cursor.rowcount if rowcount else int(cursor.lastrowid or 0)

    def _write_all(self, statements: list[tuple[str, tuple[Any, ...]]]) -> int:
        """Several statements in one immediate transaction; the rows the last one changed."""
        with self._lock:
            try:
                connection = self._connect()
                connection.execute("BEGIN IMMEDIATE")
                try:
                    changed = 0
                    for sql, params in statements:
                        changed = connection.execute(sql, params).rowcount
                    connection.execute("COMMIT")
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                raise LedgerError(f"job ledger {self.path} cannot be written: {_reason(exc)}") from None
        return changed

    def _update(self, job_id: int, **fields: Any) -> None:
        names = ", ".join(f"{name} = ?" for name in fields)
        values = tuple(value.value if isinstance(value, JobState) else value for value in fields.values())
        self._write(f"UPDATE jobs SET {names} WHERE job_id = ?", (*values, job_id))


_DELIVERED_RESULT = "(SELECT result_json FROM webhook_results WHERE request_id = ?)"
"""The result a verified webhook brought for a request id (SQL, one parameter)."""
_OPEN_SQL = "(" + ", ".join(f"'{state.value}'" for state in sorted(OPEN_STATES)) + ")"


def _entry(row: tuple[Any, ...]) -> LedgerEntry | None:
    """A row as an entry; a row this code cannot read (a newer version's state, a torn value) is skipped
    with a warning, never taking its neighbours with it."""
    try:
        (
            job_id,
            key,
            endpoint,
            state,
            request_id,
            created,
            submitted,
            ended,
            estimate,
            url,
            result,
            note,
            owner,
        ) = row
        return LedgerEntry(
            job_id=int(job_id),
            key=str(key),
            endpoint=str(endpoint),
            state=JobState(state),
            created_at=float(created),
            request_id=request_id,
            submitted_at=submitted,
            ended_at=ended,
            estimate_usd=estimate,
            result_url=url,
            result=json.loads(result) if result else None,
            note=note or "",
            owner=owner or "",
        )
    except (ValueError, TypeError) as exc:
        logger.warning("job ledger: skipped row %s that cannot be read (%s)", row[0] if row else "?", exc)
        return None


def _migrate(legacy: Path, connection: sqlite3.Connection) -> None:
    """Bring the open jobs of the old JSON-lines ledger over (each as `submitted`), then set it aside.
    A line that is not a record (torn by a crash, foreign) is skipped with a warning."""
    open_jobs: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(legacy.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        try:
            record = json.loads(line)
            event, key = record["event"], record["key"]
            if event == "submitted":
                open_jobs[key] = (str(record["endpoint"]), str(record["request_id"]))
            elif event == "ended":
                open_jobs.pop(key, None)
        except (ValueError, KeyError, TypeError):
            logger.warning("job ledger: skipped line %d of %s that is not a record", number, legacy)
    now = time.time()
    connection.execute("BEGIN IMMEDIATE")
    for key, (endpoint, request_id) in open_jobs.items():
        connection.execute(
            "INSERT OR IGNORE INTO jobs (key, endpoint, state, request_id, created_at, submitted_at, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, endpoint, JobState.SUBMITTED.value, request_id, now, now, f"migrated from {legacy.name}"),
        )
    connection.execute("COMMIT")
    legacy.rename(legacy.with_name(legacy.name + ".migrated"))
    logger.warning(
        "job ledger: moved %d open job(s) from %s into %s", len(open_jobs), legacy.name, LEDGER_FILE
    )


def this_process() -> str:
    """`host:pid:start` for this process (its start time tells a reused pid apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_time(os.getpid())}"


def process_alive(owner: str) -> bool | None:
    """Whether the process `owner` names runs on this host; None for another host or an unreadable
    owner."""
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, and belongs to someone else
    return _start_time(pid) == start


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), else empty."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return fields[19] if len(fields) > 19 else ""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror if not exc.filename else f"{exc.strerror} ({exc.filename})"
    return str(exc) or type(exc).__name__
