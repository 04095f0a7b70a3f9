"""How a finished run reads: a summary table for people, one JSON document for programs, and one line
per problem (always with the request id, so a paid job can be found again)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from .executor import NodeResult
from .progress import STATE_STYLES, one_line
from .records import SavedClip, node_record


def run_succeeded(results: Iterable[NodeResult], clips: dict[str, list[SavedClip]]) -> bool:
    """Every node completed and every video it made was saved and decodes."""
    all_completed = all(result.state == "completed" for result in results)
    return all_completed and not any(clip.problem for saved in clips.values() for clip in saved)


def summary_table(results: Iterable[NodeResult], clips: dict[str, list[SavedClip]]) -> Table:
    table = Table(title="result", title_justify="left")
    for column in ("node", "block", "state", "elapsed", "est. cost", "request id", "output file"):
        table.add_column(
            column,
            no_wrap=column in ("request id", "state", "elapsed", "est. cost"),
            overflow="fold" if column == "output file" else "ellipsis",
        )
    for result in results:
        files = [
            str(clip.path) if clip.problem is None else f"{clip.output}: {clip.problem}"
            for clip in clips.get(result.node_id, [])
        ]
        table.add_row(
            result.node_id,
            result.block_name,
            Text(result.state, style=STATE_STYLES.get(result.state, "")),
            "" if result.elapsed is None else f"{result.elapsed:.1f}s",
            _cost(result),
            "\n".join(result.request_ids),
            "\n".join(files),
        )
    return table


def _cost(result: NodeResult) -> str:
    """fal's published price of the node's job; a dash where fal publishes none."""
    if result.cost_usd is not None:
        return f"${result.cost_usd:.2f}"
    return "–" if result.state == "completed" else ""


def problem_lines(results: Iterable[NodeResult], clips: dict[str, list[SavedClip]]) -> list[str]:
    """One line per failed or skipped node and per clip that was not saved or does not play."""
    lines = []
    for result in results:
        where = f"node {result.node_id!r} ({result.block_name})"
        if result.state in ("failed", "cancelled"):
            lines.append(f"error: {where} {result.state}: {_with_request_ids(result.error or '', result)}")
        elif result.state == "skipped":
            lines.append(f"{where} skipped: {result.skip_reason}")
        for clip in clips.get(result.node_id, []):
            if clip.problem:
                lines.append(f"error: {where} {clip.output}: {one_line(clip.problem)}")
    return lines


def _with_request_ids(message: str, result: NodeResult) -> str:
    text = one_line(message)
    missing = [request_id for request_id in result.request_ids if request_id not in text]
    return f"{text} (request {', '.join(missing)})" if missing else text


def json_document(
    *,
    mode: str,
    graph_name: str,
    results: Iterable[NodeResult],
    clips: dict[str, list[SavedClip]],
    output_dir: Path | None,
) -> dict[str, Any]:
    results = list(results)
    return {
        "ok": run_succeeded(results, clips),
        "mode": mode,
        "graph": graph_name,
        "output_dir": None if output_dir is None else str(output_dir),
        "request_ids": [request_id for result in results for request_id in result.request_ids],
        "nodes": [node_record(result, clips.get(result.node_id, [])) for result in results],
    }
