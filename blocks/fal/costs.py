"""The platform's cost declarations for these blocks: bill fal's real spend, at the platform's margin.

Each fal block reports the published price of its job as `provider_cost` (type `cost_usd`) through
`merge_stats`. The platform bills a `COST_USD` block `ceil(provider_cost × cost_amount)` credits, so
`cost_amount` is credits per USD. Merge `block_costs()` into the platform's `BLOCK_COSTS`.
"""

from __future__ import annotations

from blocks._sdk import Block, BlockCost, BlockCostType
from blocks._sdk.loader import load_blocks

from ._base import FalBlockBase
from .pricing import PRICES

PLATFORM_CREDITS_PER_USD = 150
"""The platform's usual margin for COST_USD blocks (1.5 credits per cent)."""


def block_costs() -> dict[type[Block], list[BlockCost]]:
    """A COST_USD entry for every block that can call an endpoint fal publishes a price for."""
    return {
        type(block): [BlockCost(cost_amount=PLATFORM_CREDITS_PER_USD, cost_type=BlockCostType.COST_USD)]
        for block in load_blocks().values()
        if isinstance(block, FalBlockBase) and any(endpoint in PRICES for endpoint in block.doc_endpoints())
    }
