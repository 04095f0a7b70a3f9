"""The block SDK every block imports: the AutoGPT platform's own classes inside the platform, else the
bundled stand-in with the same contract. Import from here, never from either side directly.

Inside the platform (the `backend` package is importable) every name comes from the platform, never
from the stand-in: from `backend.sdk`, its stable import surface since July 2025, and otherwise from
the module that held the name in the platform's classic layout, tried one module at a time. A name no
module provides is a `PlatformContractError` naming the name and the modules tried, raised at import,
so a platform the blocks do not fit fails loudly instead of loading blocks it cannot see.
"""

from __future__ import annotations

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

_BLOCK_MODULES = ("backend.sdk", "backend.blocks._base", "backend.data.block")
_MODEL_MODULES = ("backend.sdk", "backend.data.model")
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
    # backend.sdk's own CredentialsMetaInput is already specialised to ProviderName: take the generic one.
    "CredentialsMetaInput": ("backend.data.model",),
    "BlockError": _ERROR_MODULES,
    "BlockExecutionError": _ERROR_MODULES,
    "BlockInputError": _ERROR_MODULES,
    "BlockOutputError": _ERROR_MODULES,
    "BlockUnknownError": _ERROR_MODULES,
    "store_media_file": ("backend.sdk", "backend.util.file"),
    "MediaFileType": ("backend.sdk", "backend.util.type"),
}
"""Every platform name the blocks use, and where to look for it, in order."""

OPTIONAL_PLATFORM_NAMES: dict[str, tuple[str, ...]] = {
    "ProviderBuilder": ("backend.sdk",),
    "cost": ("backend.sdk",),
}
"""Names only the newer layout has (None on a platform that predates `backend.sdk`)."""


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
    from ._standin.sdk import ProviderBuilder, cost

    store_media_file: Any = None  # the platform's workspace files exist only inside the platform

if ON_PLATFORM and not TYPE_CHECKING:
    globals().update({name: platform_name(name, modules) for name, modules in PLATFORM_NAMES.items()})
    globals().update(
        {
            name: platform_name(name, modules, required=False)
            for name, modules in OPTIONAL_PLATFORM_NAMES.items()
        }
    )

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
    "ProviderBuilder",
    "SchemaField",
    "cost",
    "platform_name",
    "store_media_file",
]
