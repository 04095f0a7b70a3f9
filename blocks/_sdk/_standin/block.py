"""The Block base class with the platform's execution semantics.

`execute` is what the graph executor calls: it validates the input against the block's JSON schema,
runs the block's `run` async generator, turns an `error` output into `BlockExecutionError` and checks
every other output against the output schema. The error classes, their messages and the accepted
constructor arguments follow the platform's (`PLATFORM_REFERENCE`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Callable
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from .schema import BlockSchemaInput, BlockSchemaOutput

PLATFORM_REFERENCE = (
    "Significant-Gravitas/AutoGPT, autogpt_platform/backend/backend: blocks/_base.py at 06d4a0ad "
    "(the Block class after PR #12068 moved it out of data/block.py), blocks/__init__.py "
    "load_all_blocks at 024d335e, util/exceptions.py and data/model.py as of 2026 "
    "(BlockError without a framing prefix, Bearer auth_header), util/test.py execute_block_test at "
    "00c7ef9a; BlockCostType.COST_USD (#12894) and Block.execution_timeout_seconds = 1800 (#13051) "
    "as reported against dev at 12cc0f6 (May 2026); the import chain the blocks must survive "
    "(sdk/__init__.py at 088613c6 → sdk/cost_integration.py at 20e29d07 → data/block_cost_config.py, "
    "May 2026 → blocks/fal/ai_video_generator.py at 0629a8b3; blocks/fal/_auth.py at 19d534c7 and "
    "_config.py at 913fd717 for the names the provider folder exports): tests/platform_standin.py"
)
"""The platform code this stand-in follows, by file and commit."""

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
    AYRSHARE = "Ayrshare"
    HUMAN_IN_THE_LOOP = "Human In The Loop"
    MCP_TOOL = "MCP Tool"


class BlockCategory(Enum):
    AI = "Block that leverages AI to perform a task."
    SOCIAL = "Block that interacts with social media platforms."
    TEXT = "Block that processes text data."
    SEARCH = "Block that searches or extracts information from the internet."
    BASIC = "Block that performs basic operations."
    INPUT = "Block that interacts with input of the graph."
    OUTPUT = "Block that interacts with output of the graph."
    LOGIC = "Programming logic to control the flow of your agent"
    COMMUNICATION = "Block that interacts with communication platforms."
    DEVELOPER_TOOLS = "Developer tools such as GitHub blocks."
    DATA = "Block that interacts with structured data."
    HARDWARE = "Block that interacts with hardware."
    AGENT = "Block that interacts with other agents."
    CRM = "Block that interacts with CRM services."
    SAFETY = "Block that provides AI safety mechanisms such as detecting harmful content"
    PRODUCTIVITY = "Block that helps with productivity"
    ISSUE_TRACKING = "Block that helps with issue tracking"
    MULTIMEDIA = "Block that interacts with multimedia content"
    MARKETING = "Block that helps with marketing"

    def dict(self) -> dict[str, str]:
        return {"category": self.name, "description": self.value}


class BlockCostType(str, Enum):
    RUN = "run"
    BYTE = "byte"
    SECOND = "second"
    ITEMS = "items"
    TOKENS = "tokens"
    COST_USD = "cost_usd"


class BlockCost(BaseModel):
    cost_amount: int
    cost_filter: BlockInput
    cost_type: BlockCostType
    cost_divisor: int = 1

    def __init__(
        self,
        cost_amount: int,
        cost_type: BlockCostType = BlockCostType.RUN,
        cost_filter: BlockInput | None = None,
        **data: Any,
    ) -> None:
        super().__init__(cost_amount=cost_amount, cost_filter=cost_filter or {}, cost_type=cost_type, **data)


class NodeExecutionStats(BaseModel):
    """What a run cost and used; `provider_cost` is the provider's real spend (USD for `cost_usd`)."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    error: BaseException | str | None = None
    walltime: float = 0
    cputime: float = 0
    input_size: int = 0
    output_size: int = 0
    llm_call_count: int = 0
    llm_retry_count: int = 0
    input_token_count: int = 0
    output_token_count: int = 0
    extra_cost: int = 0
    extra_steps: int = 0
    provider_cost: float | None = None
    provider_cost_type: str | None = None

    def __iadd__(self, other: NodeExecutionStats) -> NodeExecutionStats:
        """The platform's merge: numbers add up, dicts merge, lists extend, anything else is replaced."""
        if not isinstance(other, NodeExecutionStats):
            return NotImplemented
        current = self.model_dump()
        for key, value in other.model_dump().items():
            mine = current.get(key)
            if isinstance(value, dict) and isinstance(mine, dict):
                setattr(self, key, {**mine, **value})
            elif isinstance(value, int | float) and isinstance(mine, int | float):
                setattr(self, key, mine + value)
            elif isinstance(value, list) and isinstance(mine, list):
                setattr(self, key, mine + value)
            else:
                setattr(self, key, value)
        return self


