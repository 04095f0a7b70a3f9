"""The long-video template runs offline (`fal-video graph --sandbox`, as `make demo` does) and
leaves one playable MP4 as long as its shots: Kling 3 Pro 3 s + Seedance 2.0 Fast 4 s + Veo 3.1
Lite 4 s continued by Veo 3.1 Fast extend's 7 s = 18 s, under an 18-second soundtrack."""

from __future__ import annotations

import asyncio
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from fal_sandbox.media import probe
from fal_video.cli import main

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "long_video.json"
SHOTS = ("shot-1", "shot-2", "shot-3")


def _record(output: Path, node: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((output / "metadata" / f"{node}.json").read_text())
    assert record["state"] == "completed", record["error"]
    return record


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.mark.usefixtures("no_fal_key")
async def test_the_long_video_is_the_sum_of_its_shots(tmp_path: Path) -> None:
    output = tmp_path / "out"
    code = await asyncio.to_thread(main, ["graph", str(TEMPLATE), "--sandbox", "--output", str(output)])
    assert code == 0

    final = probe((output / "clips" / "soundtrack-video_url.mp4").read_bytes())
    assert final.duration == pytest.approx(18.0, abs=0.05)
    assert final.has_audio and final.audio_duration == pytest.approx(18.0, abs=0.05)
    assert (final.width, final.height, final.fps) == (854, 480, 24.0)  # the smallest shot's frame

    lengths = {
        node: probe((output / "clips" / f"{node}-video_url.mp4").read_bytes()).duration
        for node in (*SHOTS, "continue-shot-3")
    }
    assert lengths == {"shot-1": 3.0, "shot-2": 4.0, "shot-3": 4.0, "continue-shot-3": 11.0}

    shots = [_record(output, node) for node in SHOTS]
    assert max(_time(r["timings"]["started"]) for r in shots) < min(
        _time(r["timings"]["finished"]) for r in shots
    ), "the three shots are submitted at once"
    extend, join = _record(output, "continue-shot-3"), _record(output, "join")
    assert extend["inputs"]["video_url"] == shots[2]["outputs"]["video_url"], "shot 3 is continued"
    assert join["inputs"]["video_urls"] == [
        shots[0]["outputs"]["video_url"],
        shots[1]["outputs"]["video_url"],
        extend["outputs"]["video_url"],
    ]
    assert _record(output, "soundtrack")["inputs"]["video_url"] == join["outputs"]["video_url"]
