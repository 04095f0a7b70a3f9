"""Video-to-video: restyle, reframe, depth/pose/in-/outpainting, conditioned generation."""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

from pydantic import BaseModel

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import IMAGE, VIDEO, FalEditedVideoOutput
from ._failures import InputProblem
from ._files import MB, MediaRule

SAMPLE_VIDEO = "https://v3.fal.media/files/zebra/9aDde3Te2kuJYHdR0Kz8R_output.mp4"
SAMPLE_IMAGE = "https://fal.media/files/koala/Kv2821G03ggpKK2AiZX71_d5fa7bacf06049cfaeb9588f6003b6d5.jpg"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/lion/output.mp4",
    "content_type": "video/mp4",
    "file_size": 1024,
}


# ---- Luma Ray-2 ----------------------------------------------------------------------------------


class Ray2ModifyMode(str, Enum):
    """How far Ray-2 may move away from the source: adhere_1 least, reimagine_3 most."""

    ADHERE_1 = "adhere_1"
    ADHERE_2 = "adhere_2"
    ADHERE_3 = "adhere_3"
    FLEX_1 = "flex_1"
    FLEX_2 = "flex_2"
    FLEX_3 = "flex_3"
    REIMAGINE_1 = "reimagine_1"
    REIMAGINE_2 = "reimagine_2"
    REIMAGINE_3 = "reimagine_3"


class LumaRay2ModifyVideoBlock(FalBlockBase):
    """Restyle or change a video with Luma Ray-2, guided by an instruction and a first frame."""

    endpoint = "fal-ai/luma-dream-machine/ray-2/modify"
    schema_source = (
        "seed 004 §1 (fal API page for ray-2/modify); required markers lost, video_url treated as required"
    )
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO, "image_url": IMAGE}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(title="Video", description="The video to modify.")
        prompt: str | None = SchemaField(
            default=None,
            description="Instruction for modifying the video.",
            placeholder="Turn the street into a snowy night",
            advanced=False,
        )
        image_url: MediaFileType | None = SchemaField(
            default=None, title="First frame image", description="Optional first frame for the modification."
        )
        mode: Ray2ModifyMode = SchemaField(
            default=Ray2ModifyMode.FLEX_1,
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
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/lion/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 1024),
                ("logs", TEST_LOGS),
            ],
        )


class Ray2AspectRatio(str, Enum):
    SQUARE = "1:1"
    LANDSCAPE_16_9 = "16:9"
    PORTRAIT_9_16 = "9:16"
    LANDSCAPE_4_3 = "4:3"
    PORTRAIT_3_4 = "3:4"
    CINEMA_21_9 = "21:9"
    PORTRAIT_9_21 = "9:21"


class LumaRay2ReframeVideoBlock(FalBlockBase):
    """Change a video's aspect ratio with Luma Ray-2, painting in what the new frame shows."""

    endpoint = "fal-ai/luma-dream-machine/ray-2/reframe"
    schema_source = (
        "seed 004 §1 `ReframeVideoRequest` (fields, enum); endpoint id and required video_url + aspect_ratio "
        "from a public copy of fal's OpenAPI page for ray-2/reframe (not in the seeds)"
    )
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO, "image_url": IMAGE}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(title="Video", description="The video to reframe.")
        aspect_ratio: Ray2AspectRatio = SchemaField(description="Aspect ratio of the reframed video.")
        prompt: str | None = SchemaField(default=None, description="Optional prompt for reframing.")
        image_url: MediaFileType | None = SchemaField(
            default=None, title="First frame image", description="Optional first frame for reframing."
        )
        grid_position_x: int | None = SchemaField(
            default=None, description="X position of the grid for reframing."
        )
        grid_position_y: int | None = SchemaField(
            default=None, description="Y position of the grid for reframing."
        )
        x_start: int | None = SchemaField(default=None, description="Start X coordinate for reframing.")
        x_end: int | None = SchemaField(default=None, description="End X coordinate for reframing.")
        y_start: int | None = SchemaField(default=None, description="Start Y coordinate for reframing.")
        y_end: int | None = SchemaField(default=None, description="End Y coordinate for reframing.")

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="015319d0-1893-4d6a-b81c-dc4476a420ee",
            description="Reframe a video to another aspect ratio with Luma Ray-2, filling in the new areas.",
            test_input={"video_url": SAMPLE_VIDEO, "aspect_ratio": "9:16"},
            sample_result={"video": SAMPLE_FILE},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/lion/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 1024),
                ("logs", TEST_LOGS),
            ],
        )

    def check_input(self, input_data: Any) -> None:
        for start, end in (("x_start", "x_end"), ("y_start", "y_end")):
            low, high = getattr(input_data, start), getattr(input_data, end)
            if low is not None and high is not None and low >= high:
                raise InputProblem(end, f"must be greater than {start} ({low}), got {high}")


