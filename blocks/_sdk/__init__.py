"""The block SDK every block imports: the AutoGPT platform's own classes inside the platform, else the
bundled stand-in with the same contract. Import from here, never from either side directly.

Inside the platform (the `backend` package is importable) every name comes from the platform, never
from the stand-in, taken from the module that defines it (`backend.blocks._base`, or
`backend.data.block` in the layout before #12068, `backend.data.model`, ...), tried one module at a
time. A name no module provides is a `PlatformContractError` naming the name and the modules tried,
raised at import, so a platform the blocks do not fit fails loudly instead of loading blocks it
cannot see.

Not from `backend.sdk` at import: it imports `block_cost_config`, which imports the platform's fal
block, which (installed) is ours, so the platform is always half-imported when these blocks are.
`backend.sdk`'s own names (`cost`, `ProviderBuilder`) are looked up later with `sdk_name`, and the
work that needs them waits for the platform with `when_platform_ready`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any


class PlatformContractError(ImportError):
    """The platform is importable but lacks a name these blocks need."""


def _platform_present() -> bool:
    try:
        return find_spec("backend") is not None
    except (ImportError, ValueError):
        return False


ON_PLATFORM = _platform_present()

_BLOCK_MODULES = ("backend.blocks._base", "backend.data.block")
_MODEL_MODULES = ("backend.data.model",)
_ERROR_MODULES = ("backend.util.exceptions",)

PLATFORM_NAMES: dict[str, tuple[str, ...]] = {
    "Block": _BLOCK_MODULES,
    "BlockCategory": _BLOCK_MODULES,
    "BlockOutput": _BLOCK_MODULES,
    "BlockSchemaInput": _BLOCK_MODULES,
    "BlockSchemaOutput": _BLOCK_MODULES,
    "BlockType": _BLOCK_MODULES,
    "BlockCost": (*_BLOCK_MODULES, "backend.data.cost"),
    "BlockCostType": (*_BLOCK_MODULES, "backend.data.cost"),
    "APIKeyCredentials": _MODEL_MODULES,
    "CredentialsField": _MODEL_MODULES,
    "NodeExecutionStats": _MODEL_MODULES,
    "SchemaField": _MODEL_MODULES,
    # The generic one: backend.sdk's CredentialsMetaInput is already specialised to ProviderName.
    "CredentialsMetaInput": _MODEL_MODULES,
    "BlockError": _ERROR_MODULES,
    "BlockExecutionError": _ERROR_MODULES,
    "BlockInputError": _ERROR_MODULES,
    "BlockOutputError": _ERROR_MODULES,
    "BlockUnknownError": _ERROR_MODULES,
    "store_media_file": ("backend.util.file",),
    "MediaFileType": ("backend.util.type", "backend.util.file"),
    "Requests": ("backend.util.request",),
}
"""Every platform name the blocks use at import, and the modules that define it, in order."""

SDK_NAMES: dict[str, tuple[str, ...]] = {
    "cost": ("backend.sdk",),
    "ProviderBuilder": ("backend.sdk",),
}
"""`backend.sdk`'s own names (absent from a platform that predates it, or an older one): `sdk_name`."""


def _module(name: str) -> Any | None:
    """The module, or None when it does not exist; an import error inside it is not hidden."""
    try:
        return import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name and (name == missing.name or name.startswith(f"{missing.name}.")):
            return None
        raise


def platform_name(name: str, modules: tuple[str, ...], *, required: bool = True) -> Any:
    """The first of `modules` that provides `name` (a None value counts as missing)."""
    for module_name in modules:
        module = _module(module_name)
        value = getattr(module, name, None) if module is not None else None
        if value is not None:
            return value
    if not required:
        return None
    raise PlatformContractError(
        f"the AutoGPT platform is importable but none of {', '.join(modules)} provides {name!r}; "
        "these blocks need it (see the README's platform section)"
    )


def sdk_name(name: str) -> Any:
    """`cost` or `ProviderBuilder`: the platform's (None where its SDK has none), else the stand-in's.

    Imports `backend.sdk` on the platform, so call it from the platform's loader (as the platform's
    own `_config.py` files do) or from an action of `when_platform_ready`, never at import."""
    if not ON_PLATFORM:
        from ._standin import sdk

        return getattr(sdk, name)
    return platform_name(name, SDK_NAMES[name], required=False)


def platform_module(name: str) -> Any | None:
    """A platform module the platform itself has fully imported, else None (never imported here)."""
    module = sys.modules.get(name)
    return None if module is None or _initializing(module) else module


def _initializing(module: Any) -> bool:
    # CPython flags a module whose code is still running on its spec; its import system reads the same
    # flag to recognise a module that an import cycle reached half-way.
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def platform_half_imported() -> list[str]:
    """The platform's modules whose code is still running (empty standalone)."""
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if (name == "backend" or name.startswith("backend.")) and _initializing(module)
    )


PlatformAction = Callable[[], bool]
"""Work that needs the platform whole; returns False when what it needs is not there yet (retried)."""

_waiting: list[PlatformAction] = []
_waiting_lock = threading.RLock()


def when_platform_ready(action: PlatformAction) -> None:
    """Run `action` now if no platform module is half-imported, else at the next `run_waiting`.

    The platform imports these blocks from inside its own import of `backend.sdk` (through
    `block_cost_config`), so work that needs `backend.sdk`'s names cannot run at import there."""
    with _waiting_lock:
        _waiting.append(action)
    run_waiting()


def run_waiting() -> None:
    """Run the waiting actions if the platform is whole. Every block of ours calls it when it is
    created: the platform's loader creates each block, and so does everything that bills one."""
    if not _waiting or platform_half_imported():
        return
    with _waiting_lock:
        if platform_half_imported():  # an action's own imports reached a block: it finishes first
            return
        ready, _waiting[:] = list(_waiting), []
        for index, action in enumerate(ready):
            try:
                done = action()
            except BaseException:
                _waiting.extend(ready[index:])  # still waiting: the next block created raises it again
                raise
            if not done:
                _waiting.append(action)


if TYPE_CHECKING or not ON_PLATFORM:
    from ._standin.block import (
        Block,
        BlockCategory,
        BlockCost,
        BlockCostType,
        BlockError,
        BlockExecutionError,
        BlockInputError,
        BlockOutput,
        BlockOutputError,
        BlockType,
        BlockUnknownError,
        NodeExecutionStats,
    )
    from ._standin.credentials import APIKeyCredentials, CredentialsField, CredentialsMetaInput
    from ._standin.schema import BlockSchemaInput, BlockSchemaOutput, MediaFileType, SchemaField

    # The platform's workspace files and its SSRF-checked HTTP client exist only inside the platform.
    store_media_file: Any = None
    Requests: Any = None

if ON_PLATFORM and not TYPE_CHECKING:
    globals().update({name: platform_name(name, modules) for name, modules in PLATFORM_NAMES.items()})

__all__ = [
    "ON_PLATFORM",
    "APIKeyCredentials",
    "Block",
    "BlockCategory",
    "BlockCost",
    "BlockCostType",
    "BlockError",
    "BlockExecutionError",
    "BlockInputError",
    "BlockOutput",
    "BlockOutputError",
    "BlockSchemaInput",
    "BlockSchemaOutput",
    "BlockType",
    "BlockUnknownError",
    "CredentialsField",
    "CredentialsMetaInput",
    "MediaFileType",
    "NodeExecutionStats",
    "PlatformContractError",
    "Requests",
    "SchemaField",
    "platform_half_imported",
    "platform_module",
    "platform_name",
    "run_waiting",
    "sdk_name",
    "store_media_file",
    "when_platform_ready",
]
