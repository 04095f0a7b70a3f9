"""Submitted jobs, written down before anything else happens, so a restarted run resumes them.

A job that costs money must not be paid for twice because the process running it died. The run loop
records each request id in the ledger the moment submit returns, and strikes it when the job has
ended (finished, failed, or cancelled). A run whose key (node, endpoint, arguments) is still in the
ledger follows that job with fal-client's `get_handle` instead of submitting again.

A host turns this on by setting `job_ledger` for the task that runs a node (the `fal-video` command
does, for real fal.ai). Without a ledger nothing is recorded; the platform keeps its own records.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol


class JobLedger(Protocol):
    def pending(self, key: str) -> str | None:
        """The request id of a job submitted under `key` and not yet ended, if any."""
        ...

    def submitted(self, key: str, endpoint: str, request_id: str) -> None: ...

    def ended(self, key: str) -> None: ...


job_ledger: contextvars.ContextVar[JobLedger | None] = contextvars.ContextVar("fal_job_ledger", default=None)


def ledger_key(scope: str, endpoint: str, arguments: dict[str, Any]) -> str:
    """Which job a run is: the node it belongs to, the endpoint, and the arguments as the user gave them."""
    canonical = json.dumps([scope, endpoint, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class FileJobLedger:
    """An append-only JSON-lines file; each line is durable (fsync) before the run goes on.

    The calls are small and synchronous; the run loop makes them from a worker thread.
    """

    path: Path

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def pending(self, key: str) -> str | None:
        return self._open_jobs().get(key)

    def submitted(self, key: str, endpoint: str, request_id: str) -> None:
        self._append({"event": "submitted", "key": key, "endpoint": endpoint, "request_id": request_id})

    def ended(self, key: str) -> None:
        self._append({"event": "ended", "key": key})

    def _open_jobs(self) -> dict[str, str]:
        jobs: dict[str, str] = {}
        if not self.path.exists():
            return jobs
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash: the lines before it still count
            if record.get("event") == "submitted":
                jobs[record["key"]] = record["request_id"]
            elif record.get("event") == "ended":
                jobs.pop(record.get("key", ""), None)
        return jobs

    def _append(self, record: dict[str, str]) -> None:
        record["at"] = datetime.now(UTC).isoformat()
        line = json.dumps(record) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line)
                file.flush()
                os.fsync(file.fileno())