# ---- Wan VACE 14B --------------------------------------------------------------------------------

WAN_NEGATIVE_PROMPT = (
    "letterboxing, borders, black bars, bright colors, overexposed, static, blurred details, subtitles, "
    "style, artwork, painting, picture, still, overall gray, worst quality, low quality, JPEG compression "
    "residue, ugly, incomplete, extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured, "
    "malformed limbs, fused fingers, still picture, cluttered background, three legs, many people in the "
    "background, walking backwards"
)


class WanVaceTask(str, Enum):
    DEPTH = "depth"
    POSE = "pose"
    INPAINTING = "inpainting"
    OUTPAINTING = "outpainting"
    REFRAME = "reframe"


class WanResolution(str, Enum):
    P480 = "480p"
    P580 = "580p"
    P720 = "720p"


class WanAspectRatio(str, Enum):
    AUTO = "auto"
    LANDSCAPE = "16:9"
    SQUARE = "1:1"
    PORTRAIT = "9:16"


class WanAcceleration(str, Enum):
    NONE = "none"
    REGULAR = "regular"


class WanInterpolator(str, Enum):
    RIFE = "rife"
    FILM = "film"


WAN_TASK_FIELDS: dict[str, frozenset[str]] = {
    "preprocess": frozenset({"depth", "pose"}),
    "mask_video_url": frozenset({"inpainting"}),
    "ref_image_urls": frozenset({"inpainting"}),
    "expand_left": frozenset({"outpainting"}),
    "expand_right": frozenset({"outpainting"}),
    "expand_top": frozenset({"outpainting"}),
    "expand_bottom": frozenset({"outpainting"}),
    "expand_ratio": frozenset({"outpainting"}),
    "zoom_factor": frozenset({"reframe"}),
    "temporal_downsample_factor": frozenset({"reframe"}),
    "interpolator_model": frozenset({"reframe"}),
}
"""Inputs only some tasks take (each task's own request type in seed 004), by field."""

WAN_REQUIRED: dict[str, tuple[str, ...]] = {
    "depth": ("video_url", "prompt"),
    "pose": ("video_url", "prompt"),
    "inpainting": ("video_url", "mask_video_url", "prompt"),
    "outpainting": ("video_url", "prompt"),
    "reframe": ("video_url",),
}
"""What each task cannot run without (seed 004: "Required for depth task", "Optional for reframing")."""

_WHAT = {"video_url": "a source video", "mask_video_url": "a mask video", "prompt": "a prompt"}
_EXPAND_SIDES = ("expand_left", "expand_right", "expand_top", "expand_bottom")


