"""Video-to-video: restyle, reframe, depth/pose/in-/outpainting, conditioned generation.

Fields, values, defaults and limits are the endpoints' `fal_spec` entries (see `_spec_fields.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel

import fal_spec
from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import FalEditedVideoOutput
from ._failures import InputProblem
from ._files import MediaRule
from ._spec_fields import choices, fal_fields, field_facts, media_rules, spec_field

SAMPLE_VIDEO = "https://v3.fal.media/files/zebra/9aDde3Te2kuJYHdR0Kz8R_output.mp4"
SAMPLE_IMAGE = "https://fal.media/files/koala/Kv2821G03ggpKK2AiZX71_d5fa7bacf06049cfaeb9588f6003b6d5.jpg"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/lion/output.mp4",
    "content_type": "video/mp4",
    "file_size": 1024,
}
_FILE_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/lion/output.mp4"),
    ("content_type", "video/mp4"),
    ("file_size", 1024),
]


# ---- Luma Ray-2 ----------------------------------------------------------------------------------

RAY2_MODIFY = "fal-ai/luma-dream-machine/ray-2/modify"
RAY2_REFRAME = "fal-ai/luma-dream-machine/ray-2/reframe"

Ray2ModifyMode = Annotated[str, choices(RAY2_MODIFY, "mode")]
Ray2ReframeAspectRatio = Annotated[str, choices(RAY2_REFRAME, "aspect_ratio")]


class LumaRay2ModifyVideoBlock(FalBlockBase):
    """Restyle or change a video with Luma Ray-2, guided by an instruction and a first frame."""

    endpoint = RAY2_MODIFY
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(RAY2_MODIFY)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            RAY2_MODIFY, "video_url", title="Video", description="The video to modify."
        )
        prompt: str | None = spec_field(
            RAY2_MODIFY,
            "prompt",
            description="Instruction for modifying the video.",
            placeholder="Turn the street into a snowy night",
            advanced=False,
        )
        image_url: MediaFileType | None = spec_field(
            RAY2_MODIFY,
            "image_url",
            title="First frame image",
            description="Optional first frame for the modification.",
        )
        mode: Ray2ModifyMode = spec_field(
            RAY2_MODIFY,
            "mode",
            description="Amount of modification: adhere_1 is the least, reimagine_3 the most.",
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="441bd4a1-99d7-4ca4-acaa-1f48c5373fc3",
            description="Modify a video with Luma Ray-2: restyle it from an instruction, keeping its motion.",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "Make it a watercolour painting"},
            sample_result={"video": SAMPLE_FILE},
            test_output=[*_FILE_OUTPUTS, ("logs", TEST_LOGS)],
        )


class LumaRay2ReframeVideoBlock(FalBlockBase):
    """Change a video's aspect ratio with Luma Ray-2, painting in what the new frame shows."""

    endpoint = RAY2_REFRAME
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(RAY2_REFRAME)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            RAY2_REFRAME, "video_url", title="Video", description="The video to reframe."
        )
        aspect_ratio: Ray2ReframeAspectRatio = spec_field(
            RAY2_REFRAME, "aspect_ratio", description="Aspect ratio of the reframed video."
        )
        prompt: str | None = spec_field(RAY2_REFRAME, "prompt", description="Optional prompt for reframing.")
        image_url: MediaFileType | None = spec_field(
            RAY2_REFRAME,
            "image_url",
            title="First frame image",
            description="Optional first frame for reframing.",
        )
        grid_position_x: int | None = spec_field(
            RAY2_REFRAME, "grid_position_x", description="X position of the grid for reframing."
        )
        grid_position_y: int | None = spec_field(
            RAY2_REFRAME, "grid_position_y", description="Y position of the grid for reframing."
        )
        x_start: int | None = spec_field(
            RAY2_REFRAME, "x_start", description="Start X coordinate for reframing."
        )
        x_end: int | None = spec_field(RAY2_REFRAME, "x_end", description="End X coordinate for reframing.")
        y_start: int | None = spec_field(
            RAY2_REFRAME, "y_start", description="Start Y coordinate for reframing."
        )
        y_end: int | None = spec_field(RAY2_REFRAME, "y_end", description="End Y coordinate for reframing.")

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="015319d0-1893-4d6a-b81c-dc4476a420ee",
            description="Reframe a video to another aspect ratio with Luma Ray-2, filling in the new areas.",
            test_input={"video_url": SAMPLE_VIDEO, "aspect_ratio": "9:16"},
            sample_result={"video": SAMPLE_FILE},
            test_output=[*_FILE_OUTPUTS, ("logs", TEST_LOGS)],
        )

    def check_input(self, input_data: Any) -> None:
        for start, end in (("x_start", "x_end"), ("y_start", "y_end")):
            low, high = getattr(input_data, start), getattr(input_data, end)
            if low is not None and high is not None and low >= high:
                raise InputProblem(end, f"must be greater than {start} ({low}), got {high}")


