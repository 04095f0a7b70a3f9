"""What the editing-family blocks share: the output File's fields.

Their file limits are each endpoint's `fal_spec` entry (`media`): fal documents none for most of
these endpoints, so the entries hold this project's limits there, chosen to catch a wrong file
before money is spent, and say so.
"""

from __future__ import annotations

from blocks._sdk import SchemaField

from ._base import FalVideoOutput


class FalEditedVideoOutput(FalVideoOutput):
    """A video result: the URL plus the File fields fal reports with it."""

    content_type: str = SchemaField(default="", description="MIME type fal reports for the video.")
    file_size: int = SchemaField(default=0, description="Size of the video file in bytes, as fal reports it.")
