"""The collector setting a host opts into before following thousands of jobs (`blocks/fal/_gc.py`)."""

from __future__ import annotations

import gc

from blocks.fal._gc import fewer_full_collections


def test_full_collections_become_ten_times_rarer_and_young_ones_stay_as_they_were() -> None:
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        fewer_full_collections()
        assert gc.get_threshold() == (700, 10, 100)
        gc.set_threshold(700, 10, 500)
        fewer_full_collections()
        assert gc.get_threshold() == (700, 10, 500), "never more often than a host already chose"
    finally:
        gc.set_threshold(*saved)
