"""How a sandbox endpoint answers: the `Behaviour` protocol and the common one, `RenderedVideo`.

`RenderedVideo` renders a clip that follows the request's own duration (or frame count), aspect
ratio and resolution, and returns it as fal's `{"video": File, **extras}`; without extras of its
own, the seed and prompt where the endpoint's result schema has them. What the request leaves out takes
the endpoint's clip defaults from `fal_spec`, and whether fal's File carries media facts
(width/height/fps/duration/num_frames) follows the endpoint's output schema. Which endpoint behaves
how is declared in `fal_sandbox/catalog/`.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import fal_spec
from fal_spec import ClipDefaults, frame_size, seconds

from .render import ClipSpec, render_clip
from .storage import MediaStore

Extras = Callable[[dict[str, Any], str], dict[str, Any]]


class Behaviour(Protocol):
    async def produce(
        self, endpoint: str, arguments: dict[str, Any], request_id: str, media: MediaStore
    ) -> dict[str, Any]: ...


UNKNOWN_ENDPOINT_CLIP = ClipDefaults(
    duration=5.0, resolution="480p", aspect_ratio="16:9", fps=24.0, audio=False
)
"""The clip for an endpoint fal's facts have no entry for."""


@dataclass(frozen=True)
class RenderedVideo:
    """Render the prompt as a clip shaped by the request; answer `{"video": File, **extras}`."""

    extras: Extras | None = None

    async def produce(
        self, endpoint: str, arguments: dict[str, Any], request_id: str, media: MediaStore
    ) -> dict[str, Any]:
        spec = self.clip_spec(endpoint, arguments, request_id)
        data = await asyncio.to_thread(render_clip, spec)
        video = video_file(media, data, spec, facts=_file_has_media_facts(endpoint))
        extras = (
            self.extras(arguments, request_id)
            if self.extras
            else schema_extras(endpoint, arguments, request_id)
        )
        return {"video": video, **extras}

    def clip_spec(self, endpoint: str, arguments: dict[str, Any], request_id: str) -> ClipSpec:
        entry = fal_spec.find(endpoint)
        shape = entry.clip_defaults() if entry is not None else UNKNOWN_ENDPOINT_CLIP
        width, height = _even_size(
            str(arguments.get("resolution") or shape.resolution),
            str(arguments.get("aspect_ratio") or shape.aspect_ratio),
        )
        audio = arguments.get("generate_audio", arguments.get("enable_audio", shape.audio))
        fps = float(arguments.get("fps") or arguments.get("frames_per_second") or shape.fps)
        frames = arguments.get("num_frames")
        length = float(frames) / fps if frames and "duration" not in arguments else shape.duration
        return ClipSpec(
            width=width,
            height=height,
            fps=fps,
            duration=seconds(arguments.get("duration"), length),
            caption=str(arguments.get("prompt") or endpoint),
            label=f"{endpoint} · {request_id[:8]}",
            audio=bool(audio),
            seed=zlib.crc32(request_id.encode()),
        )


def schema_extras(endpoint: str, arguments: dict[str, Any], request_id: str) -> dict[str, Any]:
    """What the endpoint's result schema names beside the video, for an endpoint with no row of its
    own: the seed (the one sent, else one made from the request id) and the prompt."""
    entry = fal_spec.find(endpoint)
    extras: dict[str, Any] = {}
    if entry is not None and entry.output_has("seed"):
        seed = arguments.get("seed")
        extras["seed"] = (
            int(seed) if seed is not None and seed != -1 else zlib.crc32(request_id.encode()) % _SEED_MAX
        )
    if entry is not None and entry.output_has("prompt"):
        extras["prompt"] = str(arguments.get("prompt") or "")
    return extras


_SEED_MAX = 2_147_483_647


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


def _file_has_media_facts(endpoint: str) -> bool:
    """Whether fal's result File for this endpoint is a VideoFile with width, height, fps, ..."""
    entry = fal_spec.find(endpoint)
    return entry.output_has("video", "width") if entry is not None else True


def _even_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    """The frame for a resolution and aspect ratio, rounded up to even sides (H.264's yuv420p)."""
    width, height = frame_size(resolution, aspect_ratio, default_short_side=480)
    return width + width % 2, height + height % 2
