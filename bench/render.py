"""How fast the sandbox renders and transforms clips (the demo and the tests wait on this)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from fal_sandbox.media import probe
from fal_sandbox.render import ClipSpec, mux_audio, render_clip, render_tone, transform_clip

REPEATS = 3


def timed(work: Callable[[], bytes]) -> tuple[float, bytes]:
    """Median seconds over REPEATS runs, and the last output."""
    seconds, output = [], b""
    for _ in range(REPEATS):
        start = time.perf_counter()
        output = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), output


def main() -> None:
    small = render_clip(ClipSpec(640, 360, 24, 5, "bench"))
    tone = render_tone(5)
    cases: list[tuple[str, Callable[[], bytes]]] = [
        ("render 5 s 640×360 24 fps", lambda: render_clip(ClipSpec(640, 360, 24, 5, "bench"))),
        (
            "render 5 s 854×480 24 fps + audio",
            lambda: render_clip(ClipSpec(854, 480, 24, 5, "bench", audio=True)),
        ),
        ("render 5 s 1280×720 24 fps", lambda: render_clip(ClipSpec(1280, 720, 24, 5, "bench"))),
        ("upscale ×2 (640×360 → 1280×720)", lambda: transform_clip(small, scale=2)),
        ("interpolate ×2 (120 → 240 frames)", lambda: transform_clip(small, fps_factor=2)),
        ("extend by 2 s", lambda: transform_clip(small, extend_seconds=2, caption="more")),
        ("mux audio at 0.5 s", lambda: mux_audio(small, tone, start_offset=0.5)),
    ]
    table = Table(title=f"sandbox media (median of {REPEATS})")
    for column in ("operation", "seconds", "output", "frames", "size"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    for name, work in cases:
        seconds, output = timed(work)
        facts = probe(output)
        table.add_row(
            name,
            f"{seconds:.3f}",
            f"{facts.width}×{facts.height}",
            str(facts.num_frames),
            f"{len(output) / 1024:.0f} KB",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