class BlockError(Exception):
    """Base of the platform's block errors: `str()` is the message; name and id are attributes."""

    def __init__(self, message: str, block_name: str, block_id: str) -> None:
        super().__init__(message)
        self.block_name = block_name
        self.block_id = block_id


class BlockInputError(BlockError, ValueError):
    """The input did not match the block's Input schema."""


class BlockOutputError(BlockError, ValueError):
    """The block yielded a value its Output schema does not allow."""


class BlockExecutionError(BlockError, ValueError):
    """The block reported a failure (an `error` output, or a ValueError)."""

    def __init__(self, message: str | None, block_name: str, block_id: str) -> None:
        super().__init__("Output error was None" if message is None else message, block_name, block_id)


class BlockUnknownError(BlockError):
    """The block raised something unexpected."""

    def __init__(self, message: str | None, block_name: str, block_id: str) -> None:
        super().__init__(message or "Unknown error occurred", block_name, block_id)


class Block(ABC, Generic[InputT, OutputT]):
    """A unit of an agent graph: typed inputs in, `(name, value)` outputs out."""

    execution_timeout_seconds: ClassVar[float | None] = 1800
    """The executor stops `run()` after this long (None: no limit)."""

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
        webhook_config: Any = None,
        is_sensitive_action: bool = False,
    ) -> None:
        self.id = id
        self.input_schema = input_schema
        self.output_schema = output_schema
        self.test_input = test_input
        self.test_output = test_output
        self.test_mock = test_mock
        self.test_credentials = test_credentials
        self.description = description
        self.categories = categories or set()
        self.contributors = contributors or []
        self.disabled = disabled
        self.static_output = static_output
        self.block_type = block_type
        self.webhook_config = webhook_config
        self.is_sensitive_action = is_sensitive_action
        self.execution_stats = NodeExecutionStats()

    def merge_stats(self, stats: NodeExecutionStats) -> NodeExecutionStats:
        """Add a run's stats (e.g. the provider's spend) to this block's execution stats."""
        self.execution_stats += stats
        return self.execution_stats

    @property
    def name(self) -> str:
        return type(self).__name__

    @abstractmethod
    async def run(self, input_data: InputT, **kwargs: Any) -> BlockOutput:
        """Yield `(output_name, value)` pairs; yielding `error` fails the node."""
        raise NotImplementedError(f"{self.name} does not implement the run method.")
        yield  # pragma: no cover - makes this an async generator

    async def execute(self, input_data: BlockInput, **kwargs: Any) -> BlockOutput:
        try:
            async for name, value in self._execute(input_data, **kwargs):
                yield name, value
        except Exception as exc:
            if isinstance(exc, BlockError):
                raise
            error = BlockExecutionError if isinstance(exc, ValueError) else BlockUnknownError
            raise error(message=str(exc), block_name=self.name, block_id=self.id) from exc

    async def _execute(self, input_data: BlockInput, **kwargs: Any) -> BlockOutput:
        if problem := self.input_schema.validate_data(input_data):
            raise BlockInputError(
                message=f"Unable to execute block with invalid input data: {problem}",
                block_name=self.name,
                block_id=self.id,
            )
        model = self.input_schema(**{key: value for key, value in input_data.items() if value is not None})
        async for name, value in self.run(model, **kwargs):
            if name == "error":
                raise BlockExecutionError(message=value, block_name=self.name, block_id=self.id)
            if self.block_type == BlockType.STANDARD and (
                problem := self.output_schema.validate_field(name, value)
            ):
                raise BlockOutputError(
                    message=f"Block produced an invalid output data: {problem}",
                    block_name=self.name,
                    block_id=self.id,
                )
            yield name, value