# ---- Wan VACE 14B --------------------------------------------------------------------------------

WAN = "fal-ai/wan-vace-14b"
"""fal's main Wan VACE endpoint; its `task` names the tasks, each of which has its own endpoint."""
WanVaceTask = Annotated[str, choices(WAN, "task")]
WAN_TASKS: dict[str, str] = {task: f"{WAN}/{task}" for task in field_facts(WAN, "task").values or ()}
"""Task → the endpoint the block calls for it (each with its own inputs)."""
WAN_ENDPOINTS = tuple(WAN_TASKS.values())
_WAN_FIELDS = {task: frozenset(fal_fields(endpoint)) for task, endpoint in WAN_TASKS.items()}
WAN_TASK_FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(task for task, fields in _WAN_FIELDS.items() if name in fields)
    for name in sorted(frozenset().union(*_WAN_FIELDS.values()))
    if not all(name in fields for fields in _WAN_FIELDS.values())
}
"""Inputs only some tasks take, by field (from each task's entry)."""

_EXPAND_SIDES = ("expand_left", "expand_right", "expand_top", "expand_bottom")
_TASK_DEFAULT = " Unset: each task's own default."


def _tasks(tasks: frozenset[str]) -> str:
    """`inpainting`, `depth and pose`, `depth, inpainting and pose`."""
    names = sorted(tasks)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


_ONLY = {name: f"{_tasks(tasks)} only: " for name, tasks in WAN_TASK_FIELDS.items()}
"""A description prefix saying which tasks take a field."""

WanResolution = Annotated[str, choices(WAN_ENDPOINTS, "resolution")]
WanAspectRatio = Annotated[str, choices(WAN_ENDPOINTS, "aspect_ratio")]
WanAcceleration = Annotated[str, choices(WAN_ENDPOINTS, "acceleration")]
WanInterpolator = Annotated[str, choices(WAN_ENDPOINTS, "interpolator_model")]
WanSampler = Annotated[str, choices(WAN_ENDPOINTS, "sampler")]
WanVideoQuality = Annotated[str, choices(WAN_ENDPOINTS, "video_quality")]
WanWriteMode = Annotated[str, choices(WAN_ENDPOINTS, "video_write_mode")]
WanTransparency = Annotated[str, choices(WAN_ENDPOINTS, "transparency_mode")]


def _wan(name: str, description: str, **prose: Any) -> Any:
    """A Wan field across the task endpoints, its description saying which tasks take it."""
    return spec_field(WAN_ENDPOINTS, name, description=_ONLY.get(name, "") + description, **prose)


