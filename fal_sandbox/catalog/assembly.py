"""fal's FFmpeg utilities that make one video of many inputs: merge-videos joins clips end to end,
images-to-video plays stills as frames. Both really fetch their inputs (the sandbox's own storage or
data URIs) and really decode and re-encode them, so a joined video lasts the sum of its clips.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from ..job_inputs import InputRejected, image_size, read, stored_video, video_facts
from ..models import Behaviour
from ..render import concat_clips, frames_from_images
from ..storage import MediaStore

IMAGE_SIZES = {
    "square_hd": (1024, 1024),
    "square": (512, 512),
    "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768),
    "landscape_16_9": (1024, 576),
}
"""fal's named image sizes (width, height), which merge-videos' `resolution` also takes."""


@dataclass(frozen=True)
class MergeVideos:
    """`video_urls` joined in order at `resolution` (a name or `{width, height}`), `target_fps`."""

    async def produce(
        self, endpoint: str, arguments: dict[str, Any], request_id: str, media: MediaStore
    ) -> dict[str, Any]:
        urls = arguments.get("video_urls")
        if not isinstance(urls, list) or len(urls) < 2:
            raise InputRejected("video_urls", "give at least two videos to merge")
        clips = [read(str(url), f"video_urls.{index}", media) for index, url in enumerate(urls)]

        def work() -> tuple[bytes, list[dict[str, Any]]]:
            facts = [video_facts(clip, f"video_urls.{index}") for index, clip in enumerate(clips)]
            width, height = _size(arguments, [(int(f.width or 0), int(f.height or 0)) for f in facts])
            fps = arguments.get("target_fps")
            joined = concat_clips(clips, width=width, height=height, fps=float(fps) if fps else None)
            described = [
                {"url": str(url), "duration": f.duration, "fps": f.fps}
                for url, f in zip(urls, facts, strict=True)
            ]
            return joined, described

        data, described = await asyncio.to_thread(work)
        return {"video": stored_video(media, data), "metadata": {"videos": described}}


def _size(arguments: dict[str, Any], sizes: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    """The requested frame; None, None for fal's default (the clips' smallest width and height)."""
    resolution = arguments.get("resolution")
    if isinstance(resolution, str):
        return IMAGE_SIZES[resolution]
    if isinstance(resolution, dict):
        return int(resolution.get("width", 512)), int(resolution.get("height", 512))
    index = arguments.get("resolution_aspect_ratio_video_index")
    if index is None:
        return None, None
    if not 0 <= int(index) < len(sizes):
        raise InputRejected("resolution_aspect_ratio_video_index", f"there are {len(sizes)} videos")
    width, height = sizes[int(index)]
    short = min(min(w, h) for w, h in sizes)
    scale = short / min(width, height)
    return round(width * scale), round(height * scale)


@dataclass(frozen=True)
class ImagesToVideo:
    """Each of `images` (`{url, frames}`) held for its frames, at `fps`."""

    async def produce(
        self, endpoint: str, arguments: dict[str, Any], request_id: str, media: MediaStore
    ) -> dict[str, Any]:
        items = arguments.get("images")
        if not isinstance(items, list) or not items:
            raise InputRejected("images", "give at least one image")
        stills = []
        for index, item in enumerate(items):
            data = read(str(item.get("url", "")), f"images.{index}.url", media)
            frames = item.get("frames")
            if not isinstance(frames, int | float) or frames < 1 or frames != int(frames):
                raise InputRejected(f"images.{index}.frames", "a whole number of frames, at least 1")
            stills.append((data, int(frames)))

        def work() -> bytes:
            for index, (data, _) in enumerate(stills):
                image_size(data, f"images.{index}.url")  # not an image: a 422 naming it
            return frames_from_images(stills, fps=float(arguments.get("fps") or 24))

        return {"video": stored_video(media, await asyncio.to_thread(work))}


BEHAVIOURS: dict[str, Behaviour] = {
    "fal-ai/ffmpeg-api/merge-videos": MergeVideos(),
    "fal-ai/ffmpeg-api/images-to-video": ImagesToVideo(),
}
