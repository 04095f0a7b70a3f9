"""Synthetic but real media for the sandbox: H.264/AAC MP4 files rendered in memory.

Why this exists: a fal-compatible test server must hand back videos that players, probes and
download code treat exactly like the real thing, without a GPU, a model or a system ffmpeg.
Everything goes through PyAV (its bundled FFmpeg, libx264 and the native AAC encoder).

Why it is fast: all pixel work happens directly on the encoder's yuv420p planes (an RGB to
YUV conversion per frame would cost more than the encoding itself). Caption, label and
timecode glyphs are drawn with Pillow once per clip into pre-multiplied YUV patches; a frame
is then a slice of a pre-built gradient tile plus a few integer blends, and x264 runs with
the ``ultrafast`` preset.

Conventions:
- frame sizes are rounded *up* to even numbers (yuv420p halves both chroma axes);
- frame rates are stored exactly: 23.976 / 29.97 / 59.94 become 24000/1001, 30000/1001 and
  60000/1001; other rates use the nearest fraction with a denominator of at most 1001;
- pixels are BT.709 limited range, and the streams are tagged so;
- every output is an MP4 with its ``moov`` box first (``+faststart``), so it streams.
"""

from __future__ import annotations

import colorsys
import io
import itertools
import math
import random
import textwrap
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream
from av.video.stream import VideoStream
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path(__file__).with_name("fonts") / "DejaVuSansMono-Bold.ttf"

_X264_OPTIONS = {"preset": "ultrafast", "tune": "zerolatency", "crf": "26"}
_BT709 = 1  # AVCOL_SPC_BT709 == AVCOL_PRI_BT709 == AVCOL_TRC_BT709
_LIMITED_RANGE = 1  # AVCOL_RANGE_MPEG
_AAC_FRAME = 1024  # samples per AAC frame; feeding whole frames keeps pts exact
_TONE_LEVEL = 0.1  # -20 dBFS: audible, never loud
_TONE_FADE = 0.02  # seconds of fade in/out, avoids clicks
_CYCLE_SECONDS = 3.0  # the background gradient scrolls one full period in this time
_PERIOD = 256  # background gradient period in pixels (even, so chroma stays aligned)
_PANEL = (0, 0, 0, 130)  # translucent backing behind all text, keeps it legible on any colour
_WHITE = (255, 255, 255, 255)
_BLACK = (0, 0, 0, 255)
_CLOCK_CHARS = "0123456789:.# "

# RGB (0..1) to BT.709 limited-range Y'CbCr: rows are Y, U (Cb), V (Cr).
_YUV_MATRIX = np.array(
    [[0.2126, 0.7152, 0.0722], [-0.1146, -0.3854, 0.5], [0.5, -0.4542, -0.0458]]
) * np.array([[219.0], [224.0], [224.0]])
_YUV_OFFSET = np.array([16.0, 128.0, 128.0])

_Planes = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ClipSpec:
    """What a sandbox text/image-to-video request should look like as a video."""

    width: int
    height: int
    fps: float
    duration: float  # seconds
    caption: str  # drawn centred and wrapped (usually the prompt)
    label: str = ""  # small line at the bottom, e.g. endpoint id and request id
    audio: bool = False  # add a quiet AAC sine tone of the same duration
    seed: int = 0  # picks the background colours so different requests look different

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"frame size must be positive, got {self.width}x{self.height}")
        if self.fps <= 0 or self.duration <= 0:
            raise ValueError(f"fps and duration must be positive, got {self.fps}, {self.duration}")


def render_clip(spec: ClipSpec) -> bytes:
    """Render ``spec`` as MP4 bytes with round(duration * fps) frames (at least one)."""
    width, height = _even(spec.width), _even(spec.height)
    rate = _exact_rate(spec.fps)
    count = max(1, round(spec.duration * rate))
    scene = _Scene.build(width, height, rate, spec)
    writer = _Mp4Writer()
    video = writer.add_video(width, height, rate)
    if spec.audio:
        tone = _tone(float(count / rate), 44100, _tone_pitch(spec.seed))
        writer.write_audio(writer.add_audio(tone), tone)
    writer.write_video(video, (scene.frame(index, count) for index in range(count)))
    return writer.finish()