class WanVaceVideoBlock(FalBlockBase):
    """Wan VACE 14B: one block, five tasks; each task goes to its own fal endpoint with its own inputs."""

    endpoint = WAN
    block_only_fields = frozenset({"task"})
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(WAN_ENDPOINTS)
    fal_fields_left_out = {
        "sync_mode": "it returns the video inside the result as a data URI; the block outputs fal's URL",
        "return_frames_zip": "the frames as a zip beside the video: an output this block does not have",
    }

    class Input(FalJobInput):
        task: WanVaceTask = spec_field(
            WAN,
            "task",
            description="depth / pose: follow the source's depth or pose; inpainting: regenerate the masked "
            "area; outpainting: extend the frame; reframe: change the aspect ratio.",
            advanced=False,
        )
        video_url: MediaFileType = _wan("video_url", "The source video.", title="Video")
        prompt: str | None = _wan(
            "prompt",
            "What the video should show (for pose: the pose and action). Required except for reframe.",
            placeholder="A dancer in a red dress on a rooftop at sunset",
            advanced=False,
        )
        mask_video_url: MediaFileType | None = _wan(
            "mask_video_url", "white where the video is regenerated.", title="Mask video", advanced=False
        )
        mask_image_url: MediaFileType | None = _wan(
            "mask_image_url", "one mask image for every frame, instead of a mask video.", title="Mask image"
        )
        ref_image_urls: list[MediaFileType] | None = _wan(
            "ref_image_urls", "reference images to guide the generation.", title="Reference images"
        )
        first_frame_url: MediaFileType | None = _wan(
            "first_frame_url", "An image the video starts with.", title="First frame"
        )
        last_frame_url: MediaFileType | None = _wan(
            "last_frame_url", "An image the video ends with.", title="Last frame"
        )
        negative_prompt: str = _wan("negative_prompt", "What to avoid.")
        match_input_num_frames: bool | None = _wan(
            "match_input_num_frames", "Output as many frames as the input." + _TASK_DEFAULT
        )
        num_frames: int = _wan("num_frames", "Frames to generate; ignored when matching the input.")
        match_input_frames_per_second: bool | None = _wan(
            "match_input_frames_per_second", "Output at the input's frame rate." + _TASK_DEFAULT
        )
        frames_per_second: int = _wan(
            "frames_per_second", "Output frame rate; ignored when matching the input."
        )
        seed: int | None = _wan("seed", "Random seed; empty for a random one.")
        resolution: WanResolution = _wan("resolution", "Output resolution; auto follows the input.")
        aspect_ratio: WanAspectRatio = _wan("aspect_ratio", "Output aspect ratio.")
        num_inference_steps: int = _wan("num_inference_steps", "Sampling steps.")
        guidance_scale: float = _wan("guidance_scale", "Classifier-free guidance scale.")
        shift: float = _wan("shift", "Noise schedule shift.")
        sampler: WanSampler = _wan("sampler", "The sampler.")
        acceleration: WanAcceleration = _wan(
            "acceleration", "Faster generation at a small cost in quality ('none' for full quality)."
        )
        enable_safety_checker: bool = _wan("enable_safety_checker", "Run fal's safety checker.")
        enable_prompt_expansion: bool = _wan("enable_prompt_expansion", "Let fal expand the prompt.")
        preprocess: bool = _wan("preprocess", "preprocess the input video.")
        num_interpolated_frames: int = _wan(
            "num_interpolated_frames", "Frames interpolated between each pair of generated frames."
        )
        temporal_downsample_factor: int = _wan(
            "temporal_downsample_factor", "Frames to skip in the input (0 = none); interpolated back."
        )
        interpolator_model: WanInterpolator = _wan("interpolator_model", "Frame interpolation model.")
        enable_auto_downsample: bool = _wan(
            "enable_auto_downsample", "Lower the input's frame rate automatically for long inputs."
        )
        auto_downsample_min_fps: float = _wan(
            "auto_downsample_min_fps", "The lowest frame rate automatic downsampling goes to."
        )
        video_quality: WanVideoQuality = _wan("video_quality", "Quality of the output video's encoding.")
        video_write_mode: WanWriteMode = _wan(
            "video_write_mode", "Speed of the output video's encoding against its size."
        )
        transparency_mode: WanTransparency = _wan(
            "transparency_mode", "How transparent parts of the input are filled."
        )
        expand_left: bool = _wan("expand_left", "expand to the left.")
        expand_right: bool = _wan("expand_right", "expand to the right.")
        expand_top: bool = _wan("expand_top", "expand upwards.")
        expand_bottom: bool = _wan("expand_bottom", "expand downwards.")
        expand_ratio: float = _wan("expand_ratio", "0.25 adds 25% on each chosen side.")
        zoom_factor: float = _wan("zoom_factor", "zoom in relative to the canvas (0 = no zoom).")
        trim_borders: bool = _wan("trim_borders", "trim black borders from the input first.")

    class Output(FalEditedVideoOutput):
        prompt: str = SchemaField(default="", description="The prompt fal used.")
        seed: int = SchemaField(default=0, description="The seed fal used.")

    def __init__(self) -> None:
        super().__init__(
            id="03d98cd8-9b70-4be5-a848-4e8fe8f79b02",
            description="Wan VACE 14B: depth- or pose-guided video, inpainting, outpainting or reframing.",
            test_input={"task": "depth", "video_url": SAMPLE_VIDEO, "prompt": "A knight riding through fog"},
            sample_result={"video": SAMPLE_FILE, "prompt": "A knight riding through fog", "seed": 7},
            test_output=[
                *_FILE_OUTPUTS,
                ("prompt", "A knight riding through fog"),
                ("seed", 7),
                ("logs", TEST_LOGS),
            ],
        )

    def endpoint_for(self, input_data: Any) -> str:
        return WAN_TASKS[input_data.task]

    def doc_endpoints(self) -> list[str]:
        return list(WAN_ENDPOINTS)

    def media_rules(self, input_data: Any) -> dict[str, MediaRule]:
        return media_rules(WAN_TASKS[input_data.task])

    def input_conditions(self) -> list[str]:
        lines = [
            f"task {task} needs {', '.join(sorted(fal_spec.entry(endpoint).required))}"
            for task, endpoint in WAN_TASKS.items()
        ]
        lines += [f"{name}: {_tasks(tasks)} only" for name, tasks in WAN_TASK_FIELDS.items()]
        lines.append(f"task outpainting needs at least one of {', '.join(_EXPAND_SIDES)}")
        return lines

    def check_input(self, input_data: Any) -> None:
        task = input_data.task
        for name in sorted(fal_spec.entry(WAN_TASKS[task]).required):
            value = getattr(input_data, name, None)
            if value is None or not str(value).strip():
                raise InputProblem(name, f"the {task} task needs it")
        fields = type(input_data).model_fields
        for name, tasks in WAN_TASK_FIELDS.items():
            value = getattr(input_data, name, None)
            if task not in tasks and value != fields[name].get_default(
                call_default_factory=True, validated_data={}
            ):
                takes = "task takes" if len(tasks) == 1 else "tasks take"
                raise InputProblem(name, f"only the {_tasks(tasks)} {takes} it, not {task}")
        if task == "outpainting" and not any(getattr(input_data, side) for side in _EXPAND_SIDES):
            raise InputProblem("expand_left", "the outpainting task needs at least one side to expand")

    def fal_arguments(self, input_data: Any) -> dict[str, Any]:
        takes = _WAN_FIELDS[input_data.task]
        return {name: value for name, value in super().fal_arguments(input_data).items() if name in takes}