class WanVaceVideoBlock(FalBlockBase):
    """Wan VACE 14B: one block, five tasks; each task goes to its own fal endpoint with its own inputs."""

    endpoint = "fal-ai/wan-vace-14b"
    schema_source = (
        "seed 004 §2: the five task request types (WanVACEDepth/Pose/Inpainting/Outpainting/"
        "ReframeRequest); task endpoint ids `fal-ai/wan-vace-14b/<task>` from fal-js's generated "
        "endpoint map (not in the seeds)"
    )
    block_only_fields = frozenset({"task"})
    media_inputs: ClassVar[dict[str, MediaRule]] = {
        "video_url": VIDEO,
        "mask_video_url": VIDEO,
        "ref_image_urls[]": IMAGE,
    }

    class Input(FalJobInput):
        task: WanVaceTask = SchemaField(
            default=WanVaceTask.DEPTH,
            description="depth / pose: follow the source's depth or pose; inpainting: regenerate the masked "
            "area; outpainting: extend the frame; reframe: change the aspect ratio.",
            advanced=False,
        )
        video_url: MediaFileType | None = SchemaField(
            default=None,
            title="Video",
            description="The source video (every task needs one).",
            advanced=False,
        )
        prompt: str = SchemaField(
            default="",
            description="What the video should show (for pose: the pose and action). Reframe: optional.",
            placeholder="A dancer in a red dress on a rooftop at sunset",
            advanced=False,
        )
        mask_video_url: MediaFileType | None = SchemaField(
            default=None,
            title="Mask video",
            description="Inpainting only: white where the video is regenerated.",
            advanced=False,
        )
        negative_prompt: str = SchemaField(default=WAN_NEGATIVE_PROMPT, description="What to avoid.")
        match_input_num_frames: bool | None = SchemaField(
            default=None,
            description="Output as many frames as the input. Unset: fal's default (reframe on, others off).",
        )
        num_frames: int = SchemaField(default=81, ge=81, le=241, description="Frames to generate (81–241).")
        match_input_frames_per_second: bool | None = SchemaField(
            default=None,
            description="Output at the input's frame rate. Unset: fal's default (reframe on, others off).",
        )
        frames_per_second: int = SchemaField(
            default=16, ge=5, le=30, description="Output frame rate (5–30); ignored when matching the input."
        )
        seed: int | None = SchemaField(default=None, description="Random seed; unset for a random one.")
        resolution: WanResolution = SchemaField(default=WanResolution.P720, description="Output resolution.")
        aspect_ratio: WanAspectRatio = SchemaField(
            default=WanAspectRatio.AUTO, description="Output aspect ratio."
        )
        num_inference_steps: int = SchemaField(default=30, ge=1, description="Sampling steps.")
        guidance_scale: float = SchemaField(default=5.0, description="Classifier-free guidance scale.")
        enable_safety_checker: bool = SchemaField(default=True, description="Run fal's safety checker.")
        enable_prompt_expansion: bool = SchemaField(default=False, description="Let fal expand the prompt.")
        acceleration: WanAcceleration | None = SchemaField(
            default=None,
            description="'regular' is much faster and changes the output slightly. Unset: fal's.",
        )
        preprocess: bool = SchemaField(
            default=False, description="Depth and pose only: preprocess the input video."
        )
        ref_image_urls: list[MediaFileType] = SchemaField(
            default_factory=list,
            title="Reference images",
            description="Inpainting only: reference images (http(s) URLs, or data URIs up to 256 KB).",
        )
        expand_left: bool = SchemaField(default=False, description="Outpainting only: expand to the left.")
        expand_right: bool = SchemaField(default=False, description="Outpainting only: expand to the right.")
        expand_top: bool = SchemaField(default=False, description="Outpainting only: expand upwards.")
        expand_bottom: bool = SchemaField(default=False, description="Outpainting only: expand downwards.")
        expand_ratio: float = SchemaField(
            default=0.25, ge=0.0, le=1.0, description="Outpainting only: 0.25 adds 25% on each chosen side."
        )
        zoom_factor: float | None = SchemaField(
            default=None, ge=0.0, description="Reframe only: zoom in relative to the canvas (0 = no zoom)."
        )
        temporal_downsample_factor: int | None = SchemaField(
            default=None, ge=0, description="Reframe only: frames to skip (0 = none); interpolated back."
        )
        interpolator_model: WanInterpolator = SchemaField(
            default=WanInterpolator.FILM, description="Reframe only: frame interpolation model."
        )

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
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/lion/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 1024),
                ("prompt", "A knight riding through fog"),
                ("seed", 7),
                ("logs", TEST_LOGS),
            ],
        )

    def endpoint_for(self, input_data: Any) -> str:
        return f"{self.endpoint}/{WanVaceTask(input_data.task).value}"

    def doc_endpoints(self) -> list[str]:
        return [f"{self.endpoint}/{task.value}" for task in WanVaceTask]

    def check_input(self, input_data: Any) -> None:
        task = WanVaceTask(input_data.task).value
        for name in WAN_REQUIRED[task]:
            value = getattr(input_data, name)
            if value is None or not str(value).strip():
                raise InputProblem(name, f"the {task} task needs {_WHAT[name]}")
        fields = type(input_data).model_fields
        for name, tasks in WAN_TASK_FIELDS.items():
            value = getattr(input_data, name)
            if task not in tasks and value != fields[name].get_default(call_default_factory=True):
                only = " and ".join(sorted(tasks))
                raise InputProblem(name, f"only the {only} task takes it, not {task}")
        if task == "outpainting" and not any(getattr(input_data, side) for side in _EXPAND_SIDES):
            raise InputProblem("expand_left", "the outpainting task needs at least one side to expand")

    def fal_arguments(self, input_data: Any) -> dict[str, Any]:
        task = WanVaceTask(input_data.task).value
        arguments = super().fal_arguments(input_data)
        for name, tasks in WAN_TASK_FIELDS.items():
            if task not in tasks:
                arguments.pop(name, None)
        if not arguments.get("ref_image_urls"):
            arguments.pop("ref_image_urls", None)
        return arguments