def transform_clip(
    source: bytes,
    *,
    scale: float = 1.0,
    fps_factor: int = 1,
    width: int | None = None,
    height: int | None = None,
    extend_seconds: float = 0.0,
    caption: str = "",
) -> bytes:
    """Re-render an MP4 the way upscale / interpolate / reframe / extend models change videos.

    - ``scale`` multiplies both dimensions (rounded up to even).
    - ``width``/``height`` force the output size; the source is letterboxed into it over a
      blurred, darkened copy of itself (a cheap stand-in for outpainting). Giving only one
      keeps the (scaled) source aspect ratio for the other.
    - ``fps_factor`` multiplies the frame rate and inserts blended in-between frames. The
      output has exactly ``n * fps_factor`` frames for ``n`` source frames (the last source
      frame is held for its in-betweens), so the duration is unchanged.
    - ``extend_seconds`` appends round(extend_seconds * output fps) frames: a slowly panning
      blur of the last frame with ``caption`` and the continuing timecode drawn over it.
    - The source's first audio stream is kept (re-encoded as AAC, not extended).
    """
    if scale <= 0 or fps_factor < 1 or extend_seconds < 0:
        raise ValueError("need scale > 0, fps_factor >= 1 and extend_seconds >= 0")
    pcm = _decode_pcm(source)
    with av.open(io.BytesIO(source), mode="r") as container:
        stream = _video_stream(container)
        stream.thread_type = "AUTO"
        rate = _stream_rate(stream) * fps_factor
        size = _target_size(stream.width, stream.height, scale, width, height)
        writer = _Mp4Writer()
        video = writer.add_video(*size, rate)
        if pcm is not None:
            writer.write_audio(writer.add_audio(pcm), pcm)
        fitted = (_fit(frame, *size) for frame in container.decode(stream))
        frames = _interpolate(fitted, fps_factor)
        extra = round(extend_seconds * rate)
        writer.write_video(video, _extend(frames, extra, rate, caption))
    return writer.finish()


def mux_audio(video: bytes, audio: bytes, *, start_offset: float = 0.0) -> bytes:
    """Put ``audio`` under ``video``'s picture, starting ``start_offset`` seconds in.

    Any audio ``video`` already had is replaced. The new audio is re-encoded as AAC, preceded
    by ``start_offset`` seconds of digital silence (so every player sees the sound start
    there) and cut at the video's end. The picture is re-encoded too, not stream-copied:
    PyAV's remuxing (``add_stream_from_template``) writes undecodable H.264 before av 15.
    """
    if start_offset < 0:
        raise ValueError(f"start_offset must be >= 0, got {start_offset}")
    pcm = _decode_pcm(audio)
    if pcm is None:
        raise ValueError("the audio input has no audio stream")
    with av.open(io.BytesIO(video), mode="r") as container:
        stream = _video_stream(container)
        stream.thread_type = "AUTO"
        packets = list(container.demux(stream))  # kept: their timestamps give the exact end
        size = _even(stream.width), _even(stream.height)
        writer = _Mp4Writer()
        picture = writer.add_video(*size, _stream_rate(stream))
        placed = pcm.placed(start_offset, _packets_end(packets))
        writer.write_audio(writer.add_audio(placed), placed)
        frames = (_fit(frame, *size) for packet in packets for frame in packet.decode())
        writer.write_video(picture, frames)
    return writer.finish()


def render_tone(duration: float, *, sample_rate: int = 44100) -> bytes:
    """Render a quiet 440 Hz sine as an .m4a (AAC in MP4) file, e.g. as ``mux_audio`` input."""
    if duration <= 0:
        raise ValueError(f"duration must be positive, got {duration}")
    tone = _tone(duration, sample_rate, 440.0)
    writer = _Mp4Writer(format_name="ipod")  # the ipod muxer writes the M4A brand
    writer.write_audio(writer.add_audio(tone), tone)
    return writer.finish()


