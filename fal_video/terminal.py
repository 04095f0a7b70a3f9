"""Text from outside (fal's log lines, errors and results, a graph file's names and prompts) shown on a
terminal as text, never as commands to it.

A terminal obeys control characters: ESC starts CSI and OSC sequences (clear the screen, move the
cursor, set the window title, write the clipboard, make a link), BEL ends an OSC, a C1 byte such as
U+009B is a CSI on its own, a carriage return overwrites a line, and bidirectional overrides make
text read in another order than it is. `shown` writes each of them as a visible escape (`\\x1b`,
`\\u202e`); newline and tab stay. Every plain line goes through `shown`; every rich renderable through
`Escaped`, which applies `shown` to the text rich lays out and leaves rich's own styling alone.
`--json` output keeps the data as it is: `json_text` is JSON with non-ASCII text as it is, except
that the characters a terminal obeys are written as JSON escapes (JSON escapes C0 itself; C1 and the
bidirectional marks it would leave raw), which parse back to the same data.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is loaded by what renders, so `fal-video --help` stays quick
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """`text` with every control character but newline and tab written as a visible escape."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_text(value: Any, *, default: Any = None) -> str:
    """`value` as indented JSON that is safe on a terminal and parses back to `value`."""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=default)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class Escaped:
    """A rich renderable whose text is `shown`; rich's own control segments (a live display's cursor
    moves) and styles pass unchanged."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            if segment.control:
                yield segment
            else:
                yield Segment(shown(segment.text), segment.style)
