"""State directories that cannot be written, made for real: a read-only filesystem, a file where the
directory should be, a filesystem that is full.

On this machine the tests run as root, which ignores permission bits, so "read-only" and "full" are
small tmpfs mounts (`mount -t tmpfs`, read-only or filled up). Where mounting is not allowed, a
read-only directory is a directory without write permission (effective for anyone but root) and a full
filesystem is simulated with RLIMIT_FSIZE (writes past the limit fail with EFBIG), applied in the
child process (`preexec`) or, for one in-process write, around it.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class UnwritableDir:
    path: Path
    """The state directory to hand the command (`FAL_VIDEO_STATE_DIR`)."""
    how: str
    """What makes it unwritable, for the test's own messages."""
    preexec: Callable[[], None] | None = None
    """For a child process: applied before it runs (the RLIMIT_FSIZE fallback)."""


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True, check=False
    )
    return result.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@contextlib.contextmanager
def read_only_dir(base: Path) -> Iterator[UnwritableDir]:
    target = base / "read-only"
    if os.geteuid() == 0:
        if not _mount(target, "ro,size=1m"):
            raise AssertionError("running as root and `mount -t tmpfs` failed: cannot make a read-only dir")
        try:
            yield UnwritableDir(target, "a read-only tmpfs")
        finally:
            _umount(target)
        return
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o500)
    try:
        yield UnwritableDir(target, "a directory without write permission")
    finally:
        target.chmod(0o700)


@contextlib.contextmanager
def file_instead_of_dir(base: Path) -> Iterator[UnwritableDir]:
    target = base / "state"
    target.write_text("not a directory\n")
    yield UnwritableDir(target / "fal-video", "a file where the directory should be")


@contextlib.contextmanager
def full_dir(base: Path) -> Iterator[UnwritableDir]:
    target = base / "full"
    if _mount(target, "size=64k"):
        try:
            fill(target)
            yield UnwritableDir(target, "a full tmpfs")
        finally:
            _umount(target)
        return
    yield UnwritableDir(target, "RLIMIT_FSIZE=0 (no file may grow)", preexec=_no_file_growth)


@contextlib.contextmanager
def small_tmpfs(base: Path, size: str = "1m") -> Iterator[Path | None]:
    """A small tmpfs to fill up later (`fill`), or None where mounting is not allowed."""
    target = base / "small"
    if not _mount(target, f"size={size}"):
        yield None
        return
    try:
        yield target
    finally:
        _umount(target)


def fill(folder: Path) -> None:
    """Write until the filesystem says it is full (bounded by its size)."""
    with contextlib.suppress(OSError), (folder / "filler").open("ab") as file:
        for _ in range(100_000):
            file.write(b"\0" * 65536)
            file.flush()
            os.fsync(file.fileno())


@contextlib.contextmanager
def files_cannot_grow() -> Iterator[None]:
    """In this process: no file may grow past its current end (EFBIG), as on a full disk."""
    previous = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, previous[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous)
        signal.signal(signal.SIGXFSZ, handler)


def _no_file_growth() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
