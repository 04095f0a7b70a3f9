"""What the editing-family blocks share: file limits, the output File's fields, one list-input check.

Limits: fal documents none for these endpoints (seed 004 gives no size, format or duration limit),
so the rules below are this project's, chosen to catch a wrong file before money is spent rather
than to mirror a fal limit. A block whose model documents a limit uses its own rule instead.
"""

from __future__ import annotations

from typing import Any

from blocks._sdk import SchemaField

from ._base import FalVideoOutput
from ._failures import InputProblem
from ._files import MB, MediaRule, _check, _decode_data_uri

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


def check_url_list(values: list[Any] | None, rule: MediaRule, field: str) -> None:
    """Check a list of plain file URLs, which the shared upload step does not handle yet.

    http(s) URLs pass; a data URI is checked by content and size and must be small enough to go to
    fal inline; anything else (a local path, a large data URI) is refused, naming the item.
    """
    for index, value in enumerate(values or []):
        label = f"{field}[{index}]"
        text = str(value).strip()
        if text.startswith(("https://", "http://")):
            continue
        if not text.startswith("data:"):
            raise InputProblem(
                label, "list items must be http(s) URLs or data URIs (no upload for lists yet)"
            )
        data = _decode_data_uri(text, label)
        _check(data, rule, label)
        if len(data) > rule.inline_below:
            limit = rule.inline_below // 1024
            raise InputProblem(label, f"data URIs in lists must be at most {limit} KB; use an http(s) URL")
