"""`fal-video blocks`: every block in a short table, or one block in full (its inputs with types,
ranges and defaults, what each file input accepts, and the requirements that depend on other inputs)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .catalog import BlockDescription, InputSpec


def blocks_table(descriptions: Iterable[BlockDescription]) -> Table:
    table = Table(title="blocks (fal-video blocks NAME shows one in full)", title_justify="left")
    table.add_column("block", overflow="fold")
    table.add_column("id", no_wrap=True)
    table.add_column("what it does", overflow="fold", ratio=1)
    for description in descriptions:
        table.add_row(description.short_name, description.id, description.description)
    return table


def block_view(description: BlockDescription) -> RenderableType:
    heading = Text.assemble(
        (description.name, "bold"), f"  {description.id}\n", description.description, overflow="fold"
    )
    parts: list[RenderableType] = [heading]
    if description.endpoints:
        parts.append(Text(f"fal endpoints: {', '.join(description.endpoints)}", overflow="fold"))
    parts.append(_inputs_table(description.inputs))
    if description.conditions:
        conditions = Table(title="depends on other inputs", title_justify="left", show_header=False)
        conditions.add_column(overflow="fold", ratio=1)
        for line in description.conditions:
            conditions.add_row(line)
        parts.append(conditions)
    outputs = Table(title="outputs", title_justify="left")
    outputs.add_column("output", overflow="fold")
    outputs.add_column("type", overflow="fold")
    outputs.add_column("description", overflow="fold", ratio=1)
    for output in description.outputs:
        outputs.add_row(output.name, output.type, output.description)
    parts.append(outputs)
    return Group(*parts)


def _inputs_table(inputs: list[InputSpec]) -> Table:
    table = Table(title="inputs (--set NAME=VALUE)", title_justify="left")
    table.add_column("input", overflow="fold")
    table.add_column("type", overflow="fold")
    table.add_column("default", overflow="fold")
    table.add_column("allowed", overflow="fold", ratio=1)
    table.add_column("required", no_wrap=True)
    for spec in inputs:
        default = "FAL_KEY, or the sandbox" if spec.is_credentials else shown_default(spec.default)
        allowed = " | ".join(str(choice) for choice in spec.choices) if spec.choices else spec.limits
        kind = "choice" if spec.choices else spec.type
        required = "yes" if spec.required else ("advanced" if spec.advanced else "")
        table.add_row(spec.name, kind, default, allowed, required)
    return table


def shown_default(default: Any) -> str:
    return "" if default is None else json.dumps(default, ensure_ascii=False)
