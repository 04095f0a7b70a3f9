"""Garbage collection for a process that follows thousands of fal jobs at once.

CPython runs a full collection (every tracked object, the oldest generation included) once every 10
collections of the middle generation, as soon as the heap has grown by a quarter since the last one.
While 5,000 jobs start, the heap keeps growing, so full passes came every second or so, each 0.3 to
0.6 s long and collecting nothing: the event loop stood still that long (loop lag p99 370-420 ms;
with full passes ten times rarer, 72 ms, and a quarter less CPU: `bench/capacity.py`, issue 21).
Young objects are still collected exactly as often; cycles among old objects wait longer.

A host opts in (`fal-video` does, before its event loop starts); a library does not change a whole
process's collector behind its host's back.
"""

from __future__ import annotations

import gc

FULL_COLLECTION_EVERY = 100
"""Middle-generation collections per full one (CPython's default: 10)."""


def fewer_full_collections() -> None:
    """Full collections ten times rarer in this process (never more often than they already are)."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, max(full, FULL_COLLECTION_EVERY))
