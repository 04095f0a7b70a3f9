"""What fal's fields mean to a person, written once by fal's field name, for blocks made `FromSpec`.

The facts (values, defaults, ranges) are the entries'; these are the project's own words. A field
used with one meaning everywhere is described here by its name (`prompt`) or item path
(`loras[].scale`); a block whose field means something else passes its own `prose`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Prose:
    description: str
    title: str | None = None
    placeholder: str | None = None
    advanced: bool | None = None
    """None: the builder's rule (an input with a default is advanced)."""


_MAIN = False
"""`advanced=False`: shown in the builder without opening the advanced settings."""

PROSE: dict[str, Prose] = {
    # What to make.
    "prompt": Prose(
        "What the video should show (its action, camera, sound).",
        placeholder="A lighthouse at dusk, waves breaking, slow aerial orbit",
        advanced=_MAIN,
    ),
    "negative_prompt": Prose("What the video should avoid."),
    "multi_prompt": Prose("Shots, in order, each with its own prompt and length (instead of one prompt)."),
    "multi_prompt[].prompt": Prose("What this shot shows."),
    "multi_prompt[].duration": Prose("Length of this shot in seconds."),
    "shot_type": Prose("How several shots are laid out: as given, or chosen by the model."),
    "enable_prompt_expansion": Prose("Let a language model enrich the prompt first."),
    # Shape of the clip.
    "aspect_ratio": Prose("Shape of the video; `auto` lets the model (or the image) decide.", advanced=_MAIN),
    "resolution": Prose("Resolution of the video (by its short side).", advanced=_MAIN),
    "duration": Prose("Length of the video in seconds.", title="Duration (seconds)", advanced=_MAIN),
    "num_frames": Prose("Number of frames to make (the length is frames ÷ fps)."),
    "fps": Prose("Frames per second of the video."),
    "generate_audio": Prose("Make sound with the video.", advanced=_MAIN),
    "bitrate_mode": Prose("`high` asks for a larger, higher-quality encode."),
    "video_quality": Prose("Encoding quality of the file."),
    "video_output_type": Prose("Container and codec of the file."),
    "video_write_mode": Prose("Encoding speed against file size."),
    # Inputs that are files.
    "image_url": Prose("The image the video starts from.", title="Image", advanced=_MAIN),
    "start_image_url": Prose("The image the video starts from.", title="Start image", advanced=_MAIN),
    "end_image_url": Prose("The image the video ends on (optional).", title="End image"),
    "first_frame_url": Prose("The video's first frame.", title="First frame", advanced=_MAIN),
    "last_frame_url": Prose("The video's last frame.", title="Last frame", advanced=_MAIN),
    "image_urls": Prose(
        "Reference images (people, objects, style) the video uses.", title="Reference images"
    ),
    "video_urls": Prose("Reference videos (motion, camera) the video follows.", title="Reference videos"),
    "audio_urls": Prose("Reference audio (voice, music) the video uses.", title="Reference audio"),
    "video_url": Prose("The video to work from.", title="Video", advanced=_MAIN),
    "audio_url": Prose("The audio the video is made to.", title="Audio", advanced=_MAIN),
    # How strongly inputs steer.
    "image_strength": Prose("How closely the video follows the start image (1 = exactly)."),
    "end_image_strength": Prose("How closely the video follows the end image (1 = exactly)."),
    "audio_strength": Prose("How much the audio is kept as given (1 = unchanged)."),
    "video_strength": Prose("How much of the input video is kept (lower: more freedom)."),
    "preprocess_audio": Prose("Clean up the audio before it steers the video."),
    "match_audio_length": Prose("Make the video as long as the audio (else `num_frames` decides)."),
    "match_input_fps": Prose("Keep the input video's frame rate."),
    "num_context_frames": Prose("How many frames of the input video the continuation looks at."),
    "extend_direction": Prose("Continue after the end (`forward`) or before the start (`backward`)."),
    "interpolation_direction": Prose("Go from the start image to the end image, or the other way."),
    "character_orientation": Prose("Face the way the image does, or the way the video does.", advanced=_MAIN),
    "keep_original_sound": Prose("Keep the input video's sound."),
    "cfg_scale": Prose("How strictly the prompt is followed (0 to 1)."),
    # Sampling.
    "seed": Prose("Seed for repeatable results; empty for a random one.", placeholder="random"),
    "guidance_scale": Prose("How strictly the prompt is followed (higher: more literal)."),
    "num_inference_steps": Prose("Denoising steps (more: slower, finer)."),
    "acceleration": Prose("Faster generation at some cost in quality."),
    "use_multiscale": Prose("Make a small version first and use it to guide the full size."),
    "camera_lora": Prose("A camera move the model is trained to make."),
    "camera_lora_scale": Prose("How strongly the camera move is applied."),
    "loras": Prose("LoRA weights to apply to the model.", advanced=_MAIN),
    "loras[].path": Prose("URL or path of the LoRA weights (e.g. a Hugging Face repository)."),
    "loras[].scale": Prose("Multiplier applied to the LoRA's weights."),
    "loras[].weight_name": Prose("Weight file name, for a repository holding several."),
    # Safety and accounting.
    "enable_safety_checker": Prose("Check the result for unsafe content."),
    "safety_tolerance": Prose("How permissive the safety filter is (1: strictest)."),
    "auto_fix": Prose("Let fal adjust a prompt its filter refuses instead of failing."),
    "end_user_id": Prose("Your own id for the person this video is made for (fal passes it on)."),
}

LEFT_OUT: dict[str, str] = {
    "sync_mode": "the block returns fal's URL; sync mode would put the whole video inline in the result",
}
"""fal fields no block made `FromSpec` offers, with the reason."""

OUTPUT_PROSE: dict[str, tuple[Any, str]] = {
    "seed": (int, "The seed the model used; send it back to repeat the video."),
    "prompt": (str, "The prompt the model rendered (after any expansion)."),
    "width": (int, "Width of the video in pixels."),
    "height": (int, "Height of the video in pixels."),
    "fps": (float, "Frames per second of the video."),
    "duration": (float, "Length of the video in seconds."),
    "num_frames": (int, "Number of frames in the video."),
}
"""Values beside the video a result may hold (at its top level or in its `video`), with their type."""
