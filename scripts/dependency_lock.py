"""The dependency lock: install exactly what the suite passed on, refresh it, or try the newest.

The lock is the ``lock`` dependency group in ``pyproject.toml``: an exact pin (``name==version``) of
every package the project's environment holds, transitive ones and pip included, resolved on Linux
CPython 3.11. It lives there rather than in a ``uv.lock`` or ``pylock.toml`` because those record
the package index's address, and this project commits none; pip reads dependency groups itself
(``pip install --group``, pip 25.1 and newer), so no other tool is needed to install from it. The
ranges in ``[project.dependencies]`` stay honest and wide for people who install the package into
an environment of their own (the AutoGPT backend's, for one).

    python scripts/dependency_lock.py install VENV              the lock, checked exactly (make demo/test)
    python scripts/dependency_lock.py install VENV --latest     the newest the ranges allow (make test-latest)
    python scripts/dependency_lock.py install VENV --oldest     each direct dependency at its lower bound
    python scripts/dependency_lock.py lock                      rewrite the lock from the newest (make lock)

Only the standard library is used: this runs before any environment exists.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PROJECT_EXTRAS = ".[test]"
SEEDED_BY_VENV = {"setuptools"}
"""Python 3.11's ``venv`` seeds setuptools itself; nothing of ours installs or imports it."""

_LOCK_BLOCK = re.compile(r"^lock = \[\n(?:.*\n)*?\]\n", re.MULTILINE)
_LOWER_BOUND = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def normalized(name: str) -> str:
    """PEP 503's form of a distribution name, so ``Pygments`` and ``pygments`` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock() -> dict[str, str]:
    """The lock group's pins as {normalized name: version}."""
    groups = tomllib.loads(PYPROJECT.read_text())["dependency-groups"]
    pins: dict[str, str] = {}
    for requirement in groups["lock"]:
        name, sep, version = requirement.partition("==")
        if not sep or not version:
            raise SystemExit(
                f"pyproject.toml: lock entry {requirement!r} is not an exact pin (name==version)"
            )
        pins[normalized(name)] = version.strip()
    return pins


def lower_bounds() -> list[str]:
    """``name==lower`` for every direct dependency (runtime and test) whose range has a lower bound."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pins = []
    for requirement in requirements:
        match = _LOWER_BOUND.match(requirement)
        if match:
            pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


def run(*command: str | Path) -> str:
    """Run a command, echoing it; its stdout is returned, and a failure stops everything."""
    print("+", " ".join(str(part) for part in command), flush=True)
    done = subprocess.run([str(part) for part in command], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(str(p) for p in command)}")
    return done.stdout


def installed(venv: Path) -> dict[str, str]:
    """Every distribution in ``venv`` but the project itself, as {normalized name: version}."""
    listing = json.loads(run(venv / "bin" / "python", "-m", "pip", "list", "--format=json"))
    packages = {normalized(item["name"]): item["version"] for item in listing}
    packages.pop("fal-video-blocks", None)
    for name in SEEDED_BY_VENV:
        packages.pop(name, None)
    return packages


def differences(have: dict[str, str], want: dict[str, str]) -> list[str]:
    """One line per package whose version differs, or that only one side has."""
    lines = []
    for name in sorted(have.keys() | want.keys()):
        if have.get(name) != want.get(name):
            lines.append(f"  {name}: lock {want.get(name, '-')}, installed {have.get(name, '-')}")
    return lines


def install(venv: Path, mode: str) -> None:
    """A fresh ``venv`` holding the project (editable) and its test extra, as ``mode`` says."""
    python = venv / "bin" / "python"
    pip = (python, "-m", "pip", "install", "--quiet")
    run(sys.executable, "-m", "venv", "--clear", venv)
    lock = read_lock()
    if mode == "latest":
        run(*pip, "--upgrade", "pip")
        run(*pip, "--upgrade", "--upgrade-strategy", "eager", "-e", PROJECT_EXTRAS)
    else:
        run(*pip, f"pip=={lock['pip']}")  # the locked pip, new enough for --group
        if mode == "locked":
            run(*pip, "--group", "lock", "-e", PROJECT_EXTRAS)
        else:
            with tempfile.TemporaryDirectory(prefix="fal-video-oldest-") as scratch:
                constraints = Path(scratch) / "lower-bounds.txt"
                constraints.write_text("\n".join(lower_bounds()) + "\n")
                run(*pip, "-c", constraints, "-e", PROJECT_EXTRAS)
    have = installed(venv)
    changed = differences(have, lock)
    if mode == "locked" and changed:
        raise SystemExit(
            "the environment is not the lock (run `make lock` on a platform the lock does not cover):\n"
            + "\n".join(changed)
        )
    if mode != "locked":
        print(f"{mode}: {len(changed)} package(s) differ from the lock", *changed, sep="\n", flush=True)


def lock() -> None:
    """Rewrite the lock group from a scratch environment of the newest versions the ranges allow."""
    with tempfile.TemporaryDirectory(prefix="fal-video-lock-") as scratch:
        venv = Path(scratch) / "venv"
        install(venv, "latest")
        pins = installed(venv)
    body = "".join(f'    "{name}=={version}",\n' for name, version in sorted(pins.items()))
    text = PYPROJECT.read_text()
    if not _LOCK_BLOCK.search(text):
        raise SystemExit("pyproject.toml has no `lock = [` block under [dependency-groups]")
    PYPROJECT.write_text(_LOCK_BLOCK.sub(lambda _: f"lock = [\n{body}]\n", text, count=1))
    print(f"lock: {len(pins)} pins written to pyproject.toml; now run `make test`")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    install_command = commands.add_parser("install", help="create VENV from the lock (or the newest/oldest)")
    install_command.add_argument("venv", type=Path)
    which = install_command.add_mutually_exclusive_group()
    which.add_argument("--latest", action="store_true", help="the newest versions the ranges allow")
    which.add_argument("--oldest", action="store_true", help="each direct dependency at its lower bound")
    commands.add_parser("lock", help="rewrite the lock group from the newest versions the ranges allow")
    args = parser.parse_args()
    if args.command == "lock":
        lock()
    else:
        install(args.venv.resolve(), "latest" if args.latest else "oldest" if args.oldest else "locked")


if __name__ == "__main__":
    main()
