"""Find every block in the `blocks` package and hold it to the platform's loading rules.

The platform walks its blocks folder, imports each module, and refuses to start when a block breaks
a rule; running the same checks here means a block that loads here loads there.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from pathlib import Path
from typing import Any

from . import Block

_MODULE_NAME = re.compile(r"^[a-z0-9_.]+$")
PACKAGE = "blocks"


class BlockLoadError(Exception):
    """A block breaks one of the platform's loading rules."""


def _import_all(package: str) -> None:
    root = Path(importlib.import_module(package).__file__ or "").parent
    for module in pkgutil.walk_packages([str(root)], prefix=f"{package}."):
        if not _MODULE_NAME.match(module.name):
            raise BlockLoadError(f"module name {module.name!r} must match {_MODULE_NAME.pattern}")
        importlib.import_module(module.name)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def load_blocks(package: str = PACKAGE) -> dict[str, Block]:
    """Every block under `package`, by id, after checking the loading rules."""
    _import_all(package)
    blocks: dict[str, Block] = {}
    for cls in _subclasses(Block):
        if not cls.__module__.startswith(f"{package}.") or cls.__name__.endswith("Base"):
            continue
        if not cls.__name__.endswith("Block"):
            raise BlockLoadError(f"{cls.__name__}: block class names must end in 'Block'")
        block = cls()
        check_block(block)
        if block.id in blocks:
            raise BlockLoadError(f"{cls.__name__}: id {block.id} is also used by {blocks[block.id].name}")
        blocks[block.id] = block
    return blocks


def check_block(block: Block) -> None:
    """The platform's per-block rules: UUID4 id, `error: str`, SchemaFields, bools with defaults."""
    name = block.name
    try:
        parsed = uuid.UUID(block.id)
    except ValueError:
        raise BlockLoadError(f"{name}: id {block.id!r} is not a UUID") from None
    if len(block.id) != 36 or parsed.version != 4:
        raise BlockLoadError(f"{name}: id {block.id!r} must be a 36-character UUID version 4")
    error = block.output_schema.model_fields.get("error")
    if error is None or error.annotation is not str:
        raise BlockLoadError(f"{name}: the output schema must declare `error: str`")
    for schema in (block.input_schema, block.output_schema):
        for field_name, field in schema.model_fields.items():
            _check_field(name, schema.__name__, field_name, field, is_input=schema is block.input_schema)


def _check_field(block: str, schema: str, field_name: str, field: Any, *, is_input: bool) -> None:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    is_credentials = field_name == "credentials" or field_name.endswith("_credentials")
    if is_credentials:
        if not (isinstance(field.annotation, type) and hasattr(field.annotation, "allowed_providers")):
            raise BlockLoadError(f"{block}.{schema}.{field_name}: must be CredentialsMetaInput[...]")
        return
    if "advanced" not in extra:
        raise BlockLoadError(f"{block}.{schema}.{field_name}: declare it with SchemaField")
    if is_input and field.annotation is bool and field.is_required():
        raise BlockLoadError(f"{block}.{schema}.{field_name}: a bool input needs a default")
