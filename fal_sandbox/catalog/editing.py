"""Video-to-video, extend, lipsync, audio, upscale, interpolation and prompt endpoints.

These endpoints change a video they are given, so the sandbox really fetches it (its own storage or
a data URI, see `job_inputs`) and really changes it: merge muxes the audio at its offset, the
upscaler scales, AMT multiplies the frame rate, extend endpoints append frames to the input, reframe
and outpainting change the aspect ratio, and restyling endpoints return a clip as long as the input.
An input it cannot fetch or decode fails the job with the field's name, as fal's 422 would.
Arguments arrive with fal's defaults filled in from the endpoint's schema (the server does that), so
the edits below read every setting from the request itself.
Outputs follow each model's output schema: `{"video": File}` plus `seed` / `prompt` where the model
returns them; the prompt generator answers `{"prompt": str}`.
"""

from __future__ import annotations

import asyncio
import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import fal_spec
from fal_spec import SHORT_SIDE

from ..job_inputs import InputRejected, fetch, image_size, read, stored_video, video_facts
from ..media import MediaFacts, probe
from ..models import Behaviour
from ..render import ClipSpec, mux_audio, render_clip, render_tone, transform_clip
from ..storage import MediaStore

Arguments = dict[str, Any]
Files = dict[str, Any]
Edit = Callable[[bytes, MediaFacts, Arguments, Files], bytes]
Extras = Callable[[Arguments, str], dict[str, Any]]

MAX_SIDE = 4096
"""Largest frame side the sandbox renders; beyond it a job fails like a model's own limit would."""


@dataclass(frozen=True)
class SourceVideoEdit:
    """Fetch `video_url` (and the other file inputs named), change it off the event loop, answer
    `{"video": File, **extras}`. `required` inputs must be there; `optional` ones are fetched when
    given (a list input is fetched item by item), so an unreachable file fails the job."""

    edit: Edit
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    extras: Extras | None = None

    async def produce(
        self, endpoint: str, arguments: Arguments, request_id: str, media: MediaStore
    ) -> dict[str, Any]:
        source = fetch(arguments, "video_url", media)
        files: Files = {name: fetch(arguments, name, media) for name in self.required}
        for name in self.optional:
            value = arguments.get(name)
            if isinstance(value, list):
                files[name] = [read(item, f"{name}.{index}", media) for index, item in enumerate(value)]
            elif isinstance(value, str) and value.strip():
                files[name] = read(value, name, media)

        def work() -> bytes:
            facts = video_facts(source, "video_url")
            return self.edit(source, facts, arguments, files)

        data = await asyncio.to_thread(work)
        extras = self.extras(arguments, request_id) if self.extras else {}
        return {"video": stored_video(media, data), **extras}


# ---- outputs besides the video -------------------------------------------------------------------


def seed_of(arguments: Arguments, request_id: str) -> int:
    """The request's seed, else one derived from the request id (fal picks a random one)."""
    seed = arguments.get("seed")
    return int(seed) if seed is not None else zlib.crc32(request_id.encode()) & 0x7FFFFFFF


def with_seed(arguments: Arguments, request_id: str) -> dict[str, Any]:
    return {"seed": seed_of(arguments, request_id)}


def with_prompt_and_seed(arguments: Arguments, request_id: str) -> dict[str, Any]:
    return {"prompt": str(arguments.get("prompt") or ""), "seed": seed_of(arguments, request_id)}


# ---- geometry ------------------------------------------------------------------------------------


def ratio(text: Any) -> float | None:
    """`16:9` → 1.777…; `auto` or anything else → None."""
    match = re.fullmatch(r"\s*(\d+):(\d+)\s*", str(text or ""))
    return int(match[1]) / int(match[2]) if match and int(match[2]) else None


def even(value: float) -> int:
    return max(2, math.ceil(value / 2) * 2)


def sized(resolution: Any, aspect: float, *, auto: int = 480) -> tuple[int, int]:
    """Width and height for a resolution name (its short side; `auto` or unknown: `auto` pixels)
    and a width/height ratio."""
    short = SHORT_SIDE.get(str(resolution or "").lower(), auto)
    return (even(short * aspect), even(short)) if aspect >= 1 else (even(short), even(short / aspect))


def canvas(width: int, height: int, aspect: float) -> tuple[int, int]:
    """The smallest frame of `aspect` that contains a width × height picture (reframe grows, never crops)."""
    if aspect >= width / height:
        return even(height * aspect), even(height)
    return even(width), even(width / aspect)


def caption(arguments: Arguments, endpoint_words: str) -> str:
    return str(arguments.get("prompt") or arguments.get("text") or endpoint_words)


# ---- the edits -----------------------------------------------------------------------------------


