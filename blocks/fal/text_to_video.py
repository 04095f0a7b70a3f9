"""Text-to-video: a prompt in, a video out."""

from __future__ import annotations

from enum import Enum
from typing import Any

from blocks._sdk import SchemaField

from ._base import FalBlockBase, FalJobInput, FalVideoOutput


class FalVideoModel(str, Enum):
    """Text-to-video models, by fal endpoint id."""

    MOCHI = "fal-ai/mochi-v1"
    LUMA_DREAM_MACHINE = "fal-ai/luma-dream-machine"


class AIVideoGeneratorBlock(FalBlockBase):
    """The builder's first grab for text-to-video: one prompt, a choice of models."""

    block_only_fields = frozenset({"model"})

    class Input(FalJobInput):
        prompt: str = SchemaField(
            description="What the video should show.",
            placeholder="A dog running through a sunlit field",
            min_length=1,
        )
        model: FalVideoModel = SchemaField(
            default=FalVideoModel.MOCHI,
            title="Model",
            description="The fal model that renders the video.",
            advanced=False,
        )

    class Output(FalVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="b7a2f0d4-5c1e-4e8a-9f3b-2d6c8e0a1f47",
            description="Generate a video from a text prompt with a fal.ai model.",
            test_input={"prompt": "A dog running through a sunlit field"},
            sample_result={"video": {"url": "https://v3.fal.media/files/test/video.mp4"}},
        )

    schema_source = "seed 000 (the platform's AI Video Generator block): prompt and model"

    def doc_endpoints(self) -> list[str]:
        return [model.value for model in FalVideoModel]

    def endpoint_for(self, input_data: Any) -> str:
        return FalVideoModel(input_data.model).value