# ---- LTX-Video 13B distilled multiconditioning ---------------------------------------------------


class LtxImageCondition(BaseModel):
    """An image the video passes through at a given frame."""

    image_url: MediaFileType = SchemaField(title="Image", description="The conditioning image.")
    start_frame_num: int = SchemaField(
        default=0, ge=0, description="Frame where the image applies (0 = first)."
    )
    strength: float = SchemaField(
        default=1.0, ge=0.0, le=1.0, description="How strongly the image is followed."
    )


class LtxVideoCondition(BaseModel):
    """A video whose frames condition the output from a given frame (field names unverified)."""

    video_url: MediaFileType = SchemaField(title="Video", description="The conditioning video.")
    start_frame_num: int = SchemaField(
        default=0, ge=0, description="Frame where the video applies (0 = first)."
    )
    strength: float = SchemaField(
        default=1.0, ge=0.0, le=1.0, description="How strongly the video is followed."
    )


class LoraWeight(BaseModel):
    """LoRA weights applied to the model."""

    path: str = SchemaField(description="URL or path to the LoRA weights (e.g. a Hugging Face repository).")
    weight_name: str | None = SchemaField(
        default=None, description="Weight file name; only for a Hugging Face repository with several weights."
    )
    scale: float = SchemaField(
        default=1.0, description="Multiplier applied to the LoRA weights when loading."
    )


class LtxResolution(str, Enum):
    P480 = "480p"
    P720 = "720p"


class LtxAspectRatio(str, Enum):
    PORTRAIT = "9:16"
    SQUARE = "1:1"
    LANDSCAPE = "16:9"
    AUTO = "auto"


class LtxVideoMulticonditioningBlock(FalBlockBase):
    """LTX-Video 13B distilled: a prompt plus any number of images and videos pinned to frames."""

    endpoint = "fal-ai/ltx-video-13b-distilled/multiconditioning"
    schema_source = (
        "seed 004 §3 (main input, LoRAWeight); image item fields from the page's example; the video item "
        "({video_url, start_frame_num, strength}) is not defined there and is unverified"
    )
    media_inputs: ClassVar[dict[str, MediaRule]] = {"images[].image_url": IMAGE, "videos[].video_url": VIDEO}

    class Input(FalJobInput):
        prompt: str = SchemaField(description="What the video should show.", min_length=1)
        images: list[LtxImageCondition] = SchemaField(
            default_factory=list, description="Images to pass through, each at its frame.", advanced=False
        )
        videos: list[LtxVideoCondition] = SchemaField(
            default_factory=list, description="Videos to condition on, each from its frame.", advanced=False
        )
        negative_prompt: str = SchemaField(
            default="worst quality, inconsistent motion, blurry, jittery, distorted",
            description="What to avoid.",
        )
        loras: list[LoraWeight] = SchemaField(default_factory=list, description="LoRA weights to apply.")
        resolution: LtxResolution = SchemaField(default=LtxResolution.P720, description="Output resolution.")
        aspect_ratio: LtxAspectRatio = SchemaField(
            default=LtxAspectRatio.AUTO, description="Output aspect ratio."
        )
        seed: int | None = SchemaField(default=None, description="Random seed; unset for a random one.")
        num_frames: int = SchemaField(default=121, ge=1, description="Frames in the video.")
        first_pass_num_inference_steps: int = SchemaField(
            default=8, ge=1, description="Steps in the first pass."
        )
        first_pass_skip_final_steps: int = SchemaField(
            default=1, ge=0, description="Final first-pass steps skipped (focus on large changes)."
        )
        second_pass_num_inference_steps: int = SchemaField(
            default=8, ge=1, description="Steps in the second pass."
        )
        second_pass_skip_initial_steps: int = SchemaField(
            default=5, ge=0, description="Initial second-pass steps skipped (focus on details)."
        )
        frame_rate: int = SchemaField(default=30, ge=1, description="Output frame rate.")
        expand_prompt: bool = SchemaField(
            default=False, description="Expand the prompt with a language model."
        )
        reverse_video: bool = SchemaField(default=False, description="Reverse the output video.")
        enable_safety_checker: bool = SchemaField(default=True, description="Run fal's safety checker.")
        constant_rate_factor: int = SchemaField(
            default=35,
            ge=0,
            le=51,
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
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/lion/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 1024),
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
        for skip, steps in (
            ("first_pass_skip_final_steps", "first_pass_num_inference_steps"),
            ("second_pass_skip_initial_steps", "second_pass_num_inference_steps"),
        ):
            if getattr(input_data, skip) >= getattr(input_data, steps):
                raise InputProblem(skip, f"must be less than {steps} ({getattr(input_data, steps)})")