def restyle(words: str) -> Edit:
    """A restyled video: same length, size and frame rate as the input."""

    def edit(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
        return transform_clip(source, caption=caption(arguments, words))

    return edit


def ray2_reframe(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    aspect = ratio(arguments.get("aspect_ratio"))
    if aspect is None:
        raise InputRejected("aspect_ratio", "field required")
    width, height = canvas(int(facts.width or 0), int(facts.height or 0), aspect)
    return transform_clip(source, width=width, height=height, caption=caption(arguments, "reframe"))


def wan_vace(task: str | None) -> Edit:
    """Wan VACE for one task (None: the main endpoint, whose `task` argument says which)."""

    def edit(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
        chosen = task or str(arguments.get("task") or "depth")
        if chosen == "inpainting" and "mask_video_url" not in files and "mask_image_url" not in files:
            raise InputRejected("mask_video_url", "a mask is required for inpainting")
        reframe = chosen == "reframe"
        match_frames = bool(arguments.get("match_input_num_frames", reframe))
        match_fps = bool(arguments.get("match_input_frames_per_second", reframe))
        width, height = int(facts.width or 0), int(facts.height or 0)
        aspect = ratio(arguments.get("aspect_ratio")) or _expanded_aspect(chosen, width, height, arguments)
        out_w, out_h = sized(arguments.get("resolution"), aspect, auto=min(width, height))
        words = caption(arguments, f"wan-vace {chosen}")
        if match_frames and match_fps:
            return transform_clip(source, width=out_w, height=out_h, caption=words)
        fps = float(facts.fps or 16) if match_fps else float(arguments["frames_per_second"])
        frames = int(facts.num_frames) if match_frames else int(arguments["num_frames"])
        label = f"wan-vace {chosen}"
        return render_clip(
            ClipSpec(out_w, out_h, fps, frames / fps, words, label=label, seed=zlib.crc32(words.encode()))
        )

    return edit


def _expanded_aspect(task: str, width: int, height: int, arguments: Arguments) -> float:
    """The output's width/height: the input's, grown on the chosen sides for outpainting."""
    if task != "outpainting":
        return width / height
    grow = float(arguments["expand_ratio"])
    wide = width * (1 + grow * (bool(arguments.get("expand_left")) + bool(arguments.get("expand_right"))))
    tall = height * (1 + grow * (bool(arguments.get("expand_top")) + bool(arguments.get("expand_bottom"))))
    return wide / tall


def magi_extend(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    """The input up to `start_frame` (default: 32 frames before its end), then `num_frames` new ones.

    The sandbox keeps the whole input and appends the difference, so the length is exact while the
    overlap (the frames fal would regenerate after `start_frame`) stays as it was.
    """
    count = int(facts.num_frames)
    start = arguments.get("start_frame")
    start = max(0, count - 32) if start is None else int(start)
    if start > count:
        raise InputRejected("start_frame", f"the video has only {count} frames")
    extra = max(0, start + int(arguments["num_frames"]) - count)
    fps = float(facts.fps or 24)
    return transform_clip(source, extend_seconds=extra / fps, caption=caption(arguments, "magi extend"))


def pixverse_extend(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    """Fast mode has no duration input: the clip grows by the entry's `extend_seconds`."""
    words = caption(arguments, "pixverse extend")
    added = float(fal_spec.entry("fal-ai/pixverse/extend/fast").clip["extend_seconds"])
    return transform_clip(source, extend_seconds=added, caption=words)


def seconds_extend(words: str) -> Edit:
    """Veo 3.1 extend: the input, then `duration` more seconds (fal's one value, 7 s)."""

    def edit(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
        added = fal_spec.seconds(arguments.get("duration"), 0.0)
        if added <= 0:
            raise InputRejected("duration", "field required")
        return transform_clip(source, extend_seconds=added, caption=caption(arguments, words))

    return edit


def frames_extend(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    """LTX-2 extend: the input, then `num_frames` new frames at `fps` (both filled in by fal's
    defaults). Either direction grows the clip by the same length; the sandbox appends."""
    added = int(arguments["num_frames"]) / float(arguments.get("fps") or facts.fps or 25)
    return transform_clip(source, extend_seconds=added, caption=caption(arguments, "ltx-2 extend"))


def lipsync(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    """The video with the given speech (or a tone standing in for text-to-speech) as its sound."""
    audio = files.get("audio_url")
    if audio is None:
        if not str(arguments.get("text") or "").strip():
            raise InputRejected("text", "text is required when no audio_url is given")
        audio = render_tone(float(facts.duration))
    restyled = transform_clip(source, caption=caption(arguments, "lipsync"))
    return _muxed(restyled, audio, 0.0)


def merge_audio(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    offset = float(arguments.get("start_offset") or 0.0)
    if offset < 0:
        raise InputRejected("start_offset", "must be at least 0")
    return _muxed(source, files["audio_url"], offset)


def _muxed(video: bytes, audio: bytes, offset: float) -> bytes:
    """`audio` under `video`'s picture from `offset` seconds; audio that does not decode is a 422."""
    try:
        facts = probe(audio)
    except ValueError:
        raise InputRejected("audio_url", "the file is not decodable audio") from None
    if not facts.has_audio:
        raise InputRejected("audio_url", "the file has no audio stream")
    return mux_audio(video, audio, start_offset=offset)


def animatediff(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    """The first `first_n_seconds` of the input, re-rendered at `fps` in the input's frame size."""
    fps = float(arguments["fps"])
    seconds = min(float(arguments["first_n_seconds"]), float(facts.duration))
    words = caption(arguments, "animatediff")
    spec = ClipSpec(
        int(facts.width or 512), int(facts.height or 512), fps, seconds, words, label="animatediff"
    )
    return render_clip(spec)


def upscale(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    scale = float(arguments["scale"])
    if scale <= 0:
        raise InputRejected("scale", "must be greater than 0")
    if max(int(facts.width or 0), int(facts.height or 0)) * scale > MAX_SIDE:
        raise InputRejected("scale", f"the upscaled video would be wider than {MAX_SIDE} pixels")
    return transform_clip(source, scale=scale)


MAX_PASSES = 4


def interpolate(source: bytes, facts: MediaFacts, arguments: Arguments, files: Files) -> bytes:
    """Each recursive pass doubles the frames (and the frame rate: the duration stays)."""
    passes = int(arguments["recursive_interpolation_passes"])
    if not 0 <= passes <= MAX_PASSES:
        raise InputRejected("recursive_interpolation_passes", f"must be between 0 and {MAX_PASSES}")
    return transform_clip(source, fps_factor=2**passes)


# ---- generation with conditioning (no single source video) ---------------------------------------


@dataclass(frozen=True)
class LtxMulticonditioning:
    """A new clip of `num_frames` at `frame_rate`; every conditioning file is fetched (and checked)."""

    async def produce(
        self, endpoint: str, arguments: Arguments, request_id: str, media: MediaStore
    ) -> dict[str, Any]:
        images = [
            _item_file(item, "images", index, "image_url", media)
            for index, item in _items(arguments, "images")
        ]
        videos = [
            _item_file(item, "videos", index, "video_url", media)
            for index, item in _items(arguments, "videos")
        ]

        def work() -> bytes:
            sizes = [image_size(data, label) for label, data in images]
            for label, data in videos:
                facts = video_facts(data, label)
                sizes.append((int(facts.width or 0), int(facts.height or 0)))
            aspect = ratio(arguments.get("aspect_ratio"))
            if aspect is None:
                width, height = sizes[0] if sizes else (16, 9)
                aspect = width / height
            out_w, out_h = sized(arguments["resolution"], aspect)
            fps = float(arguments["frame_rate"])
            frames = int(arguments["num_frames"])
            words = caption(arguments, "ltx multiconditioning")
            return render_clip(ClipSpec(out_w, out_h, fps, frames / fps, words, label="ltx", seed=frames))

        data = await asyncio.to_thread(work)
        return {"video": stored_video(media, data), **with_prompt_and_seed(arguments, request_id)}


def _items(arguments: Arguments, name: str) -> list[tuple[int, dict[str, Any]]]:
    value = arguments.get(name) or []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _item_file(item: dict[str, Any], name: str, index: int, key: str, media: MediaStore) -> tuple[str, bytes]:
    label = f"{name}.{index}.{key}"
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputRejected(label, "field required")
    return label, read(value, label, media)


# ---- the prompt generator ------------------------------------------------------------------------

_STYLE = {
    "Minimalist": "in a spare, minimalist frame",
    "Simple": "",
    "Detailed": "rendered in rich, precise detail",
    "Descriptive": "described through its textures, colours and light",
    "Dynamic": "full of dynamic, sweeping movement",
    "Cinematic": "shot with cinematic lighting and shallow depth of field",
    "Documentary": "observed in a natural, documentary style",
    "Animation": "as a stylised animation",
    "Action": "as a fast, high-energy action sequence",
    "Experimental": "in an experimental, abstract treatment",
}
_LONG_DETAIL = (
    "Light, texture and motion stay consistent from the first frame to the last, "
    "with natural detail in the background and a clear focal point."
)


@dataclass(frozen=True)
class PromptWriter:
    """A deterministic, plausible video prompt from the concept and the style and camera choices."""

    choices: tuple[tuple[str, str], ...] = field(
        default=(
            ("camera_style", "Captured with {}"),
            ("camera_direction", "Camera movement: {}"),
            ("pacing", "Pacing: {}"),
            ("special_effects", "Effects: {}"),
        )
    )

    async def produce(
        self, endpoint: str, arguments: Arguments, request_id: str, media: MediaStore
    ) -> dict[str, Any]:
        concept = " ".join(str(arguments.get("input_concept") or "").split()).rstrip(".")
        if not concept:
            raise InputRejected("input_concept", "field required")
        image = arguments.get("image_url")
        size = None
        if isinstance(image, str) and image.strip():
            data = read(image, "image_url", media)
            size = await asyncio.to_thread(image_size, data, "image_url")
        return {"prompt": self.write(concept, arguments, size)}

    def write(self, concept: str, arguments: Arguments, image: tuple[int, int] | None) -> str:
        style = _STYLE.get(str(arguments.get("style") or "Simple"), "")
        sentences = [f"{concept[0].upper()}{concept[1:]}{', ' + style if style else ''}."]
        for name, pattern in self.choices:
            value = str(arguments.get(name) or "None")
            if value != "None":
                sentences.append(pattern.format(value.lower()) + ".")
        custom = str(arguments.get("custom_elements") or "").strip().rstrip(".")
        if custom:
            sentences.append(f"{custom}.")
        if image is not None:
            sentences.append(f"Matching the look of the reference image ({image[0]}x{image[1]}).")
        length = str(arguments.get("prompt_length") or "Medium")
        if length == "Short":
            return " ".join(sentences[:2])
        if length == "Long":
            sentences.append(_LONG_DETAIL)
        return " ".join(sentences)


# ---- the table -----------------------------------------------------------------------------------

_WAN = "fal-ai/wan-vace-14b"

BEHAVIOURS: dict[str, Behaviour] = {
    "fal-ai/luma-dream-machine/ray-2/modify": SourceVideoEdit(
        restyle("ray-2 modify"), optional=("image_url",)
    ),
    "fal-ai/luma-dream-machine/ray-2/reframe": SourceVideoEdit(ray2_reframe, optional=("image_url",)),
    _WAN: SourceVideoEdit(
        wan_vace(None),
        optional=("mask_video_url", "mask_image_url", "ref_image_urls"),
        extras=with_prompt_and_seed,
    ),
    **{
        f"{_WAN}/{task}": SourceVideoEdit(
            wan_vace(task),
            optional=("mask_video_url", "ref_image_urls") if task == "inpainting" else (),
            extras=with_prompt_and_seed,
        )
        for task in ("depth", "pose", "inpainting", "outpainting", "reframe")
    },
    "fal-ai/ltx-video-13b-distilled/multiconditioning": LtxMulticonditioning(),
    "fal-ai/fast-animatediff/turbo/video-to-video": SourceVideoEdit(animatediff, extras=with_seed),
    "fal-ai/kling-video/v2.6/pro/video-to-video": SourceVideoEdit(restyle("kling video-to-video")),
    "fal-ai/kling-video/o1/video-to-video/edit": SourceVideoEdit(
        restyle("kling o1 edit"), optional=("image_urls",)
    ),
    "fal-ai/kling-video/v2.6/pro/motion-control": SourceVideoEdit(
        restyle("kling motion control"), required=("image_url",)
    ),
    "fal-ai/magi/extend-video": SourceVideoEdit(magi_extend, extras=with_seed),
    **{
        f"fal-ai/veo3.1/{tier}extend-video": SourceVideoEdit(seconds_extend("veo 3.1 extend"))
        for tier in ("", "fast/")
    },
    **{
        f"fal-ai/ltx-2-19b/{tier}extend-video{lora}": SourceVideoEdit(
            frames_extend, optional=("end_image_url",), extras=with_prompt_and_seed
        )
        for tier in ("", "distilled/")
        for lora in ("", "/lora")
    },
    **{
        f"fal-ai/kling-video/v3/{tier}/motion-control": SourceVideoEdit(
            restyle("kling 3 motion control"), required=("image_url",)
        )
        for tier in ("pro", "standard")
    },
    "fal-ai/pixverse/extend/fast": SourceVideoEdit(pixverse_extend),
    "fal-ai/pixverse/lipsync": SourceVideoEdit(lipsync, optional=("audio_url",)),
    "fal-ai/ffmpeg-api/merge-audio-video": SourceVideoEdit(merge_audio, required=("audio_url",)),
    "fal-ai/video-upscaler": SourceVideoEdit(upscale),
    "fal-ai/amt-interpolation": SourceVideoEdit(interpolate),
    "fal-ai/video-prompt-generator": PromptWriter(),
}
