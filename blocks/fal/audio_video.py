"""Sound and picture: lipsync a video, or put an audio track under it."""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

from blocks._sdk import MediaFileType, SchemaField

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase, FalJobInput
from ._editing import AUDIO, VIDEO, FalEditedVideoOutput
from ._failures import InputProblem
from ._files import MediaRule

SAMPLE_VIDEO = "https://v3.fal.media/files/penguin/T-ONORYMYLoEOB9lXryA2_output.mp4"
SAMPLE_AUDIO = "https://v3.fal.media/files/monkey/k4iyN8bJZWwJXMKH-pO9r_speech.mp3"
SAMPLE_FILE = {
    "url": "https://v3.fal.media/files/penguin/output.mp4",
    "content_type": "video/mp4",
    "file_size": 4096,
}


class PixverseVoice(str, Enum):
    EMILY = "Emily"
    JAMES = "James"
    ISABELLA = "Isabella"
    LIAM = "Liam"
    CHLOE = "Chloe"
    ADRIAN = "Adrian"
    HARPER = "Harper"
    AVA = "Ava"
    SOPHIA = "Sophia"
    JULIA = "Julia"
    MASON = "Mason"
    JACK = "Jack"
    OLIVER = "Oliver"
    ETHAN = "Ethan"
    AUTO = "Auto"


class PixverseLipsyncBlock(FalBlockBase):
    """Make the people in a video speak an audio track, or a text read by a stock voice."""

    endpoint = "fal-ai/pixverse/lipsync"
    schema_source = "seed 004 §5 `LipsyncRequest` (fal API page for pixverse/lipsync); required markers lost"
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO, "audio_url": AUDIO}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(
            title="Video", description="The video whose speaker is lipsynced."
        )
        audio_url: MediaFileType | None = SchemaField(
            default=None,
            title="Audio",
            description="Speech to lipsync to. Without it, `text` is spoken by `voice_id`.",
            advanced=False,
        )
        text: str | None = SchemaField(
            default=None,
            description="Text to speak (text-to-speech) when no audio is given.",
            placeholder="Hello, and welcome to the show.",
            advanced=False,
        )
        voice_id: PixverseVoice = SchemaField(
            default=PixverseVoice.AUTO, description="Text-to-speech voice, used when no audio is given."
        )

    class Output(FalEditedVideoOutput):
        pass

    def __init__(self) -> None:
        super().__init__(
            id="dcc0531a-2ff3-4258-80b9-56729cb179e5",
            description="Lipsync a video to an audio track, or to text spoken by a Pixverse voice.",
            test_input={"video_url": SAMPLE_VIDEO, "audio_url": SAMPLE_AUDIO},
            sample_result={"video": SAMPLE_FILE},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/penguin/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 4096),
                ("logs", TEST_LOGS),
            ],
        )

    def check_input(self, input_data: Any) -> None:
        if not input_data.audio_url and not (input_data.text or "").strip():
            raise InputProblem("text", "give an audio track, or text for the voice to speak")


class MergeAudioVideoBlock(FalBlockBase):
    """fal's ffmpeg API: the video's picture with the given audio as its sound track."""

    endpoint = "fal-ai/ffmpeg-api/merge-audio-video"
    schema_source = (
        "seed 004 §6 (fal API page for ffmpeg-api/merge-audio-video); required video_url + audio_url and "
        "start_offset default 0 confirmed by a public copy of fal's llms.txt for this endpoint"
    )
    media_inputs: ClassVar[dict[str, MediaRule]] = {"video_url": VIDEO, "audio_url": AUDIO}

    class Input(FalJobInput):
        video_url: MediaFileType = SchemaField(title="Video", description="The video track.")
        audio_url: MediaFileType = SchemaField(title="Audio", description="The audio track.")
        start_offset: float = SchemaField(
            default=0.0,
            ge=0.0,
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
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/penguin/output.mp4"),
                ("content_type", "video/mp4"),
                ("file_size", 4096),
                ("logs", TEST_LOGS),
            ],
        )
