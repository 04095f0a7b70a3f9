"""Every call the sandbox answered, so tests can count submits, polls and cancels per job.

Besides the client's calls it records `stream` (once per status stream opened) and `webhook` (once
per delivery attempt the sandbox made, with the receiver's status; 0 = refused or unreachable).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from .plan import Call


@dataclass(frozen=True)
class Entry:
    call: Call
    endpoint: str
    request_id: str | None
    status: int
    at: float = field(default_factory=time.monotonic)
    note: str = ""
    """Why, when the status alone does not say (a refused webhook URL, a transport error, a fault)."""

    @property
    def injected(self) -> bool:
        """A fault the sandbox made on purpose (`fault: <kind>`), even when its status was 200."""
        return self.note.startswith("fault:")


@dataclass
class Journal:
    entries: list[Entry] = field(default_factory=list)

    def record(self, call: Call, endpoint: str, request_id: str | None, status: int, note: str = "") -> None:
        self.entries.append(Entry(call, endpoint, request_id, status, note=note))

    def count(self, call: Call, request_id: str | None = None, *, ok_only: bool = False) -> int:
        """Calls of one kind, for one job or all; `ok_only` counts only those answered 2xx."""
        return sum(
            1
            for entry in self.entries
            if entry.call == call
            and (request_id is None or entry.request_id == request_id)
            and (not ok_only or (200 <= entry.status < 300 and not entry.injected))
        )

    def accepted_jobs(self) -> list[str]:
        """Request ids of submits that created a job, in order."""
        return [
            entry.request_id
            for entry in self.entries
            if entry.call == "submit" and entry.request_id and 200 <= entry.status < 300
        ]

    def per_job(self) -> dict[str, Counter[str]]:
        """For each job: how many calls of each kind it received."""
        jobs: dict[str, Counter[str]] = {}
        for entry in self.entries:
            if entry.request_id:
                jobs.setdefault(entry.request_id, Counter())[entry.call] += 1
        return jobs

    def clear(self) -> None:
        self.entries.clear()
