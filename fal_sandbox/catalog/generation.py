"""Text-to-video and image-to-video endpoints: clips shaped by the request, outputs shaped like fal's.

Defaults (duration, resolution, aspect ratio, audio) are each model's own where fal documents them;
where it does not (Mochi, Luma Dream Machine, Kling, the fixed Hailuo Pro clip) they are the model's
usual output and only shape the sandbox's clip. Only Sora's VideoFile carries media facts
(width/height/fps/duration/num_frames); the others answer with fal's plain File.
"""

from __future__ import annotations

import zlib
from typing import Any

from ..models import Behaviour, RenderedVideo

_SEED_MAX = 2_147_483_647


def sora_extras(arguments: dict[str, Any], request_id: str) -> dict[str, Any]:
    """Sora answers with the id of the video, for its remix endpoint."""
    return {"video_id": f"video_{request_id.replace('-', '')[:24]}"}


def seedance_extras(arguments: dict[str, Any], request_id: str) -> dict[str, Any]:
    """Seedance reports the seed it used: the one sent, or a random one for none or -1."""
    seed = arguments.get("seed")
    if seed is None or seed == -1:
        seed = zlib.crc32(request_id.encode()) % _SEED_MAX
    return {"seed": seed}


_SILENT_FILE = {"media_facts": False}

BEHAVIOURS: dict[str, Behaviour] = {
    # Text-to-video.
    "fal-ai/mochi-v1": RenderedVideo(duration=5, resolution="480p", **_SILENT_FILE),
    "fal-ai/luma-dream-machine": RenderedVideo(duration=5, resolution="720p", **_SILENT_FILE),
    "fal-ai/luma-dream-machine/ray-2": RenderedVideo(duration=5, resolution="540p", **_SILENT_FILE),
    "fal-ai/sora-2/text-to-video": RenderedVideo(
        duration=4, resolution="720p", audio=True, extras=sora_extras
    ),
    "fal-ai/sora-2/text-to-video/pro": RenderedVideo(
        duration=4, resolution="1080p", audio=True, extras=sora_extras
    ),
    "fal-ai/bytedance/seedance/v1.5/pro/text-to-video": RenderedVideo(
        duration=5, resolution="720p", audio=True, extras=seedance_extras, media_facts=False
    ),
    "fal-ai/bytedance/seedance/v1/pro/text-to-video": RenderedVideo(
        duration=5, resolution="1080p", extras=seedance_extras, media_facts=False
    ),
    "fal-ai/veo3.1": RenderedVideo(duration=8, resolution="720p", audio=True, media_facts=False),
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": RenderedVideo(
        duration=5, resolution="1080p", **_SILENT_FILE
    ),
    "fal-ai/minimax/hailuo-02/pro/text-to-video": RenderedVideo(
        duration=6, resolution="1080p", **_SILENT_FILE
    ),
    # Image-to-video ("auto" aspect ratios render as 16:9: the sandbox does not read the image).
    "fal-ai/sora-2/image-to-video": RenderedVideo(
        duration=4, resolution="720p", aspect_ratio="auto", audio=True, extras=sora_extras
    ),
    "fal-ai/luma-dream-machine/ray-2/image-to-video": RenderedVideo(
        duration=5, resolution="540p", **_SILENT_FILE
    ),
    "fal-ai/kling-video/v2.6/pro/image-to-video": RenderedVideo(
        duration=5, resolution="1080p", audio=True, media_facts=False
    ),
    "fal-ai/veo3/fast/image-to-video": RenderedVideo(
        duration=8, resolution="720p", aspect_ratio="auto", audio=True, media_facts=False
    ),
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": RenderedVideo(
        duration=5, resolution="720p", audio=True, extras=seedance_extras, media_facts=False
    ),
    "fal-ai/minimax/hailuo-02/standard/image-to-video": RenderedVideo(
        duration=6, resolution="768P", **_SILENT_FILE
    ),
}
