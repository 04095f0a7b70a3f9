"""How a run reads: the results on screen at any width, one JSON document for programs, one line per
problem (always with the request id, so a paid job can be found again), the plan of a dry run, and
what an interruption left behind.

Results are what a node made: its request ids, its outputs (video URLs, the prompt generator's
`prompt`, media facts) and the files saved for it. A wide terminal gets one table; a narrow one
(under WIDE_COLUMNS, 160) gets one stacked block per node. Neither ever cuts a node id, a block name, a
URL or a path: long values wrap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .executor import NodeResult
from .preflight import NodePlan
from .records import SavedClip, jsonable, node_record
from .spend import SpendEstimate

STATE_STYLES = {
    "pending": "dim",
    "running": "yellow",
    "completed": "green",
    "failed": "bold red",
    "skipped": "dim",
    "cancelled": "magenta",
}
WIDE_COLUMNS = 160
"""From this width on, results are one table; below it, a block per node."""
HIDDEN_OUTPUTS = frozenset({"logs", "request_id", "error"})
"""Shown elsewhere (request ids have their own row) or too long to be a result (`logs`)."""


def message_lines(text: str) -> list[str]:
    """A message as lines that read on their own. fal's 422 arrives as a heading and one line per
    field ("fal rejected the input:\\nprompt: ...\\nduration: ...\\n(request X)"): each field becomes
    one line with the heading and the request; any other line breaks become spaces."""
    parts = [part.strip() for part in text.splitlines() if part.strip()]
    if not parts:
        return [""]
    trailing: list[str] = []
    while len(parts) > 1 and parts[-1].startswith("(") and parts[-1].endswith(")"):
        trailing.insert(0, parts.pop())
    tail = f" {' '.join(trailing)}" if trailing else ""
    if len(parts) > 2 and parts[0].endswith(":"):
        return [f"{parts[0]} {item}{tail}" for item in parts[1:]]
    return [" ".join(parts) + tail]


def one_line(text: str) -> str:
    """A message in one line: its first line, and how many more there are."""
    lines = message_lines(text)
    more = f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""
    return lines[0] + more


def run_succeeded(results: Iterable[NodeResult], clips: Mapping[str, list[SavedClip]]) -> bool:
    """Every node completed and every video it made was saved and decodes."""
    all_completed = all(result.state == "completed" for result in results)
    return all_completed and not any(clip.problem for saved in clips.values() for clip in saved)


# ---- results -----------------------------------------------------------------------------------


def result_rows(result: NodeResult, clips: list[SavedClip]) -> list[tuple[str, str]]:
    """What the node made, as (label, value): request ids, outputs, saved files."""
    rows = [("request", request_id) for request_id in result.request_ids]
    for name, value in result.outputs.items():
        if name in HIDDEN_OUTPUTS or value is None:
            continue
        shown = value if isinstance(value, str) else json.dumps(jsonable(value), ensure_ascii=False)
        rows.append((name, shown))
    for clip in clips:
        rows.append(("file", str(clip.path) if clip.problem is None else f"{clip.output}: {clip.problem}"))
    if result.skip_reason:
        rows.append(("skipped", result.skip_reason))
    return rows


def summary(
    results: Iterable[NodeResult], clips: Mapping[str, list[SavedClip]], width: int
) -> RenderableType:
    """The results for a terminal `width` columns wide."""
    results = list(results)
    if width >= WIDE_COLUMNS:
        return _table(results, clips)
    return _stacked(results, clips)


def _table(results: list[NodeResult], clips: Mapping[str, list[SavedClip]]) -> Table:
    table = Table(title="result", title_justify="left")
    table.add_column("node", overflow="fold", max_width=28)
    table.add_column("block", overflow="fold", max_width=26)
    for column in ("state", "elapsed", "est. cost"):
        table.add_column(column, no_wrap=True)
    table.add_column("results", overflow="fold")
    for result in results:
        table.add_row(
            result.node_id,
            result.block_name,
            Text(result.state, style=STATE_STYLES.get(result.state, "")),
            _elapsed(result),
            _cost(result),
            _pairs(result_rows(result, clips.get(result.node_id, []))),
        )
    return table


def _stacked(results: list[NodeResult], clips: Mapping[str, list[SavedClip]]) -> Group:
    parts: list[RenderableType] = [Text("result", style="italic")]
    for result in results:
        heading = Text.assemble(
            (result.node_id, "bold"),
            "  ",
            result.block_name,
            "  ",
            (result.state, STATE_STYLES.get(result.state, "")),
            *(f"  {extra}" for extra in (_elapsed(result), _cost(result)) if extra),
            overflow="fold",
        )
        parts += [heading, _pairs(result_rows(result, clips.get(result.node_id, [])), indent=2), Text("")]
    return Group(*parts)


def _pairs(rows: list[tuple[str, str]], indent: int = 0) -> Table:
    grid = Table.grid(padding=(0, 2, 0, 0), pad_edge=False)
    if indent:
        grid.add_column(width=indent - 2 if indent > 2 else 0)
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold", ratio=1)
    for label, value in rows:
        cells: list[str | Text] = [label, Text(value, overflow="fold")]
        grid.add_row(*([""] if indent else []), *cells)
    return grid


def _elapsed(result: NodeResult) -> str:
    return "" if result.elapsed is None else f"{result.elapsed:.1f}s"


def _cost(result: NodeResult) -> str:
    """fal's published price of the node's job; a dash where fal publishes none."""
    if result.cost_usd is not None:
        return f"${result.cost_usd:.2f}"
    return "–" if result.state == "completed" and result.request_ids else ""


def problem_lines(results: Iterable[NodeResult], clips: Mapping[str, list[SavedClip]]) -> list[str]:
    """One line per problem: per line of a failed node's error, per skipped node, per clip that was
    not saved or does not play."""
    lines = []
    for result in results:
        where = f"node {result.node_id!r} ({result.block_name})"
        if result.state in ("failed", "cancelled"):
            for line in message_lines(result.error or ""):
                lines.append(f"error: {where} {result.state}: {_with_request_ids(line, result)}")
        elif result.state == "skipped":
            lines.append(f"{where} skipped: {result.skip_reason}")
        for clip in clips.get(result.node_id, []):
            if clip.problem:
                lines.append(f"error: {where} {clip.output}: {one_line(clip.problem)}")
    return lines


def _with_request_ids(line: str, result: NodeResult) -> str:
    missing = [request_id for request_id in result.request_ids if request_id not in line]
    return f"{line} (request {', '.join(missing)})" if missing else line


def json_document(
    *,
    mode: str,
    graph_name: str,
    results: Iterable[NodeResult],
    clips: Mapping[str, list[SavedClip]],
    output_dir: Path | None,
    spend: SpendEstimate | None = None,
    interrupted: str | None = None,
) -> dict[str, Any]:
    results = list(results)
    return {
        "ok": run_succeeded(results, clips) and interrupted is None,
        "mode": mode,
        "graph": graph_name,
        "output_dir": None if output_dir is None else str(output_dir),
        "estimated_cost_usd": None if spend is None else spend.total_usd,
        "unpriced_nodes": [] if spend is None else list(spend.unpriced),
        "interrupted": interrupted,
        "request_ids": [request_id for result in results for request_id in result.request_ids],
        "nodes": [node_record(result, list(clips.get(result.node_id, []))) for result in results],
    }


# ---- a dry run ---------------------------------------------------------------------------------


def shown_arguments(arguments: Mapping[str, Any]) -> Any:
    """The request as a person reads it: data URIs shortened to their type and size."""
    return _shorten(jsonable(dict(arguments)))


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("data:") and len(value) > 120:
        head = value.split(",", 1)[0]
        return f"{head},… ({len(value) * 3 // 4 / 1024:.0f} KB)"
    if isinstance(value, dict):
        return {key: _shorten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten(item) for item in value]
    return value


def dry_run_view(plans: Iterable[NodePlan], spend: SpendEstimate, where: str) -> Group:
    parts: list[RenderableType] = [Text(f"dry run: nothing was submitted ({where})", style="italic")]
    for plan in plans:
        target = plan.endpoint or ("known when it starts" if plan.fal_job else "no fal job")
        cost = "" if plan.estimated_usd is None else f"  est. ${plan.estimated_usd:.2f}"
        if plan.fal_job and plan.estimated_usd is None:
            cost = "  no published price"
        parts.append(
            Text.assemble(
                (plan.node_id, "bold"), "  ", plan.block_name, "  → ", target, cost, overflow="fold"
            )
        )
        rows = [(name, f"from {source} at run time") for name, source in plan.pending.items()]
        if plan.endpoint:
            rows.append(
                ("fal gets", json.dumps(shown_arguments(plan.arguments), ensure_ascii=False, indent=1))
            )
        parts += [_pairs(rows, indent=2), Text("")]
    parts.append(Text(spend.describe()))
    return Group(*parts)


def dry_run_document(
    plans: Iterable[NodePlan], spend: SpendEstimate, mode: str, graph_name: str
) -> dict[str, Any]:
    return {
        "dry_run": True,
        "mode": mode,
        "graph": graph_name,
        "estimated_cost_usd": spend.total_usd,
        "unpriced_nodes": list(spend.unpriced),
        "nodes": [
            {
                "node": plan.node_id,
                "block": plan.block_name,
                "endpoint": plan.endpoint,
                "arguments": shown_arguments(plan.arguments),
                "estimated_cost_usd": plan.estimated_usd,
                "linked_inputs": plan.pending,
            }
            for plan in plans
        ],
    }


# ---- an interruption -----------------------------------------------------------------------------


def interruption_lines(signal_name: str, results: Iterable[NodeResult], *, keeps_ledger: bool) -> list[str]:
    """What became of every job when a signal stopped the run: cancelled, finished (not cancelled,
    since there was nothing left to cancel), or left open (and where it can be found again)."""
    results = list(results)
    found_again = (
        "it stays in the job ledger, and running the same command again picks up its result"
        if keeps_ledger
        else "the sandbox ends with this command"
    )
    by_state: dict[str, list[str]] = {}
    for result in results:
        for request_id, state in result.jobs.items():
            by_state.setdefault(state, []).append(f"request {request_id} (node {result.node_id})")
    lines = []
    if by_state.get("cancelled"):
        lines.append(f"interrupted by {signal_name}: cancelled {', '.join(by_state['cancelled'])}")
    else:
        lines.append(f"interrupted by {signal_name}: no job needed cancelling")
    if by_state.get("finished"):
        lines.append(f"finished, so not cancelled: {', '.join(by_state['finished'])}")
    if by_state.get("not cancelled"):
        refused = ", ".join(by_state["not cancelled"])
        lines.append(f"fal refused the cancel (the job had probably finished): {refused}; {found_again}")
    if by_state.get("running"):
        lines.append(f"left open, cancel not confirmed: {', '.join(by_state['running'])}; {found_again}")
    unsubmitted = [
        result.node_id for result in results if result.state in ("cancelled", "running") and not result.jobs
    ]
    if unsubmitted:
        lines.append(f"stopped before fal returned a request id: node {', '.join(unsubmitted)}")
    return lines
