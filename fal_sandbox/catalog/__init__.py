"""Which sandbox endpoint behaves how: one table per model family, merged here.

An endpoint that no table names answers with the default `RenderedVideo()`.
"""

from __future__ import annotations

from ..models import Behaviour, RenderedVideo
from . import assembly, editing, generation

BEHAVIOURS: dict[str, Behaviour] = {**generation.BEHAVIOURS, **editing.BEHAVIOURS, **assembly.BEHAVIOURS}
DEFAULT_BEHAVIOUR: Behaviour = RenderedVideo()


def behaviour_for(endpoint: str) -> Behaviour:
    return BEHAVIOURS.get(endpoint, DEFAULT_BEHAVIOUR)
