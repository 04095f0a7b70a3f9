"""How a sandbox endpoint answers: the `Behaviour` protocol and the common one, `RenderedVideo`.

`RenderedVideo` renders a clip that follows the request's own duration, aspect ratio and
resolution, and returns it as fal's `{"video": File, **extras}`. Which endpoint behaves how is
declared in `fal_sandbox/catalog/`.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .render import ClipSpec, render_clip
from .storage import MediaStore

Extras = Callable[[dict[str, Any], str], dict[str, Any]]


class Behaviour(Protocol):
    async def produce(
        self, endpoint: str, arguments: dict[str, Any], request_id: str, media: MediaStore
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RenderedVideo:
    """Render the prompt as a clip shaped by the request; answer `{"video": File, **extras}`."""

    duration: float = 5.0
    fps: float = 24.0
    resolution: str = "480p"
    aspect_ratio: str = "16:9"
    audio: bool = False
    extras: Extras | None = None
    media_facts: bool = True
    """Whether fal's File for this model carries width/height/fps/duration/num_frames."""

    async def produce(
        self, endpoint: str, arguments: dict[str, Any], request_id: str, media: MediaStore
    ) -> dict[str, Any]:
        spec = self.clip_spec(endpoint, arguments, request_id)
        data = await asyncio.to_thread(render_clip, spec)
        video = video_file(media, data, spec, facts=self.media_facts)
        extras = self.extras(arguments, request_id) if self.extras else {}
        return {"video": video, **extras}

    def clip_spec(self, endpoint: str, arguments: dict[str, Any], request_id: str) -> ClipSpec:
        width, height = frame_size(
            str(arguments.get("resolution") or self.resolution),
            str(arguments.get("aspect_ratio") or self.aspect_ratio),
        )
        audio = arguments.get("generate_audio", arguments.get("enable_audio", self.audio))
        return ClipSpec(
            width=width,
            height=height,
            fps=float(arguments.get("fps") or arguments.get("frames_per_second") or self.fps),
            duration=seconds(arguments.get("duration"), self.duration),
            caption=str(arguments.get("prompt") or endpoint),
            label=f"{endpoint} · {request_id[:8]}",
            audio=bool(audio),
            seed=zlib.crc32(request_id.encode()),
        )


@dataclass(frozen=True)
class File:
    """fal's File object fields, in the order fal documents them."""

    url: str
    content_type: str
    file_name: str
    file_size: int
    facts: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "content_type": self.content_type,
            "file_name": self.file_name,
            "file_size": self.file_size,
            **self.facts,
        }


def video_file(media: MediaStore, data: bytes, spec: ClipSpec, *, facts: bool) -> dict[str, Any]:
    """Store a rendered clip and describe it as fal does."""
    url = media.put(data, "video/mp4", "output.mp4")
    frames = round(spec.duration * spec.fps)
    described = File(url, "video/mp4", "output.mp4", len(data))
    if facts:
        described.facts.update(
            width=spec.width + spec.width % 2,
            height=spec.height + spec.height % 2,
            fps=spec.fps,
            duration=frames / spec.fps,
            num_frames=frames,
        )
    return described.as_json()


_SHORT_SIDE = {
    "360p": 360,
    "480p": 480,
    "512p": 512,
    "540p": 540,
    "580p": 580,
    "720p": 720,
    "768p": 768,
    "1080p": 1080,
    "true_1080p": 1080,
    "2160p": 2160,
    "4k": 2160,
}


def frame_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    """Pixels for a resolution name and an aspect ratio (`auto` counts as 16:9)."""
    short = _SHORT_SIDE.get(resolution.lower(), 480)
    match = re.fullmatch(r"(\d+):(\d+)", aspect_ratio.strip())
    wide, tall = (int(match[1]), int(match[2])) if match else (16, 9)
    if wide >= tall:
        return _even(short * wide / tall), _even(short)
    return _even(short), _even(short * tall / wide)


def seconds(value: Any, default: float) -> float:
    """A duration as models spell it: 5, "5", "5s", "8 s"."""
    if value is None or value == "":
        return default
    match = re.match(r"\s*(\d+(?:\.\d+)?)", str(value))
    return float(match[1]) if match else default


def _even(value: float) -> int:
    number = round(value)
    return number + number % 2
