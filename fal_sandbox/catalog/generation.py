"""Text-to-video and image-to-video endpoints: clips shaped by the request, outputs shaped like fal's."""

from __future__ import annotations

from ..models import Behaviour

BEHAVIOURS: dict[str, Behaviour] = {}