def concat_clips(
    clips: list[bytes], *, width: int | None = None, height: int | None = None, fps: float | None = None
) -> bytes:
    """Join MP4s end to end, decoded and re-encoded, the way fal's merge-videos does.

    - The frame is ``width`` x ``height``, by default the smallest width and the smallest height
      of the clips; each clip is fitted into it (letterboxed over a blurred copy of itself).
    - The rate is ``fps``, by default the lowest of the clips'; a clip at another rate keeps its
      length (frames are repeated or dropped by their time), so the result lasts the sum of them.
    - Sound: each clip's own, or silence for a clip without any, when at least one clip has sound.
    """
    if not clips:
        raise ValueError("no clips to join")
    facts = [_clip_facts(clip) for clip in clips]
    size = _even(width or min(w for w, _, _ in facts)), _even(height or min(h for _, h, _ in facts))
    rate = _exact_rate(fps) if fps else min(r for _, _, r in facts)
    counts = [_frame_count(clip) for clip in clips]
    lengths = [
        max(1, round(Fraction(count) / source * rate))
        for count, (_, _, source) in zip(counts, facts, strict=True)
    ]
    writer = _Mp4Writer()
    video = writer.add_video(*size, rate)
    sound = _joined_pcm(clips, [float(Fraction(length) / rate) for length in lengths])
    if sound is not None:
        writer.write_audio(writer.add_audio(sound), sound)
    writer.write_video(video, _retimed_frames(clips, lengths, size))
    return writer.finish()


def frames_from_images(images: list[tuple[bytes, int]], *, fps: float) -> bytes:
    """An MP4 of still images, each held for its number of frames; the frame is the first image's."""
    if not images:
        raise ValueError("no images")
    pictures = [Image.open(io.BytesIO(data)).convert("RGB") for data, _ in images]
    size = _even(pictures[0].width), _even(pictures[0].height)
    writer = _Mp4Writer()
    video = writer.add_video(*size, _exact_rate(fps))

    def frames() -> Iterator[av.VideoFrame]:
        for picture, (_, count) in zip(pictures, images, strict=True):
            still = _fit(av.VideoFrame.from_ndarray(np.asarray(picture), format="rgb24"), *size)
            for _ in range(count):
                yield still.reformat(*size, "yuv420p")

    writer.write_video(video, frames())
    return writer.finish()


def _clip_facts(clip: bytes) -> tuple[int, int, Fraction]:
    with av.open(io.BytesIO(clip), mode="r") as container:
        stream = _video_stream(container)
        return stream.width, stream.height, _stream_rate(stream)


def _frame_count(clip: bytes) -> int:
    with av.open(io.BytesIO(clip), mode="r") as container:
        stream = _video_stream(container)
        return sum(1 for packet in container.demux(stream) if packet.pts is not None)


def _retimed_frames(clips: list[bytes], lengths: list[int], size: tuple[int, int]) -> Iterator[av.VideoFrame]:
    """Each clip's frames, repeated or dropped so that clip i fills exactly ``lengths[i]`` frames."""
    for clip, length in zip(clips, lengths, strict=True):
        count = _frame_count(clip)
        with av.open(io.BytesIO(clip), mode="r") as container:
            stream = _video_stream(container)
            emitted = 0
            for index, frame in enumerate(container.decode(stream)):
                fitted = _fit(frame, *size)
                until = min(length, round((index + 1) * length / count))
                while emitted < until:
                    yield fitted
                    emitted += 1
            if emitted == 0:
                raise ValueError("a clip has no decodable frames")
            while emitted < length:  # a decoder that gave fewer frames than packets: hold the last
                yield fitted
                emitted += 1


def _joined_pcm(clips: list[bytes], seconds: list[float]) -> _Pcm | None:
    """Every clip's sound cut or padded to its length, one after another; None when none has sound."""
    sounds = [_decode_pcm(clip) for clip in clips]
    heard = [sound for sound in sounds if sound is not None]
    if not heard:
        return None
    rate = heard[0].rate
    parts = []
    for sound, length in zip(sounds, seconds, strict=True):
        total = round(length * rate)
        mono = np.zeros(total, np.float32)
        if sound is not None:
            samples = sound.samples.mean(axis=0)
            if sound.rate != rate:
                times = np.arange(round(samples.shape[0] * rate / sound.rate)) / rate
                samples = np.interp(times, np.arange(samples.shape[0]) / sound.rate, samples)
            kept = samples[:total].astype(np.float32)
            mono[: kept.shape[0]] = kept
        parts.append(mono)
    return _Pcm(np.concatenate(parts)[np.newaxis, :], rate)


# --- output ---------------------------------------------------------------------------------


