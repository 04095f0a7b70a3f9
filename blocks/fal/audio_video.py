"""Sound and picture: lipsync a video, or put an audio track under it.

Fields, values, defaults and limits are the endpoints' `fal_spec` entries.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from blocks._sdk import MediaFileType

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import FalEditedVideoOutput
from ._failures import InputProblem
from ._files import MediaRule
from ._spec_fields import choices, media_rules, spec_field

SAMPLE_VIDEO = "https://v3.fal.media/files/penguin/T-ONORYMYLoEOB9lXryA2_output.mp4"
SAMPLE_AUDIO = "https://v3.fal.media/files/monkey/k4iyN8bJZWwJXMKH-pO9r_speech.mp3"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/penguin/output.mp4",
    "content_type": "video/mp4",
    "file_size": 4096,
}
_OUTPUTS = [
    ("request_id", TEST_REQUEST_ID),
    ("video_url", "https://v3.fal.media/files/penguin/output.mp4"),
    ("content_type", "video/mp4"),
    ("file_size", 4096),
    ("logs", TEST_LOGS),
]

LIPSYNC = "fal-ai/pixverse/lipsync"
MERGE = "fal-ai/ffmpeg-api/merge-audio-video"

PixverseVoice = Annotated[str, choices(LIPSYNC, "voice_id")]


class PixverseLipsyncBlock(FalBlockBase):
    """Make the people in a video speak an audio track, or a text read by a stock voice."""

    endpoint = LIPSYNC
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(LIPSYNC)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            LIPSYNC, "video_url", title="Video", description="The video whose speaker is lipsynced."
        )
        audio_url: MediaFileType | None = spec_field(
            LIPSYNC,
            "audio_url",
            title="Audio",
            description="Speech to lipsync to. Without it, `text` is spoken by `voice_id`.",
            advanced=False,
        )
        text: str | None = spec_field(
            LIPSYNC,
            "text",
            description="Text to speak (text-to-speech) when no audio is given.",
            placeholder="Hello, and welcome to the show.",
            advanced=False,
        )
        voice_id: PixverseVoice = spec_field(
            LIPSYNC, "voice_id", description="Text-to-speech voice, used when no audio is given."
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="dcc0531a-2ff3-4258-80b9-56729cb179e5",
            description="Lipsync a video to an audio track, or to text spoken by a Pixverse voice.",
            test_input={"video_url": SAMPLE_VIDEO, "audio_url": SAMPLE_AUDIO},
            sample_result={"video": SAMPLE_FILE},
            test_output=_OUTPUTS,
        )

    def input_conditions(self) -> list[str]:
        return ["audio_url or text: an audio track, or text for the voice to speak"]

    def check_input(self, input_data: Any) -> None:
        if not input_data.audio_url and not (input_data.text or "").strip():
            raise InputProblem("text", "give an audio track, or text for the voice to speak")


class MergeAudioVideoBlock(FalBlockBase):
    """fal's ffmpeg API: the video's picture with the given audio as its sound track."""

    endpoint = MERGE
    media_inputs: ClassVar[dict[str, MediaRule]] = media_rules(MERGE)

    class Input(FalJobInput):
        video_url: MediaFileType = spec_field(
            MERGE, "video_url", title="Video", description="The video track."
        )
        audio_url: MediaFileType = spec_field(
            MERGE, "audio_url", title="Audio", description="The audio track."
        )
        start_offset: float = spec_field(
            MERGE,
            "start_offset",
            description="Seconds into the video at which the audio starts.",
            advanced=False,
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="f58b0531-6f51-4fca-9566-0138f9257db6",
            description="Put an audio track under a video, optionally starting a few seconds in.",
            test_input={"video_url": SAMPLE_VIDEO, "audio_url": SAMPLE_AUDIO, "start_offset": 1.5},
            sample_result={"video": SAMPLE_FILE},
            test_output=_OUTPUTS,
        )
