"""One JSON-ready record per node: the same shape in `metadata/<node>.json` and in `--json` output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python

from .executor import NodeResult


@dataclass(frozen=True)
class SavedClip:
    """A video output downloaded to disk; `problem` says why it is missing or does not play."""

    node_id: str
    output: str
    url: str
    path: Path | None
    """Where it was saved (None: it was not)."""
    media: dict[str, Any] | None = None
    problem: str | None = None


def jsonable(value: Any) -> Any:
    """Block outputs as JSON (enums by value, models as objects, anything else as text)."""
    return to_jsonable_python(value, fallback=str)


def node_record(
    result: NodeResult, clips: list[SavedClip], paths_relative_to: Path | None = None
) -> dict[str, Any]:
    """Everything known about one node's run; clip paths relative to the output folder when given."""
    return {
        "node": result.node_id,
        "block": result.block_name,
        "block_id": result.block_id,
        "endpoint": result.endpoint,
        "estimated_cost_usd": result.cost_usd,
        "state": result.state,
        "inputs": jsonable(result.inputs),
        "arguments": jsonable(result.arguments),
        "request_id": result.request_ids[-1] if result.request_ids else None,
        "request_ids": list(result.request_ids),
        "timings": {
            "started": _iso(result.started_at),
            "finished": _iso(result.finished_at),
            "elapsed": None if result.elapsed is None else round(result.elapsed, 3),
        },
        "outputs": jsonable(result.outputs),
        "error": result.error,
        "skip_reason": result.skip_reason,
        "files": [_clip_record(clip, paths_relative_to) for clip in clips],
    }


def _clip_record(clip: SavedClip, relative_to: Path | None) -> dict[str, Any]:
    path = clip.path
    if path is not None and relative_to is not None:
        path = path.relative_to(relative_to)
    return {
        "output": clip.output,
        "url": clip.url,
        "path": None if path is None else path.as_posix(),
        "media": clip.media,
        "problem": clip.problem,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
