"""fal's FFmpeg utilities for making one video of many: join clips end to end, and play images as a
video. No model runs; fal bills compute time only.

Each block is its endpoint's `fal_spec` entry (`FromSpec`); fal publishes these two in its types
only, so they have no ranges (see the entries' sources).
"""

from __future__ import annotations

from ._base import TEST_LOGS, TEST_REQUEST_ID, FalBlockBase
from ._field_prose import Prose
from ._spec_blocks import FromSpec, spec_block_id

MERGE_VIDEOS = "fal-ai/ffmpeg-api/merge-videos"
IMAGES_TO_VIDEO = "fal-ai/ffmpeg-api/images-to-video"


class MergeVideosBlock(FromSpec, FalBlockBase):
    """Concatenates clips in the order given (the long-video template's last step)."""

    endpoint = MERGE_VIDEOS
    prose = {
        "video_urls": Prose("The clips to join, in order.", title="Videos"),
        "target_fps": Prose("Frame rate of the joined video; empty: the lowest of the clips'."),
        "resolution_aspect_ratio_video_index": Prose(
            "Which clip's shape (0 = the first) the joined video takes; empty: the smallest width and "
            "height of all clips."
        ),
    }

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Join video clips end to end into one video with fal's FFmpeg API.",
            test_input={
                "video_urls": [
                    "https://v3.fal.media/files/test/shot-1.mp4",
                    "https://v3.fal.media/files/test/shot-2.mp4",
                ]
            },
            sample_result={"video": {"url": "https://v3.fal.media/files/test/joined.mp4"}, "metadata": {}},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/joined.mp4"),
                ("logs", TEST_LOGS),
            ],
        )


class ImagesToVideoBlock(FromSpec, FalBlockBase):
    """Plays images as frames, each held for its number of frames (a slideshow, a stop-motion)."""

    endpoint = IMAGES_TO_VIDEO
    prose = {
        "images": Prose("The images, in order, each with how many frames it is held.", advanced=False),
        "images[].url": Prose("The image.", title="Image"),
        "images[].frames": Prose("How many frames the image is held for."),
    }

    def __init__(self) -> None:
        super().__init__(
            id=spec_block_id(self.endpoint),
            description="Make a video of a sequence of images, each held for a number of frames, with "
            "fal's FFmpeg API.",
            test_input={
                "images": [
                    {"url": "https://v3.fal.media/files/test/a.png", "frames": 24},
                    {"url": "https://v3.fal.media/files/test/b.png", "frames": 48},
                ]
            },
            sample_result={"video": {"url": "https://v3.fal.media/files/test/slides.mp4"}},
            test_output=[
                ("request_id", TEST_REQUEST_ID),
                ("video_url", "https://v3.fal.media/files/test/slides.mp4"),
                ("logs", TEST_LOGS),
            ],
        )
