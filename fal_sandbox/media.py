"""Probing helpers: what a media file really is, established by decoding it with PyAV.

Why decode rather than read headers: the sandbox (and its tests) must prove that a file it
serves or receives actually plays, and headers can claim frames that are not there.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

from .content import content_type as sniffed_type

_AUDIBLE = 1e-3  # -60 dBFS: anything quieter counts as silence when locating the audio start


@dataclass(frozen=True)
class MediaFacts:
    """Decoded facts about one media file; video fields are None when there is no picture."""

    width: int | None
    height: int | None
    fps: float | None  # the stream's nominal rate
    duration: float  # seconds, up to the end of the last decoded frame of any stream
    num_frames: int  # video frames actually decoded
    has_audio: bool
    audio_duration: float | None  # seconds of decoded samples (capped at the declared length)
    audio_start: float | None  # seconds to the first audible sample (above -60 dBFS)
    content_type: str | None  # from the leading bytes, see content.content_type


def probe(data: bytes | Path) -> MediaFacts:
    """Decode every frame of the first video and audio streams of ``data`` (bytes, or a file read
    from disk as it decodes, so a large download is never held in memory) and report.

    Raises ValueError when PyAV cannot open or decode the data.
    """
    if isinstance(data, Path):
        with data.open("rb") as file:
            head = file.read(4096)
    else:
        head = data[:4096]
    source = str(data) if isinstance(data, Path) else io.BytesIO(data)
    try:
        with av.open(source, mode="r") as container:
            video = _VideoTally(container.streams.video[0] if container.streams.video else None)
            audio = _AudioTally(container.streams.audio[0] if container.streams.audio else None)
            streams = [s for s in (video.stream, audio.stream) if s is not None]
            for frame in container.decode(*streams):
                if isinstance(frame, av.VideoFrame):
                    video.add(frame)
                elif isinstance(frame, av.AudioFrame):
                    audio.add(frame)
            # Every stream fact is read while the container is open: PyAV 18 refuses it after.
            return MediaFacts(
                width=video.stream.width if video.stream else None,
                height=video.stream.height if video.stream else None,
                fps=video.fps,
                duration=max(video.end, audio.end),
                num_frames=video.frames,
                has_audio=audio.stream is not None,
                audio_duration=audio.duration,
                audio_start=audio.start,
                content_type=sniffed_type(head),
            )
    except av.FFmpegError as error:
        raise ValueError(f"not decodable media: {error}") from error


class _VideoTally:
    """Counts decoded video frames and where the last one ends."""

    def __init__(self, stream: VideoStream | None) -> None:
        self.stream = stream
        rate = stream and (stream.base_rate or stream.average_rate or stream.guessed_rate)
        self.fps = float(rate) if rate else None
        self.frames = 0
        self.end = 0.0
        if stream is not None:
            stream.thread_type = "AUTO"

    def add(self, frame: av.VideoFrame) -> None:
        """Each frame lasts one nominal period (older PyAV has no frame.duration to ask)."""
        self.frames += 1
        length = 1 / self.fps if self.fps else 0.0
        self.end = max(self.end, (frame.time or 0.0) + length)


class _AudioTally:
    """Counts decoded audio samples and finds the first audible one."""

    def __init__(self, stream: AudioStream | None) -> None:
        self.stream = stream
        self.samples = 0
        self.first: float | None = None
        self.audible: float | None = None

    def add(self, frame: av.AudioFrame) -> None:
        time = frame.time or 0.0
        self.first = time if self.first is None else self.first
        if self.audible is None:
            loud = np.flatnonzero(_peaks(frame) > _AUDIBLE)
            self.audible = time + int(loud[0]) / frame.sample_rate if loud.size else None
        self.samples += frame.samples

    @property
    def duration(self) -> float | None:
        """Decoded length, capped at the declared one: decoders add the encoder's padding."""
        if self.stream is None or not self.stream.rate:
            return None
        decoded = self.samples / self.stream.rate
        if not self.stream.duration or self.stream.time_base is None:
            return decoded
        return min(decoded, float(self.stream.duration * self.stream.time_base))

    @property
    def start(self) -> float | None:
        return self.audible if self.audible is not None else self.first

    @property
    def end(self) -> float:
        return (self.first or 0.0) + (self.duration or 0.0)


def _peaks(frame: av.AudioFrame) -> np.ndarray:
    """Per-sample peak magnitude across channels, scaled so full scale is 1.0."""
    samples = frame.to_ndarray()
    channels = frame.layout.nb_channels
    per_channel = samples if frame.format.is_planar else samples.reshape(-1, channels).T
    values = per_channel.astype(np.float64)
    if samples.dtype.kind == "u":  # unsigned PCM (u8) is centred on its midpoint
        values -= 2 ** (samples.dtype.itemsize * 8 - 1)
    peaks = np.abs(values).max(axis=0)
    if samples.dtype.kind in "iu":
        peaks /= 2.0 ** (samples.dtype.itemsize * 8 - 1)
    return peaks