class _Mp4Writer:
    """One in-memory MP4 output. Add every stream before writing any media."""

    def __init__(self, format_name: str = "mp4") -> None:
        self._buffer = io.BytesIO()
        self.container = av.open(
            self._buffer,
            "w",
            format=format_name,
            options={"movflags": "+faststart"},
            io_open=self._reopen,
        )

    def _reopen(self, url: str, flags: int, options: dict[str, str]) -> io.BytesIO:
        """Serve the faststart pass, which re-opens the output by name to read it back.

        An in-memory buffer has no name, so it gets a snapshot of what was written so far;
        FFmpeg flushes before re-opening and only reads bytes it has not yet rewritten.
        """
        return io.BytesIO(self._buffer.getvalue())

    def add_video(self, width: int, height: int, rate: Fraction) -> VideoStream:
        stream = self.container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.colorspace = stream.color_primaries = stream.color_trc = _BT709
        stream.color_range = _LIMITED_RANGE
        stream.options = dict(_X264_OPTIONS)
        return stream

    def add_audio(self, pcm: _Pcm) -> AudioStream:
        stream = self.container.add_stream("aac", rate=pcm.rate, layout=pcm.layout)
        stream.bit_rate = 96_000
        return stream

    def write_video(self, stream: VideoStream, frames: Iterable[av.VideoFrame]) -> None:
        time_base = 1 / Fraction(stream.codec_context.framerate)
        for index, frame in enumerate(frames):
            frame.pts, frame.time_base = index, time_base  # decoded frames carry their old ones
            frame.pict_type = 0  # let x264 choose; decoded frames carry their old I/P types
            self.container.mux(stream.encode(frame))
        self.container.mux(stream.encode(None))

    def write_audio(self, stream: AudioStream, pcm: _Pcm) -> None:
        for start in range(0, pcm.samples.shape[1], _AAC_FRAME):
            chunk = np.ascontiguousarray(pcm.samples[:, start : start + _AAC_FRAME])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=pcm.layout)
            frame.sample_rate, frame.pts = pcm.rate, start
            frame.time_base = Fraction(1, pcm.rate)
            self.container.mux(stream.encode(frame))
        self.container.mux(stream.encode(None))

    def finish(self) -> bytes:
        self.container.close()
        return self._buffer.getvalue()


# --- audio ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pcm:
    """Planar float32 audio, shape (channels, samples), aligned so sample 0 is at t=0."""

    samples: np.ndarray
    rate: int

    @property
    def layout(self) -> str:
        return "mono" if self.samples.shape[0] == 1 else "stereo"

    def placed(self, start: float, total: float | None = None) -> _Pcm:
        """Delay by ``start`` seconds of silence, then cut to ``total`` seconds if given."""
        lead = np.zeros((self.samples.shape[0], round(start * self.rate)), np.float32)
        joined = np.concatenate([lead, self.samples], axis=1)
        end = None if total is None else round(total * self.rate)
        return _Pcm(joined[:, :end], self.rate)


def _tone(duration: float, rate: int, pitch: float) -> _Pcm:
    """A faded sine: recognisable when listened to, trivially checkable when probed."""
    count = max(1, round(duration * rate))
    t = np.arange(count, dtype=np.float64) / rate
    fade = np.clip(np.minimum(t, duration - t) / _TONE_FADE, 0.0, 1.0)
    wave = _TONE_LEVEL * fade * np.sin(2 * math.pi * pitch * t)
    return _Pcm(wave.astype(np.float32)[np.newaxis, :], rate)


def _tone_pitch(seed: int) -> float:
    """A semitone of the A3..G#4 octave per seed, so audio also differs between requests."""
    return 220.0 * 2 ** ((seed % 12) / 12)


def _decode_pcm(data: bytes) -> _Pcm | None:
    """Decode the first audio stream to planar float (mono or stereo), or None if there is none.

    The result is cut to the stream's declared duration: decoders return the encoder's
    padding after the last real sample, which would otherwise grow the audio on every pass.
    """
    with av.open(io.BytesIO(data), mode="r") as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        layout = "mono" if stream.channels == 1 else "stereo"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=stream.rate)
        chunks: list[np.ndarray] = []
        lead: float | None = None
        for frame in container.decode(stream):
            if lead is None:
                lead = max(0.0, frame.time or 0.0)
            chunks.extend(out.to_ndarray() for out in resampler.resample(frame))
        chunks.extend(out.to_ndarray() for out in resampler.resample(None))
        # Read while the container is open: PyAV 18 refuses a closed container's stream facts.
        rate = stream.rate
        declared = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
    if not chunks:
        return None
    lead = lead or 0.0
    pcm = _Pcm(np.concatenate(chunks, axis=1), rate)
    return pcm.placed(lead, None if declared is None else lead + declared)


