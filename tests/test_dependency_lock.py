"""The lock in pyproject.toml agrees with the ranges it was resolved from.

`make demo`/`make test` install the lock and refuse an environment that differs from it
(scripts/dependency_lock.py); these tests catch the other drift: a range edited without
re-locking, or a lock entry that is not an exact pin.
"""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _lock_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dependency_lock", ROOT / "scripts" / "dependency_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIRECT = [
    Requirement(text)
    for text in [
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["test"],
    ]
]


def test_every_lock_entry_is_an_exact_pin() -> None:
    for text in PYPROJECT["dependency-groups"]["lock"]:
        requirement = Requirement(text)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", text
        assert "*" not in specifier.version, text


def test_every_direct_dependency_is_locked_inside_its_range() -> None:
    lock = _lock_tool().read_lock()
    for requirement in DIRECT:
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is a dependency but not in the lock: run `make lock`"
        assert requirement.specifier.contains(lock[name], prereleases=True), (
            f"{name}: locked {lock[name]} is outside {requirement.specifier}: run `make lock`"
        )


def test_the_lock_holds_pip_new_enough_for_dependency_groups() -> None:
    # pip reads [dependency-groups] from 25.1 on (pip's 25.1 release notes: `--group`).
    major, minor = (int(part) for part in _lock_tool().read_lock()["pip"].split(".")[:2])
    assert (major, minor) >= (25, 1)


def test_lower_bounds_name_each_bounded_direct_dependency_once() -> None:
    bounds = _lock_tool().lower_bounds()
    # Written from pyproject.toml's ranges by hand: a few that matter most.
    for pin in ("av==14", "fal-client==1.0.3", "pydantic==2.10", "numpy==1.26", "pytest-asyncio==1.0"):
        assert pin in bounds
    assert len(bounds) == len(DIRECT)


def test_names_are_compared_in_pep_503_form() -> None:
    normalized = _lock_tool().normalized
    assert normalized("Pygments") == "pygments"
    assert normalized("typing_extensions") == "typing-extensions"
    assert normalized("jsonschema.specifications") == "jsonschema-specifications"
