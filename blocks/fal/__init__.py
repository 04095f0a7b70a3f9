"""fal.ai video blocks. `import blocks.fal` imports every model module, so every block is registered
as a Block subclass, and records each block's cost entry (see `costs.py`) as soon as the platform is
whole: the provider folder `fal-video platform install` writes is this one import."""

from __future__ import annotations

import importlib
import pkgutil

from blocks._sdk import when_platform_ready

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

from .costs import register_costs  # noqa: E402 - after every block class exists

when_platform_ready(register_costs)
