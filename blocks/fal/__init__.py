"""fal.ai video blocks. `import blocks.fal` imports every model module, so every block is registered
as a Block subclass: one line in the platform's blocks folder makes them all available there."""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