# --- video: timing and geometry -------------------------------------------------------------


def _even(value: float) -> int:
    """Round up to the next even integer (at least 2): yuv420p halves both chroma axes."""
    return max(2, math.ceil(value / 2) * 2)


def _exact_rate(fps: float) -> Fraction:
    """Turn a float fps into the exact rational rate a container should store."""
    ntsc = round(fps * 1.001)
    if abs(fps - round(fps)) > 1e-3 and abs(Fraction(ntsc * 1000, 1001) - fps) < 5e-4:
        return Fraction(ntsc * 1000, 1001)
    return Fraction(fps).limit_denominator(1001)


def _video_stream(container: av.container.InputContainer) -> VideoStream:
    if not container.streams.video:
        raise ValueError("the input has no video stream")
    return container.streams.video[0]


def _stream_rate(stream: VideoStream) -> Fraction:
    """The source's nominal frame rate, preferring the exact r_frame_rate."""
    rate = stream.base_rate or stream.average_rate or stream.guessed_rate
    if not rate:
        raise ValueError("the source video has no known frame rate")
    return Fraction(rate)


def _packets_end(packets: list[av.Packet]) -> float:
    """Presentation end of a packet list in seconds (last pts plus its duration)."""
    timed = [p for p in packets if p.pts is not None]  # demux ends with an empty flush packet
    if not timed:
        raise ValueError("the video has no frames")
    return max(float(((p.pts or 0) + (p.duration or 0)) * p.time_base) for p in timed)


def _target_size(
    width: int, height: int, scale: float, forced_w: int | None, forced_h: int | None
) -> tuple[int, int]:
    """Output size: forced values win, a missing one follows the scaled source aspect."""
    scaled_w, scaled_h = width * scale, height * scale
    if forced_w and not forced_h:
        return _even(forced_w), _even(forced_w * scaled_h / scaled_w)
    if forced_h and not forced_w:
        return _even(forced_h * scaled_w / scaled_h), _even(forced_h)
    return _even(forced_w or scaled_w), _even(forced_h or scaled_h)


# --- video: frames as yuv420p planes --------------------------------------------------------


def _planes(frame: av.VideoFrame) -> _Planes:
    """Numpy views (no copy) of a yuv420p frame's Y, U and V planes, padding excluded."""
    return _triple(
        np.ndarray((p.height, p.width), np.uint8, buffer=memoryview(p), strides=(p.line_size, 1))
        for p in frame.planes
    )


def _triple(arrays: Iterable[np.ndarray]) -> _Planes:
    y, u, v = arrays
    return y, u, v


def _to_yuv(rgb: np.ndarray) -> np.ndarray:
    """BT.709 limited-range Y'CbCr (float, last axis Y, U, V) of uint8 RGB (last axis 3)."""
    return (rgb / 255.0) @ _YUV_MATRIX.T + _YUV_OFFSET


def _halve(values: np.ndarray) -> np.ndarray:
    """Mean of each 2x2 block: full-resolution values to chroma resolution."""
    height, width = values.shape[:2]
    return values.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))


