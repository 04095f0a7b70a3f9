"""Prompt writing: a concept in, a video prompt out, ready for any text-to-video block."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from blocks._sdk import BlockCategory, MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalJobOutput
from ._editing import IMAGE
from ._files import MediaRule


class PromptStyle(str, Enum):
    MINIMALIST = "Minimalist"
    SIMPLE = "Simple"
    DETAILED = "Detailed"
    DESCRIPTIVE = "Descriptive"
    DYNAMIC = "Dynamic"
    CINEMATIC = "Cinematic"
    DOCUMENTARY = "Documentary"
    ANIMATION = "Animation"
    ACTION = "Action"
    EXPERIMENTAL = "Experimental"


class CameraStyle(str, Enum):
    NONE = "None"
    STEADICAM_FLOW = "Steadicam flow"
    DRONE_AERIALS = "Drone aerials"
    HANDHELD_URGENCY = "Handheld urgency"
    CRANE_ELEGANCE = "Crane elegance"
    DOLLY_PRECISION = "Dolly precision"
    VR_360 = "VR 360"
    MULTI_ANGLE_RIG = "Multi-angle rig"
    STATIC_TRIPOD = "Static tripod"
    GIMBAL_SMOOTHNESS = "Gimbal smoothness"
    SLIDER_MOTION = "Slider motion"
    JIB_SWEEP = "Jib sweep"
    POV_IMMERSION = "POV immersion"
    TIME_SLICE_ARRAY = "Time-slice array"
    MACRO_EXTREME = "Macro extreme"
    TILT_SHIFT_MINIATURE = "Tilt-shift miniature"
    SNORRICAM_CHARACTER = "Snorricam character"
    WHIP_PAN_DYNAMICS = "Whip pan dynamics"
    DUTCH_ANGLE_TENSION = "Dutch angle tension"
    UNDERWATER_HOUSING = "Underwater housing"
    PERISCOPE_LENS = "Periscope lens"


class CameraDirection(str, Enum):
    NONE = "None"
    ZOOM_IN = "Zoom in"
    ZOOM_OUT = "Zoom out"
    PAN_LEFT = "Pan left"
    PAN_RIGHT = "Pan right"
    TILT_UP = "Tilt up"
    TILT_DOWN = "Tilt down"
    ORBITAL_ROTATION = "Orbital rotation"
    PUSH_IN = "Push in"
    PULL_OUT = "Pull out"
    TRACK_FORWARD = "Track forward"
    TRACK_BACKWARD = "Track backward"
    SPIRAL_IN = "Spiral in"
    SPIRAL_OUT = "Spiral out"
    ARC_MOVEMENT = "Arc movement"
    DIAGONAL_TRAVERSE = "Diagonal traverse"
    VERTICAL_RISE = "Vertical rise"
    VERTICAL_DESCENT = "Vertical descent"


class Pacing(str, Enum):
    NONE = "None"
    SLOW_BURN = "Slow burn"
    RHYTHMIC_PULSE = "Rhythmic pulse"
    FRANTIC_ENERGY = "Frantic energy"
    EBB_AND_FLOW = "Ebb and flow"
    HYPNOTIC_DRIFT = "Hypnotic drift"
    TIME_LAPSE_RUSH = "Time-lapse rush"
    STOP_MOTION_STACCATO = "Stop-motion staccato"
    GRADUAL_BUILD = "Gradual build"
    QUICK_CUT_RHYTHM = "Quick cut rhythm"
    LONG_TAKE_MEDITATION = "Long take meditation"
    JUMP_CUT_ENERGY = "Jump cut energy"
    MATCH_CUT_FLOW = "Match cut flow"
    CROSS_DISSOLVE_DREAMSCAPE = "Cross-dissolve dreamscape"
    PARALLEL_ACTION = "Parallel action"
    SLOW_MOTION_IMPACT = "Slow motion impact"
    RAMPING_DYNAMICS = "Ramping dynamics"
    MONTAGE_TEMPO = "Montage tempo"
    CONTINUOUS_FLOW = "Continuous flow"
    EPISODIC_BREAKS = "Episodic breaks"


class SpecialEffects(str, Enum):
    NONE = "None"
    PRACTICAL_EFFECTS = "Practical effects"
    CGI_ENHANCEMENT = "CGI enhancement"
    ANALOG_GLITCHES = "Analog glitches"
    LIGHT_PAINTING = "Light painting"
    PROJECTION_MAPPING = "Projection mapping"
    NANOSECOND_EXPOSURES = "Nanosecond exposures"
    DOUBLE_EXPOSURE = "Double exposure"
    SMOKE_DIFFUSION = "Smoke diffusion"
    LENS_FLARE_ARTISTRY = "Lens flare artistry"
    PARTICLE_SYSTEMS = "Particle systems"
    HOLOGRAPHIC_OVERLAY = "Holographic overlay"
    CHROMATIC_ABERRATION = "Chromatic aberration"
    DIGITAL_DISTORTION = "Digital distortion"
    WIRE_REMOVAL = "Wire removal"
    MOTION_CAPTURE = "Motion capture"
    MINIATURE_INTEGRATION = "Miniature integration"
    WEATHER_SIMULATION = "Weather simulation"
    COLOR_GRADING = "Color grading"
    MIXED_MEDIA_COMPOSITE = "Mixed media composite"
    NEURAL_STYLE_TRANSFER = "Neural style transfer"


class PromptModel(str, Enum):
    CLAUDE_3_5_SONNET = "anthropic/claude-3.5-sonnet"
    CLAUDE_3_5_HAIKU = "anthropic/claude-3-5-haiku"
    CLAUDE_3_HAIKU = "anthropic/claude-3-haiku"
    GEMINI_PRO_1_5 = "google/gemini-pro-1.5"
    GEMINI_FLASH_1_5 = "google/gemini-flash-1.5"
    GEMINI_FLASH_1_5_8B = "google/gemini-flash-1.5-8b"
    LLAMA_3_2_1B = "meta-llama/llama-3.2-1b-instruct"
    LLAMA_3_2_3B = "meta-llama/llama-3.2-3b-instruct"
    LLAMA_3_1_8B = "meta-llama/llama-3.1-8b-instruct"
    LLAMA_3_1_70B = "meta-llama/llama-3.1-70b-instruct"
    GPT_4O_MINI = "openai/gpt-4o-mini"
    GPT_4O = "openai/gpt-4o"
    DEEPSEEK_R1 = "deepseek/deepseek-r1"


class PromptLength(str, Enum):
    SHORT = "Short"
    MEDIUM = "Medium"
    LONG = "Long"


class VideoPromptGeneratorBlock(FalBlockBase):
    """An LLM on fal writes a video prompt from a concept, styles and an optional image."""

    endpoint = "fal-ai/video-prompt-generator"
    schema_source = "seed 001 (fal API page for video-prompt-generator, with its required markers)"
    media_inputs: ClassVar[dict[str, MediaRule]] = {"image_url": IMAGE}

    class Input(FalJobInput):
        input_concept: str = SchemaField(
            title="Concept",
            description="Core concept or theme for the video prompt.",
            placeholder="A futuristic city at dusk",
            min_length=1,
        )
        style: PromptStyle = SchemaField(default=PromptStyle.SIMPLE, description="Style of the prompt.")
        camera_style: CameraStyle = SchemaField(
            default=CameraStyle.NONE, description="Camera movement style."
        )
        camera_direction: CameraDirection = SchemaField(
            default=CameraDirection.NONE, description="Camera direction."
        )
        pacing: Pacing = SchemaField(default=Pacing.NONE, description="Pacing rhythm.")
        special_effects: SpecialEffects = SchemaField(
            default=SpecialEffects.NONE, description="Special effects approach."
        )
        custom_elements: str = SchemaField(default="", description="Custom technical elements (optional).")
        image_url: MediaFileType | None = SchemaField(
            default=None,
            title="Image",
            description="An image to analyse and work into the prompt (optional).",
        )
        model: PromptModel = SchemaField(
            default=PromptModel.GEMINI_FLASH_1_5, description="Language model used."
        )
        prompt_length: PromptLength = SchemaField(
            default=PromptLength.MEDIUM, description="Length of the prompt."
        )

    class Output(FalJobOutput):
        prompt: str = SchemaField(description="The generated video prompt (feeds any text-to-video block).")

    def __init__(self) -> None:
        super().__init__(
            id="d27be4d1-47b3-466b-87bc-7edce8d0babf",
            description="Write a video prompt from a concept with an LLM on fal, to feed text-to-video.",
            categories={BlockCategory.AI, BlockCategory.TEXT},
            test_input={"input_concept": "A futuristic city at dusk", "camera_style": "Gimbal smoothness"},
            sample_result={
                "prompt": "A futuristic city glows softly at dusk, captured with smooth gimbal movements."
            },
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("prompt", "A futuristic city glows softly at dusk, captured with smooth gimbal movements."),
                ("logs", TEST_LOGS),
            ],
        )