# ---- LTX-Video 13B distilled multiconditioning ---------------------------------------------------

LTX = "fal-ai/ltx-video-13b-distilled/multiconditioning"

LtxResolution = Annotated[str, choices(LTX, "resolution")]
LtxAspectRatio = Annotated[str, choices(LTX, "aspect_ratio")]
LtxConditioningType = Annotated[str, choices(LTX, "videos[].conditioning_type")]


class LtxImageCondition(BaseModel):
    """An image the video passes through at a given frame."""

    image_url: MediaFileType = spec_field(
        LTX, "images[].image_url", title="Image", description="The conditioning image."
    )
    start_frame_num: int = spec_field(
        LTX, "images[].start_frame_num", description="Frame where the image applies (0 = first)."
    )
    strength: float = spec_field(LTX, "images[].strength", description="How strongly the image is followed.")


class LtxVideoCondition(BaseModel):
    """A video whose frames condition the output from a given frame."""

    video_url: MediaFileType = spec_field(
        LTX, "videos[].video_url", title="Video", description="The conditioning video."
    )
    start_frame_num: int = spec_field(
        LTX, "videos[].start_frame_num", description="Frame where the video applies (0 = first)."
    )
    strength: float = spec_field(LTX, "videos[].strength", description="How strongly the video is followed.")
    conditioning_type: LtxConditioningType | None = spec_field(
        LTX, "videos[].conditioning_type", description="What of the video conditions the output."
    )
    preprocess: bool = spec_field(
        LTX, "videos[].preprocess", description="Turn the video into its depth, pose or edges first."
    )
    target_fps: int = spec_field(
        LTX, "videos[].target_fps", description="Frame rate to resample the video to."
    )
    resample_fps: bool = spec_field(
        LTX, "videos[].resample_fps", description="Resample the video to target_fps."
    )
    reverse_video: bool = spec_field(LTX, "videos[].reverse_video", description="Play the video backwards.")
    limit_num_frames: bool = spec_field(
        LTX, "videos[].limit_num_frames", description="Use at most max_num_frames of the video."
    )
    max_num_frames: int = spec_field(
        LTX, "videos[].max_num_frames", description="The most frames used when limiting."
    )


