"""What the platform bills for these blocks, following its own `block_cost_config.py` conventions.

- Every block has an entry, so no run on the platform's key is free to the user while the platform
  pays fal.
- The entries bill in credits only runs made with the platform's own fal key (their `cost_filter`
  matches its managed credentials, as the platform's entries do); a user's own key is paid by the user.
- Each block reports what its job cost as `provider_cost` (type `cost_usd`); the platform bills a
  `COST_USD` block `ceil(provider_cost × cost_amount)` credits, so `cost_amount` is credits per USD.
- Where fal publishes no price, the block reports a stated fallback instead of 0 (`FALLBACK_USD`),
  inside the platform only: standalone nothing is billed, and the command says "no published price".
- A platform older than `COST_USD` (AutoGPT #12894, April 2026) gets what the platform's own fal block
  has: 3 credits per second of run time.

`register_costs()` records the entries with the SDK's `cost` decorator, or, on a platform whose SDK
has none, in the `BLOCK_COSTS` table once the platform has imported it. It never imports
`block_cost_config` itself: that module imports these blocks (the platform's fal block is ours), so
`blocks.fal` hands it to `when_platform_ready`, which runs it once the platform is whole.
"""

from __future__ import annotations

from typing import Any

from blocks._sdk import ON_PLATFORM, Block, BlockCost, BlockCostType, platform_module, platform_name, sdk_name
from credentials import PLATFORM_FAL_CREDENTIALS_INPUT

from .pricing import estimate_usd

PLATFORM_CREDITS_PER_USD = 150
"""The platform's margin for COST_USD blocks (1.5 credits per cent), as its other COST_USD blocks use."""
LEGACY_CREDITS_PER_SECOND = 3
"""The platform's own fal video block's rate before COST_USD existed (per second of run time)."""

FALLBACK_USD = {"video": 0.50, "text": 0.01}
"""Billed per run of an endpoint fal publishes no price for: a video run as a 5 s clip at $0.10 per
second (fal's most common published video rate), a text run (the prompt generator) as one LLM call."""


def billed_usd(endpoint: str, arguments: dict[str, Any], *, makes_video: bool) -> float | None:
    """The USD a run reports as its provider cost: fal's published price, else (inside the platform
    only) the stated fallback."""
    usd = estimate_usd(endpoint, arguments)
    if usd is None and ON_PLATFORM:
        return FALLBACK_USD["video" if makes_video else "text"]
    return usd


def managed_fal_credentials() -> dict[str, Any]:
    """The platform's own fal key, as its cost filters name it."""
    if not ON_PLATFORM:
        return dict(PLATFORM_FAL_CREDENTIALS_INPUT)
    managed = platform_name("fal_credentials", ("backend.integrations.credentials_store",))
    return {"id": managed.id, "provider": managed.provider, "type": managed.type}


def block_cost_entries() -> list[BlockCost]:
    """The one entry every block gets."""
    cost_filter = {"credentials": managed_fal_credentials()}
    if hasattr(BlockCostType, "COST_USD"):
        return [BlockCost(PLATFORM_CREDITS_PER_USD, BlockCostType.COST_USD, cost_filter)]
    return [BlockCost(LEGACY_CREDITS_PER_SECOND, BlockCostType.SECOND, cost_filter)]


def fal_block_classes() -> list[type[Block]]:
    """Every concrete block of this package (each is a direct subclass of `FalBlockBase`)."""
    from ._base import FalBlockBase

    ours = (cls for cls in FalBlockBase.__subclasses__() if cls.__module__.startswith(f"{__package__}."))
    return sorted(ours, key=lambda cls: cls.__name__)


def block_costs() -> dict[type[Block], list[BlockCost]]:
    """The entries by block class, as the platform's `BLOCK_COSTS` holds them."""
    return {cls: block_cost_entries() for cls in fal_block_classes()}


def register_costs() -> bool:
    """Record every block's entry where the platform (or the stand-in) looks costs up; False while the
    platform's `BLOCK_COSTS` table, on a platform whose SDK has no `cost`, is not imported yet.

    On the platform this replaces its own entry for `AIVideoGeneratorBlock` (3 credits per second of
    run time): this block reports fal's price, which its COST_USD entry bills."""
    record = sdk_name("cost")
    if record is not None:
        for cls, entries in block_costs().items():
            record(*entries)(cls)
        return True
    table = platform_module("backend.data.block_cost_config")
    if table is None:
        return False
    table.BLOCK_COSTS.update(block_costs())
    return True
