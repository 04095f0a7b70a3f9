"""The Block base class with the platform's execution semantics.

`execute` is what the graph executor calls: it validates the input, runs the block's `run` async
generator, turns an `error` output into `BlockExecutionError` and checks every other output against
the output schema. The error classes and their messages follow the platform's.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from .schema import BlockSchemaInput, BlockSchemaOutput

BlockInput = dict[str, Any]
BlockOutputEntry = tuple[str, Any]
BlockOutput = AsyncGenerator[BlockOutputEntry, None]
BlockTestOutput = BlockOutputEntry | tuple[str, Callable[[Any], bool]]

InputT = TypeVar("InputT", bound=BlockSchemaInput)
OutputT = TypeVar("OutputT", bound=BlockSchemaOutput)


class BlockType(Enum):
    STANDARD = "Standard"
    INPUT = "Input"
    OUTPUT = "Output"
    NOTE = "Note"
    WEBHOOK = "Webhook"
    WEBHOOK_MANUAL = "Webhook (manual)"
    AGENT = "Agent"
    AI = "AI"


class BlockCategory(Enum):
    AI = "Block that leverages AI to perform a task."
    TEXT = "Block that processes text data."
    BASIC = "Block that performs basic operations."
    MULTIMEDIA = "Block that interacts with multimedia content"
    MARKETING = "Block that helps with marketing"
    DEVELOPER_TOOLS = "Developer tools such as GitHub blocks."

    def dict(self) -> dict[str, str]:
        return {"category": self.name, "description": self.value}


class BlockCostType(str, Enum):
    RUN = "run"
    BYTE = "byte"
    SECOND = "second"
    COST_USD = "cost_usd"


class BlockCost(BaseModel):
    cost_amount: int
    cost_filter: BlockInput
    cost_type: BlockCostType

    def __init__(
        self,
        cost_amount: int,
        cost_type: BlockCostType = BlockCostType.RUN,
        cost_filter: BlockInput | None = None,
        **data: Any,
    ) -> None:
        super().__init__(cost_amount=cost_amount, cost_filter=cost_filter or {}, cost_type=cost_type, **data)


class NodeExecutionStats(BaseModel):
    """What a run cost and used; `provider_cost` is the provider's real spend in USD."""

    model_config = ConfigDict(extra="allow")
    provider_cost: float | None = None
    provider_cost_type: str | None = None


class BlockError(Exception):
    """Base of the platform's block errors; the message names the block."""

    def __init__(self, message: str, block_name: str, block_id: str) -> None:
        super().__init__(f"raised by {block_name} with message: {message}. block_id: {block_id}")
        self.message = message
        self.block_name = block_name
        self.block_id = block_id


class BlockInputError(BlockError, ValueError):
    """The input did not match the block's Input schema."""


class BlockOutputError(BlockError, ValueError):
    """The block yielded a value its Output schema does not allow."""


class BlockExecutionError(BlockError, ValueError):
    """The block reported a failure (an `error` output, or a ValueError)."""


class BlockUnknownError(BlockError):
    """The block raised something unexpected."""


class Block(Generic[InputT, OutputT]):
    """A unit of an agent graph: typed inputs in, `(name, value)` outputs out."""

    execution_timeout_seconds: ClassVar[float | None] = None

    def __init__(
        self,
        id: str = "",
        description: str = "",
        contributors: list[Any] | None = None,
        categories: set[BlockCategory] | None = None,
        input_schema: type[InputT] = BlockSchemaInput,  # type: ignore[assignment]
        output_schema: type[OutputT] = BlockSchemaOutput,  # type: ignore[assignment]
        test_input: BlockInput | list[BlockInput] | None = None,
        test_output: BlockTestOutput | list[BlockTestOutput] | None = None,
        test_mock: dict[str, Any] | None = None,
        test_credentials: Any = None,
        disabled: bool = False,
        static_output: bool = False,
        block_type: BlockType = BlockType.STANDARD,
        **_: Any,
    ) -> None:
        self.id = id
        self.description = description
        self.contributors = contributors or []
        self.categories = categories or set()
        self.input_schema = input_schema
        self.output_schema = output_schema
        self.test_input = test_input
        self.test_output = test_output
        self.test_mock = test_mock
        self.test_credentials = test_credentials
        self.disabled = disabled
        self.static_output = static_output
        self.block_type = block_type
        self.execution_stats = NodeExecutionStats()

    def merge_stats(self, stats: NodeExecutionStats) -> NodeExecutionStats:
        """Add a run's stats (e.g. the provider's spend) to this block's execution stats."""
        if stats.provider_cost is not None:
            spent = self.execution_stats.provider_cost or 0.0
            self.execution_stats.provider_cost = spent + stats.provider_cost
            self.execution_stats.provider_cost_type = stats.provider_cost_type
        return self.execution_stats

    @property
    def name(self) -> str:
        return type(self).__name__

    async def run(self, input_data: InputT, **kwargs: Any) -> BlockOutput:
        """Yield `(output_name, value)` pairs; yielding `error` fails the node."""
        raise NotImplementedError
        yield  # pragma: no cover - makes this an async generator

    async def execute(self, input_data: BlockInput, **kwargs: Any) -> BlockOutput:
        try:
            async for name, value in self._execute(input_data, **kwargs):
                yield name, value
        except (BlockExecutionError, BlockInputError, BlockOutputError, BlockUnknownError):
            raise
        except ValueError as exc:
            raise BlockExecutionError(str(exc), self.name, self.id) from exc
        except Exception as exc:
            raise BlockUnknownError(str(exc), self.name, self.id) from exc

    async def _execute(self, input_data: BlockInput, **kwargs: Any) -> BlockOutput:
        problem = self.input_schema.validate_data(input_data)
        if problem:
            raise BlockInputError(
                f"Unable to execute block with invalid input data: {problem}", self.name, self.id
            )
        model = self.input_schema(**{key: value for key, value in input_data.items() if value is not None})
        async for name, value in self.run(model, **kwargs):
            if name == "error":
                raise BlockExecutionError(str(value), self.name, self.id)
            problem = self.output_schema.validate_field(name, value)
            if problem:
                raise BlockOutputError(f"Block produced an invalid output: {problem}", self.name, self.id)
            yield name, value