class LoraWeight(BaseModel):
    """LoRA weights applied to the model."""

    path: str = spec_field(
        LTX, "loras[].path", description="URL or path to the LoRA weights (e.g. a Hugging Face repository)."
    )
    weight_name: str | None = spec_field(
        LTX,
        "loras[].weight_name",
        description="Weight file name; only for a Hugging Face repository with several weights.",
    )
    scale: float = spec_field(LTX, "loras[].scale", description="Multiplier applied to the LoRA weights.")


class LtxVideoMulticonditioningBlock(FalBlockBase):
    """LTX-Video 13B distilled: a prompt plus any number of images and videos pinned to frames."""

    endpoint = LTX
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(LTX)

    class Input(FalJobInput):
        prompt: str = spec_field(LTX, "prompt", description="What the video should show.")
        images: list[LtxImageCondition] = spec_field(
            LTX, "images", description="Images to pass through, each at its frame.", advanced=False
        )
        videos: list[LtxVideoCondition] = spec_field(
            LTX, "videos", description="Videos to condition on, each from its frame.", advanced=False
        )
        negative_prompt: str = spec_field(LTX, "negative_prompt", description="What to avoid.")
        loras: list[LoraWeight] = spec_field(LTX, "loras", description="LoRA weights to apply.")
        resolution: LtxResolution = spec_field(LTX, "resolution", description="Output resolution.")
        aspect_ratio: LtxAspectRatio = spec_field(LTX, "aspect_ratio", description="Output aspect ratio.")
        seed: int | None = spec_field(LTX, "seed", description="Random seed; empty for a random one.")
        num_frames: int = spec_field(LTX, "num_frames", description="Frames in the video.")
        frame_rate: int = spec_field(LTX, "frame_rate", description="Output frame rate.")
        first_pass_num_inference_steps: int = spec_field(
            LTX, "first_pass_num_inference_steps", description="Steps in the first pass."
        )
        second_pass_num_inference_steps: int = spec_field(
            LTX, "second_pass_num_inference_steps", description="Steps in the second pass."
        )
        second_pass_skip_initial_steps: int = spec_field(
            LTX,
            "second_pass_skip_initial_steps",
            description="Initial second-pass steps skipped (focus on details).",
        )
        enable_detail_pass: bool = spec_field(
            LTX, "enable_detail_pass", description="Run an extra pass that adds detail (slower)."
        )
        temporal_adain_factor: float = spec_field(
            LTX, "temporal_adain_factor", description="How strongly colours are kept steady across frames."
        )
        tone_map_compression_ratio: float = spec_field(
            LTX, "tone_map_compression_ratio", description="Tone-map compression of the output (0 = none)."
        )
        expand_prompt: bool = spec_field(
            LTX, "expand_prompt", description="Expand the prompt with a language model."
        )
        reverse_video: bool = spec_field(LTX, "reverse_video", description="Reverse the output video.")
        enable_safety_checker: bool = spec_field(
            LTX, "enable_safety_checker", description="Run fal's safety checker."
        )
        constant_rate_factor: int = spec_field(
            LTX,
            "constant_rate_factor",
            description="CRF the input media is compressed with (closer to training data).",
        )

    class Output(FalEditedVideoOutput):
        prompt: str = SchemaField(default="", description="The prompt fal used.")
        seed: int = SchemaField(default=0, description="The seed fal used.")

    def __init__(self) -> None:
        super().__init__(
            id="b6a67f15-435f-429f-8b7e-969c5a86b51c",
            description="Generate a video from a prompt and images/videos pinned to frames (LTX-Video 13B).",
            test_input={
                "prompt": "A portrait that comes alive",
                "images": [{"image_url": SAMPLE_IMAGE, "start_frame_num": 0, "strength": 1.0}],
            },
            sample_result={"video": SAMPLE_FILE, "prompt": "A portrait that comes alive", "seed": 3},
            test_output=[
                *_FILE_OUTPUTS,
                ("prompt", "A portrait that comes alive"),
                ("seed", 3),
                ("logs", TEST_LOGS),
            ],
        )

    def check_input(self, input_data: Any) -> None:
        for kind in ("images", "videos"):
            for index, item in enumerate(getattr(input_data, kind)):
                if item.start_frame_num >= input_data.num_frames:
                    raise InputProblem(
                        f"{kind}[{index}].start_frame_num",
                        f"{item.start_frame_num} is past the last frame ({input_data.num_frames - 1})",
                    )
        skip, steps = input_data.second_pass_skip_initial_steps, input_data.second_pass_num_inference_steps
        if skip >= steps:
            raise InputProblem(
                "second_pass_skip_initial_steps",
                f"must be less than second_pass_num_inference_steps ({steps})",
            )


