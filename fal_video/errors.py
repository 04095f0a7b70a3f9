"""The one kind of error the command answers with exit code 2: the input is wrong, nothing was sent.

Every check that can refuse a run before money is spent raises a subclass, so the command needs to
know only this class (and this module imports nothing, which keeps `fal-video --help` fast).
"""

from __future__ import annotations


class BadInput(ValueError):
    """The command line, a graph file, an input or the environment is wrong; nothing was submitted.

    `lines` is what the user sees, one problem per line."""

    def __init__(self, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.lines = lines or [message]
