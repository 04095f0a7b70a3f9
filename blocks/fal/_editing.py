"""What the editing-family blocks share: file limits and the output File's fields.

Limits: fal documents none for these endpoints (seed 004 gives no size, format or duration limit),
so the rules below are this project's, chosen to catch a wrong file before money is spent rather
than to mirror a fal limit. A block whose model documents a limit uses its own rule instead.
"""

from __future__ import annotations

from blocks._sdk import SchemaField

from ._base import FalVideoOutput
from ._files import MB, MediaRule

VIDEO = MediaRule("video", max_bytes=100 * MB)
"""A source video: 100 MB (our limit; fal publishes none for these endpoints)."""
IMAGE = MediaRule("image", max_bytes=20 * MB)
"""A reference or first-frame image: 20 MB (our limit)."""
AUDIO = MediaRule("audio", max_bytes=50 * MB)
"""An audio track: 50 MB (our limit)."""


class FalEditedVideoOutput(FalVideoOutput):
    """A video result: the URL plus the File fields fal reports with it."""

    content_type: str = SchemaField(default="", description="MIME type fal reports for the video.")
    file_size: int = SchemaField(default=0, description="Size of the video file in bytes, as fal reports it.")
