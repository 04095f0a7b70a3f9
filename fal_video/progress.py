"""Live progress on stderr: a rich table on a terminal, one plain line per event anywhere else.

A CI log cannot redraw a table, so off a terminal each event is printed once, as it happens.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.table import Table
from rich.text import Text

from blocks.fal._events import FalEvent, LogLine, QueuePosition, Started

from .agent_graph import AgentGraph
from .executor import NodeResult, RunObserver
from .report import STATE_STYLES, message_lines, one_line
from .terminal import Escaped, shown


class ProgressDisplay(RunObserver, Protocol):
    """An observer that is on screen between `__enter__` and `__exit__`."""

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> None: ...


def progress_display(graph: AgentGraph, console: Console) -> ProgressDisplay:
    """The live table when `console` is a terminal, else plain lines on the same stream."""
    if console.is_terminal:
        return LiveProgress(graph, console)
    return PlainProgress(console.file)


class PlainProgress:
    """`node: what happened`, one line per event."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _say(self, result: NodeResult, text: str) -> None:
        for line in message_lines(text):
            self.stream.write(shown(f"{result.node_id}: {line}") + "\n")
        self.stream.flush()

    def node_started(self, result: NodeResult) -> None:
        self._say(result, f"running {result.block_name}")

    def fal_event(self, result: NodeResult, event: FalEvent) -> None:
        self._say(result, str(event))

    def node_finished(self, result: NodeResult) -> None:
        if result.state == "completed":
            self._say(result, f"done in {result.elapsed or 0:.1f}s")
        elif result.state == "skipped":
            self._say(result, f"skipped: {result.skip_reason}")
        else:
            self._say(result, f"{result.state}: {result.error}")


@dataclass
class _Row:
    node_id: str
    block_name: str
    result: NodeResult | None = None
    queue_position: int | None = None
    latest: str = ""
    started: float | None = field(default=None, repr=False)


class LiveProgress:
    """A table that redraws a few times a second: state, queue position, elapsed, latest log line."""

    def __init__(self, graph: AgentGraph, console: Console) -> None:
        self.rows = {node.id: _Row(node.id, node.block.name) for node in graph.nodes.values()}
        self.live = Live(self, console=console, refresh_per_second=4, transient=False)

    def __enter__(self) -> LiveProgress:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()

    def node_started(self, result: NodeResult) -> None:
        row = self.rows[result.node_id]
        row.result, row.started = result, time.monotonic()

    def fal_event(self, result: NodeResult, event: FalEvent) -> None:
        row = self.rows[result.node_id]
        if isinstance(event, QueuePosition):
            row.queue_position = event.position
        elif isinstance(event, Started):
            row.queue_position = None
        row.latest = event.message if isinstance(event, LogLine) else str(event)

    def node_finished(self, result: NodeResult) -> None:
        row = self.rows[result.node_id]
        row.result, row.queue_position = result, None
        row.latest = one_line(result.error or result.skip_reason or row.latest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Escaped(self.table(options.max_width))

    def table(self, width: int) -> Table:
        """The table for a terminal `width` columns wide. Node and block names wrap rather than
        being cut (two nodes must never look alike); only the latest log line is shortened."""
        fixed = {"state": 9, "queue": 5, "elapsed": 7}
        flexible = width - sum(fixed.values()) - (3 * 6 + 1)  # six columns: padding and borders
        names = max(16, flexible - 10)  # at least 10 left for the latest line
        node_width = min(max(len(node_id) for node_id in self.rows), max(8, names * 3 // 5))
        block_width = min(max(len(row.block_name) for row in self.rows.values()), max(8, names - node_width))
        latest_width = max(10, flexible - node_width - block_width)
        table = Table(title="fal-video", title_justify="left", expand=False)
        table.add_column("node", overflow="fold", width=node_width)
        table.add_column("block", overflow="fold", width=block_width)
        for column, column_width in fixed.items():
            table.add_column(column, no_wrap=True, width=column_width)
        table.add_column("latest", no_wrap=True, overflow="ellipsis", max_width=latest_width)
        for row in self.rows.values():
            state = row.result.state if row.result else "pending"
            latest = Text(row.latest, no_wrap=True)
            latest.truncate(latest_width, overflow="ellipsis")
            table.add_row(
                row.node_id,
                row.block_name,
                Text(state, style=STATE_STYLES.get(state, "")),
                "" if row.queue_position is None else str(row.queue_position),
                _elapsed(row),
                latest,
            )
        return table


def _elapsed(row: _Row) -> str:
    if row.result is not None and row.result.elapsed is not None:
        return f"{row.result.elapsed:.1f}s"
    if row.started is not None:
        return f"{time.monotonic() - row.started:.1f}s"
    return ""
