"""Find every block in the `blocks` package and hold it to the platform's loading rules.

The platform's `load_all_blocks()` imports every module of its blocks folder, walks the subclasses of
`Block` and refuses to start when a block breaks a rule. The walk is reproduced as the platform
writes it, quirk included: it lists a class three or more levels below `Block` twice, so such a class
fails with "Block ID ... is already in use" and takes every other block down with it. Running the same
walk here means a block that loads here loads there.

Beyond the platform's own checks: ids are UUID version 4, class names are unique among our blocks,
and a name the platform already uses is allowed only for the block it replaces (same id), because the
platform matches database rows by id or name.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from . import Block

T = TypeVar("T")

_MODULE_NAME = re.compile(r"^[a-z0-9_.]+$")
PACKAGE = "blocks"

PLATFORM_BLOCK_IDS: dict[str, str] = {"AIVideoGeneratorBlock": "530cf046-2ce0-4854-ae2c-659db17c7a46"}
"""Platform blocks whose id we know: a block of ours may take one of these names only with that id."""


class BlockLoadError(ValueError):
    """A block breaks one of the platform's loading rules."""


def all_subclasses(cls: type[T]) -> list[type[T]]:
    """The platform's walk: extends the list while iterating it, so deep classes appear twice."""
    subclasses = cls.__subclasses__()
    for subclass in subclasses:
        subclasses += all_subclasses(subclass)
    return subclasses


def _import_all(package: str) -> None:
    root = Path(importlib.import_module(package).__file__ or "").parent
    for module in pkgutil.walk_packages([str(root)], prefix=f"{package}."):
        if not _MODULE_NAME.match(module.name):
            raise BlockLoadError(f"module name {module.name!r} must match {_MODULE_NAME.pattern}")
        importlib.import_module(module.name)


def load_blocks(package: str = PACKAGE) -> dict[str, Block]:
    """Every block under `package`, by id, after the platform's loading rules and ours."""
    _import_all(package)
    blocks: dict[str, Block] = {}
    for cls in all_subclasses(Block):  # type: ignore[type-abstract]
        if not cls.__module__.startswith(f"{package}.") or cls.__name__.endswith("Base"):
            continue
        if not cls.__name__.endswith("Block"):
            raise BlockLoadError(
                f"Block class {cls.__name__} does not end with 'Block'. If you are creating an abstract "
                "class, please name the class with 'Base' at the end"
            )
        block = cls()
        if not isinstance(block.id, str) or len(block.id) != 36:
            raise BlockLoadError(f"Block ID {block.name} error: {block.id} is not a valid UUID")
        if block.id in blocks:
            raise BlockLoadError(f"Block ID {block.name} error: {block.id} is already in use")
        check_block(block)
        blocks[block.id] = block
    _check_names(blocks.values())
    return blocks


def check_block(block: Block) -> None:
    """The per-block rules: the platform's (`error: str`, SchemaFields, bools with defaults) and a UUID4."""
    name = block.name
    try:
        parsed = uuid.UUID(block.id)
    except ValueError:
        raise BlockLoadError(f"{name}: id {block.id!r} is not a UUID") from None
    if len(block.id) != 36 or parsed.version != 4:
        raise BlockLoadError(f"{name}: id {block.id!r} must be a 36-character UUID version 4")
    outputs = block.output_schema.model_fields
    if "error" in outputs and outputs["error"].annotation is not str:
        raise BlockLoadError(f"{name} `error` field in output_schema must be a string")
    for field_name, field in [*block.input_schema.model_fields.items(), *outputs.items()]:
        if field.annotation is None:
            raise BlockLoadError(f"{name} has a field {field_name} that is not annotated")
        if field.json_schema_extra is None:
            raise BlockLoadError(f"{name} has a field {field_name} not defined as SchemaField")
    for field in block.input_schema.model_fields.values():
        if field.annotation is bool and field.default not in (True, False):
            raise BlockLoadError(f"{name} has a boolean field with no default value")


def block_depth(cls: type) -> int:
    """How many levels below `Block` a class is (a direct subclass is 1)."""
    return 1 + max((block_depth(base) for base in cls.__bases__ if issubclass(base, Block)), default=-1)


@cache
def platform_block_names() -> frozenset[str]:
    """The platform's own block names, normalised (see `normalised_name`)."""
    text = (Path(__file__).parent / "platform_block_names.txt").read_text(encoding="utf-8")
    return frozenset(normalised_name(line) for line in text.splitlines() if line and not line.startswith("#"))


_WORD = re.compile(r"[A-Z]\d+|[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|\d+")
"""A word of a class name: `AI`, `Video`, `O1` (a letter and its version), `2`."""


def name_words(name: str) -> list[str]:
    """`AIVideoGeneratorBlock` → `["AI", "Video", "Generator"]`; `KlingO1VideoEditBlock` keeps `O1`."""
    return _WORD.findall(name.removesuffix("Block"))


def snake_name(name: str) -> str:
    """`AIVideoGeneratorBlock` → `ai_video_generator` (docs page names, the command's block names)."""
    return "_".join(word.lower() for word in name_words(name))


def normalised_name(name: str) -> str:
    """`AIVideoGeneratorBlock` and the docs' `AI Video Generator` both become `aivideogenerator`."""
    return re.sub(r"[^a-z0-9]", "", name.removesuffix("Block").lower())


def _check_names(blocks: Any) -> None:
    seen: dict[str, str] = {}
    for block in blocks:
        key = normalised_name(block.name)
        if key in seen:
            raise BlockLoadError(f"{block.name}: the name is also used by {seen[key]}")
        seen[key] = block.name
        if key in platform_block_names() and PLATFORM_BLOCK_IDS.get(block.name) != block.id:
            known = PLATFORM_BLOCK_IDS.get(block.name)
            keep = f"; a replacement must keep its id {known}" if known else ""
            raise BlockLoadError(
                f"{block.name}: the platform has a block of this name, and names are unique in its "
                f"database{keep}"
            )
