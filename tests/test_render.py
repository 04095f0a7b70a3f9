"""The sandbox's synthetic media: rendered files must decode and match what was asked for."""

from __future__ import annotations

import io
import wave
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import ImageFont

from fal_sandbox.content import content_type as sniff_content_type
from fal_sandbox.media import probe
from fal_sandbox.render import (
    FONT_PATH,
    ClipSpec,
    mux_audio,
    render_clip,
    render_tone,
    transform_clip,
)

ACCENTS = "Crème brûlée über Ñandú: Straße, Ørsted, façade, naïve, Ærø, œuvre"


def frame_rgb(data: bytes, index: int) -> np.ndarray:
    """Decoded frame ``index`` as an RGB array (int16, so differences cannot wrap)."""
    with av.open(io.BytesIO(data), mode="r") as container:
        for position, frame in enumerate(container.decode(video=0)):
            if position == index:
                return frame.to_ndarray(format="rgb24").astype(np.int16)
    raise IndexError(index)


def sine_wav(seconds: float, rate: int = 22050) -> bytes:
    """A 16-bit mono WAV, to feed mux_audio something that is not our own m4a."""
    t = np.arange(round(seconds * rate)) / rate
    pcm = (np.sin(2 * np.pi * 330 * t) * 8000).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


@pytest.fixture(scope="module")
def source() -> bytes:
    """2 s, 24 fps, 48 frames, with audio: the input of the transform and mux tests."""
    return render_clip(ClipSpec(320, 180, 24, 2.0, "source clip", label="src", audio=True))


@pytest.fixture(scope="module")
def silent() -> bytes:
    return render_clip(ClipSpec(320, 180, 24, 2.0, "silent clip"))


# --- render_clip ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(ClipSpec(640, 360, 24, 5.0, "landscape 16:9"), id="16:9-640x360-24fps-5s"),
        pytest.param(ClipSpec(360, 640, 24, 2.0, "portrait 9:16"), id="9:16-360x640"),
        pytest.param(ClipSpec(480, 480, 30, 2.0, "square 1:1"), id="1:1-480x480-30fps"),
        pytest.param(ClipSpec(640, 360, 23.976, 2.0, "ntsc film"), id="23.976fps"),
        pytest.param(ClipSpec(320, 240, 25, 3.0, "with sound", audio=True), id="audio"),
    ],
)
def test_render_clip_matches_spec(spec: ClipSpec) -> None:
    facts = probe(render_clip(spec))
    assert facts.content_type == "video/mp4"
    assert (facts.width, facts.height) == (spec.width, spec.height)
    assert facts.fps == pytest.approx(spec.fps, abs=1e-3)
    assert abs(facts.num_frames - round(spec.duration * spec.fps)) <= 1
    assert facts.duration == pytest.approx(spec.duration, abs=1.0 / spec.fps)
    assert facts.has_audio is spec.audio
    if spec.audio:
        assert facts.audio_duration == pytest.approx(spec.duration, abs=0.05)


def test_fractional_fps_is_stored_exactly() -> None:
    data = render_clip(ClipSpec(320, 180, 29.97, 1.0, "ntsc video"))
    with av.open(io.BytesIO(data), mode="r") as container:
        assert container.streams.video[0].base_rate == Fraction(30000, 1001)


def test_odd_sizes_are_rounded_up_to_even() -> None:
    facts = probe(render_clip(ClipSpec(321, 241, 12, 0.5, "odd")))
    assert (facts.width, facts.height) == (322, 242)


def test_output_is_h264_yuv420p_with_moov_first() -> None:
    data = render_clip(ClipSpec(320, 180, 24, 0.5, "faststart"))
    assert 0 < data.find(b"moov") < data.find(b"mdat")
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.format.name == "yuv420p"


def test_font_has_real_glyphs_for_accents() -> None:
    font = ImageFont.truetype(str(FONT_PATH), 24)
    missing = bytes(font.getmask("\U0001f600"))  # not in DejaVu: renders the .notdef box
    for char in "éüñßøÆœ…":
        assert bytes(font.getmask(char)) != missing, char


def test_accented_and_decomposed_captions_render() -> None:
    decomposed = "Cre\u0300me bru\u0302le\u0301e"  # combining accents, normalised to NFC
    spec = ClipSpec(320, 180, 12, 0.5, f"{ACCENTS} {decomposed}", label="fal-ai/wan · ñ")
    assert probe(render_clip(spec)).num_frames == 6


def test_caption_is_drawn_in_the_middle() -> None:
    plain = frame_rgb(render_clip(ClipSpec(320, 180, 12, 0.5, "", seed=3)), 0)
    captioned = frame_rgb(render_clip(ClipSpec(320, 180, 12, 0.5, ACCENTS, seed=3)), 0)
    middle = np.s_[70:110, 40:280]
    assert np.abs(plain[middle] - captioned[middle]).mean() > 20


def test_very_long_caption_still_renders() -> None:
    facts = probe(render_clip(ClipSpec(256, 144, 12, 0.5, "lorem ipsum dolor " * 200)))
    assert (facts.width, facts.num_frames) == (256, 6)


def test_seed_changes_the_background() -> None:
    first = frame_rgb(render_clip(ClipSpec(160, 90, 12, 0.5, "", seed=1)), 0)
    second = frame_rgb(render_clip(ClipSpec(160, 90, 12, 0.5, "", seed=2)), 0)
    assert np.abs(first - second).mean() > 10


def test_frames_move() -> None:
    data = render_clip(ClipSpec(320, 180, 24, 1.0, "moving"))
    assert np.abs(frame_rgb(data, 0) - frame_rgb(data, 12)).mean() > 5


