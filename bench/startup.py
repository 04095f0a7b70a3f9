"""How long `fal-video` takes to answer, as a fresh process each time (what a user waits for).

`--help` and `--version` import only the standard library; a command loads what it needs (the blocks
and pydantic for `blocks` and a dry run; the sandbox, PyAV and rich for a run). Target: `--help`
under 0.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

FAL_VIDEO = str(Path(sys.executable).with_name("fal-video"))
REPEATS = 7
TARGET_SECONDS = {"fal-video --help": 0.5}
COMMANDS = [
    ["--help"],
    ["--version"],
    ["run", "--help"],
    ["blocks"],
    ["blocks", "AIVideoGenerator"],
    ["run", "AIVideoGenerator", "--set", "prompt=a kite", "--sandbox", "--dry-run"],
]


def seconds_for(argv: list[str]) -> list[float]:
    """Wall-clock seconds of each run; the first run (cold caches) is discarded."""
    times = []
    for _ in range(REPEATS + 1):
        start = time.perf_counter()
        subprocess.run([FAL_VIDEO, *argv], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times[1:]


def main() -> None:
    table = Table(title=f"fal-video startup (wall clock, {REPEATS} runs after one warm-up)")
    for column in ("command", "median s", "min s", "max s", "target"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for argv in COMMANDS:
        name = " ".join(["fal-video", *argv])
        times = seconds_for(argv)
        median = statistics.median(times)
        target = TARGET_SECONDS.get(name)
        verdict = "" if target is None else f"< {target} {'ok' if median < target else 'MISSED'}"
        table.add_row(name, f"{median:.3f}", f"{min(times):.3f}", f"{max(times):.3f}", verdict)
    Console().print(table)


if __name__ == "__main__":
    main()
