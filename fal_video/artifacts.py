"""A run saved to a folder: each video downloaded and proven to decode, one metadata file per node.

fal's URLs expire, so `--output` keeps the files; decoding every frame (not reading headers) is
what shows a clip really plays.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from fal_sandbox.media import probe

from .executor import NodeResult
from .records import SavedClip, node_record

MEDIA_FACTS = ("width", "height", "fps", "duration", "num_frames", "has_audio")
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=15.0)


def video_outputs(result: NodeResult) -> list[tuple[str, str]]:
    """(output, url) for every video a node produced: `video_url`, or any http(s) URL to an .mp4."""
    return [
        (name, value)
        for name, value in result.outputs.items()
        if isinstance(value, str) and _is_video_url(name, value)
    ]


def _is_video_url(name: str, value: str) -> bool:
    url = urlsplit(value)
    return url.scheme in ("http", "https") and (name == "video_url" or url.path.lower().endswith(".mp4"))


def file_stem(name: str) -> str:
    """A node id or output name made safe as part of a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "node"


def clip_path(output_dir: Path, node_id: str, output: str) -> Path:
    return output_dir / "clips" / f"{file_stem(node_id)}-{file_stem(output)}.mp4"


async def save_clips(results: Iterable[NodeResult], output_dir: Path) -> dict[str, list[SavedClip]]:
    """Download every produced video into `output_dir/clips/`, concurrently, and probe each one."""
    results = list(results)
    (output_dir / "clips").mkdir(parents=True, exist_ok=True)
    async with httpx.AsyncClient(follow_redirects=True, timeout=DOWNLOAD_TIMEOUT) as http:
        saved = await asyncio.gather(
            *(
                _save_clip(http, result.node_id, output, url, output_dir)
                for result in results
                for output, url in video_outputs(result)
            )
        )
    by_node: dict[str, list[SavedClip]] = {result.node_id: [] for result in results}
    for clip in saved:
        by_node[clip.node_id].append(clip)
    return by_node


async def _save_clip(
    http: httpx.AsyncClient, node_id: str, output: str, url: str, output_dir: Path
) -> SavedClip:
    path = clip_path(output_dir, node_id, output)
    try:
        response = await http.get(url)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return SavedClip(node_id, output, url, path, problem=f"download failed: {exc}")
    try:
        await asyncio.to_thread(path.write_bytes, response.content)
    except OSError as exc:
        return SavedClip(node_id, output, url, path, problem=f"could not write {path}: {exc.strerror or exc}")
    try:
        facts = await asyncio.to_thread(probe, response.content)
    except ValueError as exc:
        return SavedClip(node_id, output, url, path, problem=f"saved, but it does not decode: {exc}")
    media = {name: getattr(facts, name) for name in MEDIA_FACTS}
    return SavedClip(node_id, output, url, path, media=media)


def write_metadata(
    results: Iterable[NodeResult], clips: dict[str, list[SavedClip]], output_dir: Path
) -> list[Path]:
    """`output_dir/metadata/<node>.json` for every node, whatever became of it."""
    folder = output_dir / "metadata"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for result in results:
        path = folder / f"{file_stem(result.node_id)}.json"
        record = node_record(result, clips.get(result.node_id, []), output_dir)
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
