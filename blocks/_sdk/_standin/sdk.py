"""The platform's `backend.sdk` extras, as much as these blocks use: providers and block costs.

`ProviderBuilder(...).build()` registers a provider by name and `cost(...)` records a block's cost
entries, as the platform's `AutoRegistry` and `BLOCK_COSTS` do; here the registries are plain dicts
a test can read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .block import BlockCost, BlockCostType

PROVIDERS: dict[str, Provider] = {}
BLOCK_COSTS: dict[type, list[BlockCost]] = {}

BlockClass = TypeVar("BlockClass", bound=type)


@dataclass
class Provider:
    name: str
    description: str = ""
    api_key_env_var: str | None = None
    base_costs: list[BlockCost] = field(default_factory=list)


class ProviderBuilder:
    """Fluent provider declaration; `build()` registers it."""

    def __init__(self, name: str) -> None:
        self._provider = Provider(name)

    def with_description(self, description: str) -> ProviderBuilder:
        self._provider.description = description
        return self

    def with_api_key(self, env_var_name: str, title: str) -> ProviderBuilder:
        self._provider.api_key_env_var = env_var_name
        return self

    def with_base_cost(self, amount: int, cost_type: BlockCostType) -> ProviderBuilder:
        self._provider.base_costs.append(BlockCost(cost_amount=amount, cost_type=cost_type))
        return self

    def build(self) -> Provider:
        PROVIDERS[self._provider.name] = self._provider
        return self._provider


def cost(*costs: BlockCost) -> Callable[[BlockClass], BlockClass]:
    """Record a block's cost entries (the platform writes them into its BLOCK_COSTS)."""

    def register(block_class: BlockClass) -> BlockClass:
        if costs:
            BLOCK_COSTS[block_class] = list(costs)
        return block_class

    return register


def registered_costs() -> dict[type, list[BlockCost]]:
    return dict(BLOCK_COSTS)


__all__: list[Any] = ["BLOCK_COSTS", "PROVIDERS", "Provider", "ProviderBuilder", "cost", "registered_costs"]
