"""fal.ai video blocks. `import blocks.fal` imports every model module, so every block is registered
as a Block subclass and its cost entry is recorded: one line in the platform's blocks folder makes them
all available there, billed as the platform bills its own blocks (see `costs.py`)."""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

from .costs import register_costs  # noqa: E402 - after every block class exists

register_costs()