@pytest.mark.parametrize(
    "kwargs", [{"width": 0}, {"height": -2}, {"fps": 0}, {"duration": 0}, {"duration": -1}]
)
def test_invalid_specs_are_rejected(kwargs: dict[str, float]) -> None:
    values: dict[str, float] = {"width": 64, "height": 64, "fps": 24, "duration": 1} | kwargs
    with pytest.raises(ValueError):
        ClipSpec(caption="x", **values)  # type: ignore[arg-type]


# --- transform_clip ---------------------------------------------------------------------------


def test_scale_doubles_dimensions(source: bytes) -> None:
    facts = probe(transform_clip(source, scale=2))
    assert (facts.width, facts.height) == (640, 360)
    assert facts.num_frames == 48
    assert facts.duration == pytest.approx(2.0, abs=0.05)


def test_fps_factor_doubles_frames_and_keeps_duration(source: bytes) -> None:
    facts = probe(transform_clip(source, fps_factor=2))
    assert facts.num_frames == 96
    assert facts.fps == pytest.approx(48)
    assert facts.duration == pytest.approx(2.0, abs=0.05)


def test_interpolated_frame_lies_between_its_neighbours(source: bytes) -> None:
    doubled = transform_clip(source, fps_factor=2)
    before, after = frame_rgb(source, 20), frame_rgb(source, 21)
    between = frame_rgb(doubled, 41)
    halfway = (before + after) / 2
    assert np.abs(between - halfway).mean() < np.abs(between - before).mean()


def test_extend_appends_frames_at_the_same_fps(source: bytes) -> None:
    facts = probe(transform_clip(source, extend_seconds=1.0, caption="and then, señor…"))
    assert facts.num_frames == 48 + 24
    assert facts.fps == pytest.approx(24)
    assert facts.duration == pytest.approx(3.0, abs=0.05)
    assert facts.has_audio
    assert facts.audio_duration == pytest.approx(2.0, abs=0.05)


def test_extend_counts_frames_at_the_interpolated_rate(source: bytes) -> None:
    facts = probe(transform_clip(source, fps_factor=2, extend_seconds=0.5))
    assert facts.num_frames == 96 + 24


def test_reframe_to_portrait(source: bytes) -> None:
    reframed = transform_clip(source, width=180, height=320)
    facts = probe(reframed)
    assert (facts.width, facts.height, facts.num_frames) == (180, 320, 48)
    first = frame_rgb(reframed, 0)
    assert first[:40].mean() < first[140:180].mean()  # dimmed padding above the picture


def test_single_forced_side_keeps_the_aspect(source: bytes) -> None:
    facts = probe(transform_clip(source, width=640))
    assert (facts.width, facts.height) == (640, 360)


def test_transform_keeps_source_audio(source: bytes) -> None:
    facts = probe(transform_clip(source, scale=1.5))
    assert (facts.width, facts.height) == (480, 270)
    assert facts.has_audio
    assert facts.audio_duration == pytest.approx(2.0, abs=0.05)


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"fps_factor": 0}, {"extend_seconds": -1.0}])
def test_invalid_transforms_are_rejected(source: bytes, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        transform_clip(source, **kwargs)  # type: ignore[arg-type]


# --- audio ------------------------------------------------------------------------------------


def test_render_tone_is_an_m4a_of_the_requested_length() -> None:
    tone = render_tone(1.5)
    facts = probe(tone)
    assert facts.content_type == "audio/mp4"
    assert (facts.num_frames, facts.has_audio) == (0, True)
    assert facts.audio_duration == pytest.approx(1.5, abs=0.03)


@pytest.mark.parametrize("offset", [0.0, 0.5, 1.25])
def test_mux_audio_starts_at_the_offset(silent: bytes, offset: float) -> None:
    facts = probe(mux_audio(silent, render_tone(0.5), start_offset=offset))
    assert facts.has_audio
    assert facts.num_frames == 48
    assert facts.duration == pytest.approx(2.0, abs=0.05)
    assert facts.audio_start == pytest.approx(offset, abs=0.1)


def test_mux_audio_trims_audio_to_the_video(silent: bytes) -> None:
    facts = probe(mux_audio(silent, render_tone(5.0), start_offset=0.5))
    assert facts.duration == pytest.approx(2.0, abs=0.05)
    assert facts.audio_duration == pytest.approx(2.0, abs=0.05)


def test_mux_audio_replaces_existing_audio_and_accepts_wav(source: bytes) -> None:
    wav = sine_wav(1.0)
    assert sniff_content_type(wav) == "audio/wav"
    facts = probe(mux_audio(source, wav, start_offset=0.75))
    assert facts.audio_start == pytest.approx(0.75, abs=0.1)  # the old tone started at 0
    assert facts.audio_duration == pytest.approx(1.75, abs=0.05)


def test_mux_audio_rejects_bad_input(silent: bytes) -> None:
    with pytest.raises(ValueError):
        mux_audio(silent, render_tone(0.5), start_offset=-1)
    with pytest.raises(ValueError):
        mux_audio(silent, silent)  # no audio stream to add


# --- media ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00", "video/quicktime"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", "video/quicktime"),
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00", "audio/mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", "video/x-matroska"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00", "audio/mpeg"),
        (b"\xff\xf1\x50\x80\x02", "audio/aac"),
        (b"OggS\x00\x02\x00\x00", "audio/ogg"),
        (b"hello world", None),
        (b"", None),
    ],
)
def test_sniff_content_type(head: bytes, expected: str | None) -> None:
    assert sniff_content_type(head) == expected


def test_probe_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        probe(b"definitely not a video" * 50)