def _fit(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    """Scale ``frame`` into the size keeping its aspect; pad over a blurred, dimmed copy."""
    ratio = min(width / frame.width, height / frame.height)
    inner_w = min(width, _even(frame.width * ratio))
    inner_h = min(height, _even(frame.height * ratio))
    if (inner_w, inner_h) == (width, height):
        return frame.reformat(width, height, "yuv420p")
    canvas = _blurred(frame, width, height)
    inner = frame.reformat(inner_w, inner_h, "yuv420p")
    top, left = (height - inner_h) // 2 & ~1, (width - inner_w) // 2 & ~1
    for index, (back, front) in enumerate(zip(_planes(canvas), _planes(inner), strict=True)):
        neutral = 16 if index == 0 else 128  # dim towards black: halve the distance to it
        back[...] = back // 2 + neutral // 2
        shift = 0 if index == 0 else 1
        row, column = top >> shift, left >> shift
        back[row : row + front.shape[0], column : column + front.shape[1]] = front
    return canvas


def _blurred(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    """A very blurred copy (shrunk to 16x16, scaled back up): the colours without the detail."""
    return frame.reformat(16, 16, "yuv420p", interpolation="AREA").reformat(
        width, height, interpolation="BICUBIC"
    )


def _interpolate(frames: Iterable[av.VideoFrame], factor: int) -> Iterator[av.VideoFrame]:
    """Yield each frame followed by ``factor - 1`` linear blends towards the next one."""
    previous: av.VideoFrame | None = None
    for current in frames:
        if previous is not None:
            yield from _blends(previous, current, factor)
        previous = current
    if previous is not None:
        yield from _blends(previous, previous, factor)


def _blends(start: av.VideoFrame, end: av.VideoFrame, factor: int) -> Iterator[av.VideoFrame]:
    """``start`` and its in-betweens; ``end is start`` means hold (the clip's last frame)."""
    yield start
    if factor == 1:
        return
    if end is start:
        yield from itertools.repeat(start, factor - 1)
        return
    pairs = [
        (a.astype(np.uint16), b.astype(np.uint16)) for a, b in zip(_planes(start), _planes(end), strict=True)
    ]
    for step in range(1, factor):
        blend = av.VideoFrame(start.width, start.height, "yuv420p")
        for target, (first, last) in zip(_planes(blend), pairs, strict=True):
            target[...] = (first * (factor - step) + last * step) // factor
        yield blend


def _extend(
    frames: Iterable[av.VideoFrame], extra: int, rate: Fraction, caption: str
) -> Iterator[av.VideoFrame]:
    """Pass ``frames`` through, then add ``extra`` frames continuing from the last one."""
    last: av.VideoFrame | None = None
    count = 0
    for last in frames:
        count += 1
        yield last
    if last is None or extra == 0:
        return
    overlay = _Overlay.build(last.width, last.height, rate, caption, "")
    backdrop = _Backdrop.mirrored(_blurred(last, last.width, last.height), rate)
    for step in range(1, extra + 1):
        frame, planes = backdrop.frame(step)
        overlay.paint(planes, count + step - 1)
        yield frame


# --- video: drawing -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Patch:
    """An RGBA image as pre-multiplied YUV planes, so blending is integer multiply-and-shift.

    Each plane holds ``colour`` = value * alpha and ``keep`` = 256 - alpha, alpha on 0..256.
    Sizes are even and patches are placed at even positions, keeping chroma aligned.
    """

    colour: _Planes  # uint16
    keep: _Planes  # uint16

    @classmethod
    def from_image(cls, image: Image.Image) -> _Patch:
        even = Image.new("RGBA", (_even(image.width), _even(image.height)))
        even.paste(image.convert("RGBA"))
        rgba = np.asarray(even, dtype=np.float64)
        alpha = rgba[..., 3] / 255.0
        weighted = _to_yuv(rgba[..., :3]) * alpha[..., np.newaxis]
        alphas = (alpha, _halve(alpha), _halve(alpha))
        values = (weighted[..., 0], _halve(weighted[..., 1]), _halve(weighted[..., 2]))
        colour = _triple(np.rint(v * 256).astype(np.uint16) for v in values)
        keep = _triple((256 - np.rint(a * 256)).astype(np.uint16) for a in alphas)
        return cls(colour, keep)

    @classmethod
    def row(cls, patches: list[_Patch]) -> _Patch:
        """Patches of equal height side by side (monospace glyph cells)."""
        colour = _triple(np.concatenate([p.colour[i] for p in patches], axis=1) for i in range(3))
        keep = _triple(np.concatenate([p.keep[i] for p in patches], axis=1) for i in range(3))
        return cls(colour, keep)

    @property
    def size(self) -> tuple[int, int]:
        height, width = self.keep[0].shape
        return width, height

    def paint(self, planes: _Planes, top: int, left: int) -> None:
        """Blend onto the planes in place; parts falling outside the frame are dropped."""
        top, left = top & ~1, left & ~1  # odd positions would misalign luma and chroma
        for index, plane in enumerate(planes):
            shift = 0 if index == 0 else 1
            row, column = top >> shift, left >> shift
            height = min(self.keep[index].shape[0], plane.shape[0] - row)
            width = min(self.keep[index].shape[1], plane.shape[1] - column)
            region = plane[row : row + height, column : column + width]
            keep = self.keep[index][:height, :width]
            region[...] = (region * keep + self.colour[index][:height, :width]) >> 8


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


def _text_patch(lines: list[str], font: ImageFont.FreeTypeFont) -> _Patch:
    """Centred white lines with a dark outline on a translucent rounded panel."""
    ascent, descent = font.getmetrics()
    line_height = round((ascent + descent) * 1.15)
    pad = max(2, int(font.size) // 3)
    text_w = max(math.ceil(font.getlength(line)) for line in lines)
    image = Image.new("RGBA", (text_w + 2 * pad, line_height * len(lines) + 2 * pad))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, image.width - 1, image.height - 1), pad, fill=_PANEL)
    stroke = max(1, font.size // 16)
    for row, line in enumerate(lines):
        xy = (image.width / 2, pad + row * line_height)
        draw.text(xy, line, _WHITE, font, anchor="ma", stroke_width=stroke, stroke_fill=_BLACK)
    return _Patch.from_image(image)


def _clean(text: str) -> str:
    """NFC (so 'e' + combining accent is one glyph and one column) with whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _wrap_caption(caption: str, width: int, height: int) -> tuple[list[str], int]:
    """Wrap into about 90% x 55% of the frame, shrinking the font before truncating.

    The font is monospace, so a character count per line is an exact width.
    """
    unit = min(width, height)
    largest, smallest = max(10, unit // 11), max(8, unit // 26)
    for size in range(largest, smallest - 1, -max(1, (largest - smallest) // 6)):
        columns, rows = _grid(size, width * 0.9, height * 0.55)
        lines = textwrap.wrap(caption, columns)
        if len(lines) <= rows:
            return lines, size
    columns, rows = _grid(smallest, width * 0.9, height * 0.55)
    return textwrap.wrap(caption, columns, max_lines=rows, placeholder=" …"), smallest


def _grid(size: int, max_w: float, max_h: float) -> tuple[int, int]:
    """How many monospace columns and text rows of font ``size`` fit in the box."""
    font = _font(size)
    ascent, descent = font.getmetrics()
    columns = int((max_w - size) // font.getlength("M"))
    rows = int((max_h - size) // round((ascent + descent) * 1.15))
    return max(1, columns), max(1, rows)


def _caption_patch(caption: str, width: int, height: int) -> _Patch | None:
    text = _clean(caption)
    if not text:
        return None
    lines, size = _wrap_caption(text, width, height)
    return _text_patch(lines, _font(size))


def _label_patch(label: str, width: int, size: int) -> _Patch | None:
    text = _clean(label)
    if not text:
        return None
    columns, _ = _grid(size, width * 0.95, size * 2)
    return _text_patch([textwrap.shorten(text, columns, placeholder="…")], _font(size))


class _Clock:
    """Timecode text built per frame from glyph cells pre-rendered once."""

    def __init__(self, size: int, rate: Fraction) -> None:
        font = _font(size)
        ascent, descent = font.getmetrics()
        cell = (_even(font.getlength("0")), _even(ascent + descent + 2))
        self._rate = rate
        self._cells = {char: _Patch.from_image(_glyph(char, font, cell)) for char in _CLOCK_CHARS}

    def patch(self, index: int) -> _Patch:
        minutes, seconds = divmod(float(index / self._rate), 60)
        text = f"{int(minutes):02d}:{seconds:05.2f} #{index + 1:04d}"
        return _Patch.row([self._cells[char] for char in text])


def _glyph(char: str, font: ImageFont.FreeTypeFont, cell: tuple[int, int]) -> Image.Image:
    image = Image.new("RGBA", cell, _PANEL)
    ImageDraw.Draw(image).text((0, 1), char, _WHITE, font)
    return image


@dataclass(frozen=True)
class _Overlay:
    """Everything drawn over the background: caption, label and the running timecode."""

    caption: _Patch | None
    label: _Patch | None
    clock: _Clock
    margin: int

    @classmethod
    def build(cls, width: int, height: int, rate: Fraction, caption: str, label: str) -> _Overlay:
        unit = min(width, height)
        return cls(
            _caption_patch(caption, width, height),
            _label_patch(label, width, max(8, unit // 26)),
            _Clock(max(8, unit // 22), rate),
            _even(unit / 40),
        )

    def paint(self, planes: _Planes, index: int) -> None:
        height, width = planes[0].shape
        if self.caption is not None:
            patch_w, patch_h = self.caption.size
            self.caption.paint(planes, max(0, height - patch_h) // 2, max(0, width - patch_w) // 2)
        if self.label is not None:
            patch_w, patch_h = self.label.size
            top = max(0, height - patch_h - 2 * self.margin)
            self.label.paint(planes, top, max(0, width - patch_w) // 2)
        self.clock.patch(index).paint(planes, self.margin, self.margin)


@dataclass(frozen=True)
class _Backdrop:
    """Periodic planes wider than the frame; each frame is a window scrolled sideways."""

    tile: _Planes  # at least width + period luma columns
    width: int
    period: int  # luma columns after which the tile repeats (even)
    step: float  # scroll speed in luma columns per frame

    @classmethod
    def gradient(cls, width: int, height: int, rate: Fraction, seed: int) -> _Backdrop:
        """Diagonal bands of a seed-chosen palette, one period scrolled per _CYCLE_SECONDS."""
        palette = np.rint(_to_yuv(_palette(seed, _PERIOD))).astype(np.uint8)
        columns = np.arange(width + _PERIOD)[np.newaxis, :]
        rows = np.arange(height)[:, np.newaxis]
        luma = palette[(columns + rows // 2) % _PERIOD, 0]
        chroma = palette[(columns[:, ::2] + rows[::2] // 2) % _PERIOD]  # even positions only
        step = _PERIOD / (float(rate) * _CYCLE_SECONDS)
        return cls((luma, chroma[..., 1], chroma[..., 2]), width, _PERIOD, step)

    @classmethod
    def mirrored(cls, frame: av.VideoFrame, rate: Fraction) -> _Backdrop:
        """``frame`` next to its mirror image (so no seam), panned over in 4 * _CYCLE_SECONDS."""
        tile = _triple(np.concatenate([p, p[:, ::-1], p], axis=1) for p in _planes(frame))
        period = 2 * frame.width
        return cls(tile, frame.width, period, period / (float(rate) * 4 * _CYCLE_SECONDS))

    def frame(self, index: int) -> tuple[av.VideoFrame, _Planes]:
        """A new frame showing window ``index``, and writable views of its planes."""
        offset = round(index * self.step / 2) % (self.period // 2)  # in chroma columns
        frame = av.VideoFrame(self.width, self.tile[0].shape[0], "yuv420p")
        planes = _planes(frame)
        for target, source, scale in zip(planes, self.tile, (2, 1, 1), strict=True):
            start = offset * scale
            target[...] = source[:, start : start + target.shape[1]]
        return frame, planes


@dataclass(frozen=True)
class _Scene:
    """A clip's static parts, so that rendering a frame is slicing and blending arrays."""

    backdrop: _Backdrop
    overlay: _Overlay

    @classmethod
    def build(cls, width: int, height: int, rate: Fraction, spec: ClipSpec) -> _Scene:
        return cls(
            _Backdrop.gradient(width, height, rate, spec.seed),
            _Overlay.build(width, height, rate, spec.caption, spec.label),
        )

    def frame(self, index: int, count: int) -> av.VideoFrame:
        frame, planes = self.backdrop.frame(index)
        self.overlay.paint(planes, index)
        self._progress(planes, (index + 1) / count)
        return frame

    def _progress(self, planes: _Planes, fraction: float) -> None:
        """A white bar along the bottom edge, growing to full width on the last frame."""
        luma, u, v = planes
        bar = max(1, luma.shape[0] // 180)  # in chroma rows
        length = round(u.shape[1] * fraction)
        luma[-2 * bar :, : 2 * length] = 235
        u[-bar:, :length] = v[-bar:, :length] = 128


def _palette(seed: int, length: int) -> np.ndarray:
    """A cyclic RGB gradient through three seed-chosen mid-tones (white text stays readable)."""
    rng = random.Random(seed)
    base = rng.random()
    hues = [(base + offset) % 1.0 for offset in (0.0, 0.2 + rng.random() * 0.2, 0.55)]
    colours = [colorsys.hsv_to_rgb(hue, 0.55 + rng.random() * 0.3, 0.4 + rng.random() * 0.25) for hue in hues]
    stops = np.array([*colours, colours[0]])
    position = np.linspace(0, len(stops) - 1, length, endpoint=False)
    channels = [np.interp(position, np.arange(len(stops)), stops[:, c]) for c in range(3)]
    return np.stack(channels, axis=1) * 255
