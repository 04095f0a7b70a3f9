"""Prompt writing: a concept in, a video prompt out, ready for any text-to-video block.

Fields, choices and defaults (including the language model, fal's own default) are the endpoint's
`fal_spec` entry.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from blocks._sdk import BlockCategory, MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput, FalJobOutput
from ._files import MediaRule
from ._spec_fields import choices, media_rules, spec_field

PROMPT_GENERATOR = "fal-ai/video-prompt-generator"

PromptStyle = Annotated[str, choices(PROMPT_GENERATOR, "style")]
CameraStyle = Annotated[str, choices(PROMPT_GENERATOR, "camera_style")]
CameraDirection = Annotated[str, choices(PROMPT_GENERATOR, "camera_direction")]
Pacing = Annotated[str, choices(PROMPT_GENERATOR, "pacing")]
SpecialEffects = Annotated[str, choices(PROMPT_GENERATOR, "special_effects")]
PromptModel = Annotated[str, choices(PROMPT_GENERATOR, "model")]
PromptLength = Annotated[str, choices(PROMPT_GENERATOR, "prompt_length")]


class VideoPromptGeneratorBlock(FalBlockBase):
    """An LLM on fal writes a video prompt from a concept, styles and an optional image."""

    endpoint = PROMPT_GENERATOR
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(PROMPT_GENERATOR)

    class Input(FalJobInput):
        input_concept: str = spec_field(
            PROMPT_GENERATOR,
            "input_concept",
            title="Concept",
            description="Core concept or theme for the video prompt.",
            placeholder="A futuristic city at dusk",
        )
        style: PromptStyle = spec_field(PROMPT_GENERATOR, "style", description="Style of the prompt.")
        camera_style: CameraStyle = spec_field(
            PROMPT_GENERATOR, "camera_style", description="Camera movement style."
        )
        camera_direction: CameraDirection = spec_field(
            PROMPT_GENERATOR, "camera_direction", description="Camera direction."
        )
        pacing: Pacing = spec_field(PROMPT_GENERATOR, "pacing", description="Pacing rhythm.")
        special_effects: SpecialEffects = spec_field(
            PROMPT_GENERATOR, "special_effects", description="Special effects approach."
        )
        custom_elements: str = spec_field(
            PROMPT_GENERATOR, "custom_elements", description="Custom technical elements (optional)."
        )
        image_url: MediaFileType | None = spec_field(
            PROMPT_GENERATOR,
            "image_url",
            title="Image",
            description="An image to analyse and work into the prompt (optional).",
        )
        model: PromptModel = spec_field(PROMPT_GENERATOR, "model", description="Language model used.")
        prompt_length: PromptLength = spec_field(
            PROMPT_GENERATOR, "prompt_length", description="Length of the prompt."
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
