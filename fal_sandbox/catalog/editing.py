"""Video-to-video, extend, lipsync, audio, upscale, interpolation and prompt endpoints."""

from __future__ import annotations

from ..models import Behaviour

BEHAVIOURS: dict[str, Behaviour] = {}
