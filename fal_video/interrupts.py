"""Ctrl-C, SIGTERM and SIGHUP while the command runs: noted at once, never raised mid-step.

The first signal is acknowledged on stderr the moment it arrives and asks the run to stop (the run
loop sends fal's cancel for every job still running); the command then waits, within a bound, for
those cancels to be answered. A second signal stops that wait. Either way the command goes on to
report which jobs finished, which were cancelled and which were left open, and to write its metadata:
no signal skips that, whenever it comes.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

CANCEL_WAIT_SECONDS = 15.0
"""How long the first signal waits for jobs' cancels to be answered (the run loop gives each 10 s)."""
SUBMIT_WAIT_SECONDS = 3.0
"""How long it waits when no job has a request id yet: a submit still unanswered (it may never
connect) is not worth a longer wait; if fal did accept it, the job ledger knows."""
POLL_SECONDS = 0.05


class Interrupts:
    """Catches the handled signals on the running loop (main thread only) for a `with` block.

    `on_first(name)` and `on_again(name)` say something at once; they run in the loop, between
    steps, so they may read the run's live state."""

    def __init__(self, on_first: Callable[[str], None], on_again: Callable[[str], None]) -> None:
        self.on_first = on_first
        self.on_again = on_again
        self.received: list[signal.Signals] = []
        self.first = asyncio.Event()
        self.again = asyncio.Event()
        self._installed: list[signal.Signals] = []

    @property
    def interrupted(self) -> bool:
        return bool(self.received)

    @property
    def exit_code(self) -> int:
        """128 + the first signal's number, as a shell reports a process ended by it (130: Ctrl-C)."""
        return 128 + int(self.received[0]) if self.received else 0

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()
            for signum in HANDLED:
                loop.add_signal_handler(signum, self._received, signum)
                self._installed.append(signum)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        loop = asyncio.get_running_loop()
        for signum in self._installed:
            loop.remove_signal_handler(signum)
        self._installed.clear()

    def _received(self, signum: signal.Signals) -> None:
        self.received.append(signum)
        name = signal.Signals(signum).name
        if len(self.received) == 1:
            self.first.set()
            self.on_first(name)
        elif not self.again.is_set():
            self.again.set()
            self.on_again(name)

    async def until_done_or_signalled(self, work: asyncio.Future[Any]) -> None:
        """Wait for `work`, or for the first signal, whichever comes first."""
        signalled = asyncio.ensure_future(self.first.wait())
        try:
            await asyncio.wait({work, signalled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            signalled.cancel()

    async def wind_down(self, work: asyncio.Future[Any], unsettled: Callable[[], bool]) -> bool:
        """Cancel `work` and wait for it to finish: while `unsettled()` (jobs whose cancel is not
        answered yet) for up to CANCEL_WAIT_SECONDS, else up to SUBMIT_WAIT_SECONDS, and never past
        a second signal. True when `work` finished."""
        work.cancel()
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not work.done() and not self.again.is_set():
            limit = CANCEL_WAIT_SECONDS if unsettled() else SUBMIT_WAIT_SECONDS
            left = started + limit - loop.time()
            if left <= 0:
                break
            await asyncio.wait({work}, timeout=min(POLL_SECONDS, left))
        return work.done()
