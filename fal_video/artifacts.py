"""A run saved to a folder: each video downloaded and proven to decode, one metadata file per node.

fal's URLs expire, so `--output` keeps the files; decoding every frame (not reading headers) is
what shows a clip really plays. A result's URLs are fetched as untrusted ones (`downloads`): capped,
public addresses only, streamed into the clips folder and renamed there when complete, so nothing
is written outside `--output` and a refused or broken download leaves nothing behind.
Nothing already in the folder is ever overwritten: a name that is
taken (an earlier run, another graph with the same node ids) gets a numbered suffix, claimed with an
exclusive create so two runs at once cannot take the same one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

import fal_spec
from fal_sandbox.media import probe

from .downloads import READ_TIMEOUT, DownloadPolicy, DownloadRefused, download
from .executor import NodeResult
from .records import SavedClip, node_record

MEDIA_FACTS = ("width", "height", "fps", "duration", "num_frames", "has_audio")
VIDEO_TYPES = frozenset(fal_spec.MEDIA_TYPES["video"])
"""What a video output's bytes must be (by their first bytes, not the server's `Content-Type`)."""
MAX_SUFFIX = 10_000
"""Names tried for one file before giving up (`clip.mp4`, `clip-2.mp4`, ...)."""


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


def claim_path(folder: Path, stem: str, suffix: str) -> Path:
    """A new, empty file `folder/stem[-N]suffix` that no one else has: the first free name."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, MAX_SUFFIX + 1):
        path = folder / f"{stem}{'' if number == 1 else f'-{number}'}{suffix}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder}: {stem}{suffix} and {MAX_SUFFIX - 1} numbered names are all taken")


class ClipSaver:
    """Downloads every video of a run into `output_dir/clips/`, concurrently, and probes each one.

    `saved` fills in as clips arrive, so a run interrupted while downloading keeps what it has."""

    def __init__(self, output_dir: Path, policy: DownloadPolicy) -> None:
        self.output_dir = output_dir
        self.policy = policy
        self.saved: dict[str, list[SavedClip]] = {}

    async def save(self, results: Iterable[NodeResult]) -> dict[str, list[SavedClip]]:
        results = list(results)
        for result in results:
            self.saved.setdefault(result.node_id, [])
        async with httpx.AsyncClient(follow_redirects=False, timeout=READ_TIMEOUT) as http:
            await asyncio.gather(
                *(
                    self._save_clip(http, result.node_id, output, url)
                    for result in results
                    for output, url in video_outputs(result)
                )
            )
        return self.saved

    def missing(self, results: Iterable[NodeResult], reason: str) -> None:
        """Record every video not saved (yet) with `reason`: an interrupted download, for one."""
        for result in results:
            saved = {clip.output for clip in self.saved.get(result.node_id, [])}
            for output, url in video_outputs(result):
                if output not in saved:
                    self.saved.setdefault(result.node_id, []).append(
                        SavedClip(result.node_id, output, url, None, problem=reason)
                    )

    async def _save_clip(self, http: httpx.AsyncClient, node_id: str, output: str, url: str) -> None:
        clip = await self._fetch(http, node_id, output, url)
        self.saved.setdefault(node_id, []).append(clip)

    async def _fetch(self, http: httpx.AsyncClient, node_id: str, output: str, url: str) -> SavedClip:
        folder = self.output_dir / "clips"
        try:
            part = await download(http, url, folder, VIDEO_TYPES, self.policy)
        except DownloadRefused as refused:
            return SavedClip(node_id, output, url, None, problem=f"not downloaded: {refused}")
        except (httpx.HTTPError, TimeoutError) as exc:
            why = f"over the {self.policy.total_seconds:g} s limit" if isinstance(exc, TimeoutError) else exc
            return SavedClip(node_id, output, url, None, problem=f"download failed: {why}")
        except OSError as exc:
            return SavedClip(
                node_id, output, url, None, problem=f"could not write to {folder}: {exc.strerror or exc}"
            )
        stem = f"{file_stem(node_id)}-{file_stem(output)}"
        try:
            path = await asyncio.to_thread(_keep, part, folder, stem, ".mp4")
        except OSError as exc:
            return SavedClip(
                node_id, output, url, None, problem=f"could not write to {folder}: {exc.strerror or exc}"
            )
        try:
            facts = await asyncio.to_thread(probe, path)
        except ValueError as exc:
            return SavedClip(node_id, output, url, path, problem=f"saved, but it does not decode: {exc}")
        media = {name: getattr(facts, name) for name in MEDIA_FACTS}
        return SavedClip(node_id, output, url, path, media=media)


def _keep(part: Path, folder: Path, stem: str, suffix: str) -> Path:
    """The finished download under its own new name (claimed first, so nothing is overwritten)."""
    try:
        path = claim_path(folder, stem, suffix)
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)
        raise
    return path


def _write_new(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    path = claim_path(folder, stem, suffix)
    path.write_bytes(data)
    return path


def write_metadata(
    results: Iterable[NodeResult],
    clips: dict[str, list[SavedClip]],
    output_dir: Path,
    run: dict[str, Any] | None = None,
) -> list[Path]:
    """`output_dir/metadata/<node>.json` for every node, whatever became of it, never overwriting."""
    written = []
    for result in results:
        record = node_record(result, clips.get(result.node_id, []), output_dir)
        if run:
            record = {"run": run, **record}
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        written.append(_write_new(output_dir / "metadata", file_stem(result.node_id), ".json", text.encode()))
    return written
