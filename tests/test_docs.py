"""The generated block pages are in sync with the schemas, and regeneration keeps hand-written text."""

from __future__ import annotations

from blocks import _docgen
from blocks.fal.text_to_video import AIVideoGeneratorBlock


def test_every_block_page_is_up_to_date() -> None:
    stale = _docgen.check()
    assert stale == [], f"out of date (run `make docs`): {[str(path) for path in stale]}"


def test_regeneration_keeps_manual_sections_and_tracks_the_schema() -> None:
    block = AIVideoGeneratorBlock()
    page = _docgen.render(block)
    edited = page.replace(
        page[
            page.index("<!-- MANUAL: use_case -->") : page.index(
                "<!-- END MANUAL -->", page.index("use_case")
            )
        ],
        "<!-- MANUAL: use_case -->\nHand-written: keep me.\n",
    )
    again = _docgen.render(block, edited)
    assert "Hand-written: keep me." in again
    assert "| `prompt` | string | yes |" in again
    assert "`fal-ai/luma-dream-machine`" in again