# ---- AnimateDiff turbo ---------------------------------------------------------------------------


class AnimateDiffMotion(str, Enum):
    ZOOM_OUT = "zoom-out"
    ZOOM_IN = "zoom-in"
    PAN_LEFT = "pan-left"
    PAN_RIGHT = "pan-right"
    TILT_UP = "tilt-up"
    TILT_DOWN = "tilt-down"


class FastAnimateDiffTurboVideoToVideoBlock(FalBlockBase):
    """Re-animate the first seconds of a video in a new style with AnimateDiff turbo."""

    endpoint = "fal-ai/fast-animatediff/turbo/video-to-video"
    schema_source = (
        "seed 004 §8; the `motions` values (missing there) from fal-js's generated types for this endpoint"
    )
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(
            title="Video", description="The video to re-animate (GIF or video)."
        )
        prompt: str = SchemaField(
            description="What the result should look like; be descriptive.", min_length=1
        )
        first_n_seconds: int = SchemaField(
            default=3, ge=1, description="Only the first N seconds are animated."
        )
        negative_prompt: str = SchemaField(
            default="(bad quality, worst quality:1.2), ugly faces, bad anime", description="What to avoid."
        )
        num_inference_steps: int = SchemaField(
            default=8, ge=1, description="Steps; 4–12 is recommended for turbo."
        )
        strength: float = SchemaField(
            default=0.7, ge=0.0, le=1.0, description="How much of the input video stays in the output."
        )
        guidance_scale: float = SchemaField(
            default=1.0, ge=0.0, description="How closely to follow the prompt."
        )
        seed: int | None = SchemaField(default=None, description="Random seed; unset for a random one.")
        fps: int = SchemaField(default=8, ge=1, description="Frames per second taken from the video.")
        motions: list[AnimateDiffMotion] | None = SchemaField(
            default=None, description="Camera motions to apply (motion LoRAs)."
        )

    class Output(FalEditedVideoOutput):
        seed: int = SchemaField(default=0, description="The seed fal used.")

    def __init__(self) -> None:
        super().__init__(
            id="61281679-b067-42b4-9f68-93dfbf609b73",
            description="Re-animate a video in a new style with AnimateDiff turbo (first seconds only).",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "An anime city street, fireworks"},
            sample_result={"video": SAMPLE_FILE, "seed": 11},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/lion/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 1024),
                ("seed", 11),
                ("logs", TEST_LOGS),
            ],
        )


# ---- Kling 2.6 pro video-to-video (schema unverified) --------------------------------------------


class KlingV26ProVideoToVideoBlock(FalBlockBase):
    """Kling 2.6 pro video-to-video: style transfer guided by a prompt (schema unverified)."""

    endpoint = "fal-ai/kling-video/v2.6/pro/video-to-video"
    schema_source = (
        "UNVERIFIED: no fal schema found for this id (seed 002 names it only: 'style transfer, motion "
        "retargeting'). Inputs from the closest documented fal Kling video input, Kling O1 video-to-video "
        "edit (prompt, video_url ≤200 MB, keep_audio default false), plus the Kling 2.6 family's "
        "negative_prompt default and 2500-character prompt limit"
    )
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": MediaRule("video", max_bytes=200 * MB)}

    class Input(FalJobInput):
        prompt: str = SchemaField(description="How to transform the video.", min_length=1, max_length=2500)
        video_url: MediaFileType = SchemaField(title="Video", description="The video to transform.")
        negative_prompt: str = SchemaField(
            default="blur, distort, and low quality", description="What to avoid."
        )
        keep_audio: bool = SchemaField(default=False, description="Keep the source video's audio.")

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="c37851b2-a076-485c-b3bc-5ad6879c15b4",
            description="Transform a video's style with Kling 2.6 pro video-to-video (schema unverified).",
            test_input={"video_url": SAMPLE_VIDEO, "prompt": "Make it claymation"},
            sample_result={"video": SAMPLE_FILE},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/lion/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 1024),
                ("logs", TEST_LOGS),
            ],
        )