# ---- AnimateDiff turbo ---------------------------------------------------------------------------

ANIMATEDIFF = "fal-ai/fast-animatediff/turbo/video-to-video"


class FastAnimateDiffTurboVideoToVideoBlock(FalBlockBase):
    """Re-animate the first seconds of a video in a new style with AnimateDiff turbo."""

    endpoint = ANIMATEDIFF
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(ANIMATEDIFF)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            ANIMATEDIFF, "video_url", title="Video", description="The video to re-animate (GIF or video)."
        )
        prompt: str = spec_field(
            ANIMATEDIFF, "prompt", description="What the result should look like; be descriptive."
        )
        first_n_seconds: int = spec_field(
            ANIMATEDIFF, "first_n_seconds", description="Only the first N seconds are animated."
        )
        negative_prompt: str = spec_field(ANIMATEDIFF, "negative_prompt", description="What to avoid.")
        num_inference_steps: int = spec_field(
            ANIMATEDIFF, "num_inference_steps", description="Sampling steps."
        )
        strength: float = spec_field(
            ANIMATEDIFF, "strength", description="How much of the input video stays in the output."
        )
        guidance_scale: float = spec_field(
            ANIMATEDIFF, "guidance_scale", description="How closely to follow the prompt."
        )
        seed: int | None = spec_field(ANIMATEDIFF, "seed", description="Random seed; empty for a random one.")
        fps: int = spec_field(ANIMATEDIFF, "fps", description="Frames per second taken from the video.")

    class Output(FalEditedVideoOutput):
        seed: int = SchemaField(default=0, description="The seed fal used.")

    def __init__(self) -> None:
        super().__init__(
            id="61281679-b067-42b4-9f68-93dfbf609b73",
            description="Re-animate a video in a new style with AnimateDiff turbo (first seconds only).",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "An anime city street, fireworks"},
            sample_result={"video": SAMPLE_FILE, "seed": 11},
            test_output=[*_FILE_OUTPUTS, ("seed", 11), ("logs", TEST_LOGS)],
        )


# ---- Kling O1 video-to-video edit ----------------------------------------------------------------

KLING_O1_EDIT = "fal-ai/kling-video/o1/video-to-video/edit"


class KlingO1VideoEditBlock(FalBlockBase):
    """Kling O1 video-to-video edit: restyle or change a video by a prompt, with reference images.

    This block was the Kling 2.6 Pro video-to-video block, whose endpoint
    (`fal-ai/kling-video/v2.6/pro/video-to-video`) fal has never published; it keeps that block's id,
    so graphs built on it keep working, and calls fal's real Kling video-to-video edit endpoint.
    """

    endpoint = KLING_O1_EDIT
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(KLING_O1_EDIT)
    fal_fields_left_out = {
        "elements": "characters or objects given as a frontal image plus reference images each: a list "
        "of files inside a list, which the block's file checks do not cover (the Fal Any Endpoint block "
        "sends it as URLs)"
    }

    class Input(FalJobInput):
        prompt: str = spec_field(
            KLING_O1_EDIT,
            "prompt",
            description="How to change the video; refer to the reference images as @Image1, @Image2, ...",
            placeholder="Make it claymation, keep the camera move",
        )
        video_url: MediaFileType = spec_field(
            KLING_O1_EDIT, "video_url", title="Video", description="The video to change (mp4 or mov)."
        )
        keep_audio: bool = spec_field(
            KLING_O1_EDIT, "keep_audio", description="Keep the source video's audio."
        )
        image_urls: list[MediaFileType] | None = spec_field(
            KLING_O1_EDIT,
            "image_urls",
            title="Reference images",
            description="Images for style or appearance, referred to in the prompt as @Image1, @Image2, ...",
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="c37851b2-a076-485c-b3bc-5ad6879c15b4",
            description="Restyle or change a video from a prompt and reference images with Kling O1 "
            "video-to-video edit on fal.ai.",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "Make it claymation"},
            sample_result={"video": SAMPLE_FILE},
            test_output=[*_FILE_OUTPUTS, ("logs", TEST_LOGS)],
        )
