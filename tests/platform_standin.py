"""A small AutoGPT platform (`backend` package) written into a folder, for the platform tests.

It is a fake of the platform, not of our code: its classes are a copy of the bundled stand-in
(`platform_classes`, imported without our package, so they are not our classes), and its modules
import one another the way the platform's do (files and commits below), which is what decides
whether the backend starts with these blocks installed:

- `backend.sdk` re-exports the block classes, `ProviderBuilder`, `cost` (from `sdk/cost_integration.py`,
  which imports `backend.data.block_cost_config` first), `Requests`, `store_media_file` and
  `MediaFileType`, in the real file's order;
- `block_cost_config.py` imports platform blocks by path, among them
  `backend.blocks.fal.ai_video_generator.AIVideoGeneratorBlock`, then builds `BLOCK_COSTS` as a
  literal (with the platform's own entry for that block: credits per second);
- `load_all_blocks()` imports every module under `backend/blocks/`, walks `Block`'s subclasses with
  the platform's checks, then syncs the SDK providers' base costs;
- `execute_block_test` and `block_usage_cost` follow the platform's;
- `backend/blocks/fal/` is the platform's own folder (no `__init__.py`; `_auth.py`, `_config.py`,
  `ai_video_generator.py` with the block id `530cf046-...`), and `exa/` an SDK-style provider folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PLATFORM_REFERENCE = (
    "Significant-Gravitas/AutoGPT, autogpt_platform/backend/backend: sdk/__init__.py at 088613c6 "
    "and as of the BlockSchemaInput layout (import order: block classes, ProviderBuilder, "
    "cost_integration.cost, registry, util.request.Requests, util.file.store_media_file, "
    "util.type.MediaFileType), sdk/cost_integration.py at 20e29d07 and its newer form "
    "(BLOCK_COSTS imported from data/block_cost_config at the top; sync_all_provider_costs(block_classes) "
    "called by load_all_blocks; base costs filtered on the platform's credentials), "
    "data/block_cost_config.py as of May 2026 (imports backend.blocks.fal.ai_video_generator; "
    "AIVideoGeneratorBlock billed per second on fal_credentials), blocks/__init__.py load_all_blocks "
    "at 024d335e, blocks/_base.py at 06d4a0ad, blocks/fal/_auth.py at 19d534c7, blocks/fal/_config.py "
    "at 913fd717, blocks/fal/ai_video_generator.py at 0629a8b3, util/test.py execute_block_test at "
    "00c7ef9a, executor/utils.py block_usage_cost (first matching entry; SECOND: run_time × amount)"
)
"""The platform code this fake follows, by file and commit."""

PLATFORM_AI_VIDEO_GENERATOR_ID = "530cf046-2ce0-4854-ae2c-659db17c7a46"
PLATFORM_FAL_KEY = {"id": "6c0f5bd0-9008-4638-9d79-4b40b631803e", "provider": "fal", "type": "api_key"}

_BLOCK_CLASSES = "Block, BlockCategory, BlockCost, BlockCostType, BlockOutput, BlockType"
_SCHEMA_CLASSES = "BlockSchema, BlockSchemaInput, BlockSchemaOutput"

_NOT_SOURCE = shutil.ignore_patterns("__pycache__")

_PACKAGES = (
    "backend",
    "backend/blocks",
    "backend/data",
    "backend/executor",
    "backend/integrations",
    "backend/util",
)

_CORE = {
    "backend/blocks/__init__.py": """
        import importlib
        import os
        import re
        from pathlib import Path


        def load_all_blocks():
            from backend.blocks._base import Block

            here = Path(__file__).parent
            modules = [
                str(f.relative_to(here))[:-3].replace(os.path.sep, ".")
                for f in here.rglob("*.py")
                if f.is_file() and f.name != "__init__.py"
            ]
            for module in modules:
                if not re.match("^[a-z0-9_.]+$", module):
                    raise ValueError(f"Block module {module} error: module name must be lowercase")
                importlib.import_module(f".{module}", package=__name__)

            available = {}
            for cls in all_subclasses(Block):
                if cls.__name__.endswith("Base"):
                    continue
                if not cls.__name__.endswith("Block"):
                    raise ValueError(f"Block class {cls.__name__} does not end with 'Block'")
                block = cls()
                if not isinstance(block.id, str) or len(block.id) != 36:
                    raise ValueError(f"Block ID {block.name} error: {block.id} is not a valid UUID")
                if block.id in available:
                    raise ValueError(f"Block ID {block.name} error: {block.id} is already in use")
                outputs = block.output_schema.model_fields
                if "error" in outputs and outputs["error"].annotation is not str:
                    raise ValueError(f"{block.name} `error` field in output_schema must be a string")
                for name, field in [*block.input_schema.model_fields.items(), *outputs.items()]:
                    if field.annotation is None or field.json_schema_extra is None:
                        raise ValueError(f"{block.name} has a field {name} not defined as SchemaField")
                available[block.id] = cls

            try:
                from backend.sdk.cost_integration import sync_all_provider_costs
            except ModuleNotFoundError:  # a platform from before backend.sdk
                pass
            else:
                sync_all_provider_costs(available.values())
            return available


        def all_subclasses(cls):
            subclasses = cls.__subclasses__()
            for subclass in subclasses:
                subclasses += all_subclasses(subclass)
            return subclasses
    """,
    "backend/blocks/_base.py": f"""
        from platform_classes.block import {_BLOCK_CLASSES}
        from platform_classes.schema import {_SCHEMA_CLASSES}
    """,
    "backend/blocks/basic.py": """
        from backend.blocks._base import Block, BlockOutput, BlockSchemaInput, BlockSchemaOutput
        from backend.data.model import SchemaField


        class StoreValueBlock(Block):
            class Input(BlockSchemaInput):
                data: str = SchemaField(description="A value")

            class Output(BlockSchemaOutput):
                output: str = SchemaField(description="The value")

            def __init__(self):
                super().__init__(
                    id="1ff065e9-88e8-4358-9d82-8dc91f622ba9",
                    input_schema=StoreValueBlock.Input,
                    output_schema=StoreValueBlock.Output,
                    test_input={"data": "x"},
                    test_output=[("output", "x")],
                )

            async def run(self, input_data, **kwargs):
                yield "output", input_data.data
    """,
    "backend/blocks/exa/_config.py": """
        from backend.sdk import BlockCostType, ProviderBuilder

        exa = ProviderBuilder("exa").with_base_cost(1, BlockCostType.RUN).build()
    """,
    "backend/blocks/exa/search.py": """
        from backend.sdk import (
            APIKeyCredentials, Block, BlockCost, BlockOutput, BlockSchemaInput, BlockSchemaOutput,
            CredentialsField, SchemaField, cost,
        )


        @cost(BlockCost(2))
        class ExaSearchBlock(Block):
            class Input(BlockSchemaInput):
                query: str = SchemaField(description="What to look for")

            class Output(BlockSchemaOutput):
                results: list = SchemaField(description="What was found")

            def __init__(self):
                super().__init__(
                    id="996cec64-ac40-4dde-982f-b0dc60a5824d",
                    input_schema=ExaSearchBlock.Input,
                    output_schema=ExaSearchBlock.Output,
                    test_input={"query": "kites"},
                    test_output=[("results", [])],
                )

            async def run(self, input_data, **kwargs):
                yield "results", []
    """,
    "backend/blocks/fal/_auth.py": """
        from typing import Literal

        from pydantic import SecretStr

        from backend.data.model import APIKeyCredentials, CredentialsField, CredentialsMetaInput

        FalCredentials = APIKeyCredentials
        FalCredentialsInput = CredentialsMetaInput[Literal["fal"], Literal["api_key"]]
        TEST_CREDENTIALS = APIKeyCredentials(
            id="01234567-89ab-cdef-0123-456789abcdef", provider="fal",
            api_key=SecretStr("mock-fal-api-key"), title="Mock FAL API key",
        )
        TEST_CREDENTIALS_INPUT = {
            "provider": "fal", "id": TEST_CREDENTIALS.id, "type": "api_key", "title": TEST_CREDENTIALS.title,
        }


        def FalCredentialsField() -> FalCredentialsInput:
            return CredentialsField(description="The FAL integration can be used with an API Key.")
    """,
    "backend/blocks/fal/_config.py": """
        from backend.sdk import ProviderBuilder

        fal = ProviderBuilder("fal").with_description("Hosted model inference").build()
    """,
    "backend/blocks/fal/ai_video_generator.py": """
        from backend.blocks._base import (
            Block, BlockCategory, BlockOutput, BlockSchemaInput, BlockSchemaOutput,
        )
        from backend.blocks.fal._auth import (
            TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT, FalCredentialsField, FalCredentialsInput,
        )
        from backend.data.model import SchemaField


        class AIVideoGeneratorBlock(Block):
            class Input(BlockSchemaInput):
                prompt: str = SchemaField(description="Description of the video to generate.")
                credentials: FalCredentialsInput = FalCredentialsField()

            class Output(BlockSchemaOutput):
                video_url: str = SchemaField(description="The URL of the generated video.")

            def __init__(self):
                super().__init__(
                    id="530cf046-2ce0-4854-ae2c-659db17c7a46",
                    description="Generate videos using FAL AI models.",
                    categories={BlockCategory.AI},
                    input_schema=self.Input,
                    output_schema=self.Output,
                    test_input={"prompt": "A dog", "credentials": TEST_CREDENTIALS_INPUT},
                    test_credentials=TEST_CREDENTIALS,
                    test_output=[("video_url", "https://fal.media/files/example/video.mp4")],
                )

            async def run(self, input_data, *, credentials, **kwargs):
                yield "video_url", "https://fal.media/files/example/video.mp4"
    """,
    "backend/data/block.py": "from platform_classes.block import BlockInput, BlockOutput\n",
    "backend/data/model.py": """
        from platform_classes.block import NodeExecutionStats
        from platform_classes.credentials import (
            APIKeyCredentials, CredentialsField, CredentialsMetaInput, _BaseCredentials,
        )
        from platform_classes.schema import SchemaField
    """,
    "backend/data/execution.py": """
        from dataclasses import dataclass


        @dataclass
        class ExecutionContext:
            user_id: str
            graph_id: str
            graph_exec_id: str
            graph_version: int
            node_id: str
            node_exec_id: str
            workspace_id: str | None = None
    """,
    "backend/data/block_cost_config.py": """
        from backend.blocks._base import Block, BlockCost, BlockCostType
        from backend.blocks.basic import StoreValueBlock
        from backend.blocks.fal.ai_video_generator import AIVideoGeneratorBlock
        from backend.integrations.credentials_store import fal_credentials

        BLOCK_COSTS: dict[type[Block], list[BlockCost]] = {
            StoreValueBlock: [BlockCost(cost_amount=1)],
            AIVideoGeneratorBlock: [
                BlockCost(
                    cost_amount=15,
                    cost_type=BlockCostType.SECOND,
                    cost_filter={
                        "credentials": {
                            "id": fal_credentials.id,
                            "provider": fal_credentials.provider,
                            "type": fal_credentials.type,
                        }
                    },
                )
            ],
        }
    """,
    "backend/executor/utils.py": """
        import math

        from backend.blocks._base import BlockCostType
        from backend.data.block_cost_config import BLOCK_COSTS


        def block_usage_cost(block, input_data, data_size=0, run_time=0, stats=None):
            for entry in BLOCK_COSTS.get(type(block)) or []:
                if not _is_cost_filter_match(entry.cost_filter, input_data):
                    continue
                if entry.cost_type == BlockCostType.RUN:
                    return entry.cost_amount, entry.cost_filter
                if entry.cost_type == BlockCostType.SECOND:
                    return int(run_time * entry.cost_amount), entry.cost_filter
                if entry.cost_type == BlockCostType.COST_USD:
                    usd = stats.provider_cost if stats is not None else None
                    return (math.ceil(usd * entry.cost_amount) if usd else 0), entry.cost_filter
            return 0, {}


        def _is_cost_filter_match(cost_filter, input_data):
            if not isinstance(cost_filter, dict) or not isinstance(input_data, dict):
                return cost_filter == input_data
            return all(
                (not input_data.get(key) and not value)
                or (input_data.get(key) and _is_cost_filter_match(value, input_data[key]))
                for key, value in cost_filter.items()
            )
    """,
    "backend/integrations/providers.py": """
        from enum import Enum


        class ProviderName(str, Enum):
            EXA = "exa"
            FAL = "fal"
    """,
    "backend/integrations/credentials_store.py": f"""
        from pydantic import SecretStr

        from backend.data.model import APIKeyCredentials

        fal_credentials = APIKeyCredentials(
            id="{PLATFORM_FAL_KEY["id"]}", provider="fal",
            api_key=SecretStr("platform-key"), title="Use Credits for FAL",
        )
        DEFAULT_CREDENTIALS = [fal_credentials]
    """,
    "backend/util/exceptions.py": """
        from platform_classes.block import (
            BlockError, BlockExecutionError, BlockInputError, BlockOutputError, BlockUnknownError,
        )
    """,
    "backend/util/file.py": """
        from backend.util.type import MediaFileType

        STORED = []


        async def store_media_file(file, execution_context, return_format):
            STORED.append((str(file), return_format, execution_context.user_id))
            return "workspace://files/" + str(file).rsplit("/", 1)[-1]
    """,
    "backend/util/type.py": "from platform_classes.schema import MediaFileType\n",
    "backend/util/request.py": """
        class Requests:
            \"\"\"The platform's HTTP client (SSRF-checked); not used by these tests.\"\"\"
    """,
    "backend/util/test.py": """
        import uuid

        from backend.data.execution import ExecutionContext
        from backend.data.model import _BaseCredentials


        async def execute_block_test(block):
            if not block.test_input or not block.test_output:
                return
            inputs = block.test_input if isinstance(block.test_input, list) else [block.test_input]
            outputs = block.test_output if isinstance(block.test_output, list) else [block.test_output]
            for name, mock in (block.test_mock or {}).items():
                if not hasattr(block, name):
                    continue
                import inspect

                original = getattr(block, name)
                if inspect.iscoroutinefunction(original) or inspect.isasyncgenfunction(original):
                    async def async_mock(*args, _mock=mock, **kwargs):
                        return _mock(*args, **kwargs)

                    setattr(block, name, async_mock)
                else:
                    setattr(block, name, mock)
            names = ("graph_id", "node_id", "graph_exec_id", "node_exec_id", "user_id")
            ids = {key: str(uuid.uuid4()) for key in names}
            context = ExecutionContext(graph_version=1, **ids)
            kwargs = {**ids, "graph_version": 1, "execution_context": context}
            fields = block.input_schema.get_credentials_fields()
            if len(fields) == 1 and isinstance(block.test_credentials, _BaseCredentials):
                kwargs[next(iter(fields))] = block.test_credentials
            elif fields and block.test_credentials:
                if not isinstance(block.test_credentials, dict):
                    raise TypeError(f"Block {block.name} has no usable test credentials")
                kwargs.update({f: block.test_credentials[f] for f in fields if f in block.test_credentials})
            index = 0
            for input_data in inputs:
                async for name, data in block.execute(input_data, **kwargs):
                    if index >= len(outputs):
                        raise ValueError(f"{block.name} produced output more than expected: {name}")
                    want_name, want = outputs[index]
                    for got, expected in ((data, want), (name, want_name)):
                        if not (
                            got == expected
                            or (isinstance(expected, type) and isinstance(got, expected))
                            or (not isinstance(expected, type) and callable(expected) and expected(got))
                        ):
                            raise ValueError(f"{block.name}: wrong output {got!r} vs {expected!r}")
                    index += 1
            if index < len(outputs):
                raise ValueError(f"{block.name} produced output less than expected: {index}")
    """,
}

_SDK = {
    "backend/sdk/__init__.py": f"""
        from backend.blocks._base import {_BLOCK_CLASSES}, {_SCHEMA_CLASSES}
        from backend.data.model import APIKeyCredentials, CredentialsField
        from backend.data.model import CredentialsMetaInput as _CredentialsMetaInput
        from backend.data.model import NodeExecutionStats, SchemaField
        from backend.integrations.providers import ProviderName
        from backend.sdk.builder import ProviderBuilder
        from backend.sdk.cost_integration import cost
        from backend.sdk.provider import Provider
        from backend.sdk.registry import AutoRegistry
        from backend.util.request import Requests

        try:
            from backend.util.file import store_media_file
        except ImportError:
            store_media_file = None

        try:
            from backend.util.type import MediaFileType
        except ImportError:
            MediaFileType = None

        from typing import Literal as _Literal

        CredentialsMetaInput = _CredentialsMetaInput[ProviderName, _Literal["api_key"]]

        __all__ = [
            "APIKeyCredentials", "AutoRegistry", "Block", "BlockCategory", "BlockCost", "BlockCostType",
            "BlockOutput", "BlockSchema", "BlockSchemaInput", "BlockSchemaOutput", "BlockType",
            "CredentialsField", "CredentialsMetaInput", "MediaFileType", "NodeExecutionStats", "Provider",
            "ProviderBuilder", "ProviderName", "Requests", "SchemaField", "cost", "store_media_file",
        ]
        __all__ = [name for name in __all__ if globals().get(name) is not None]
    """,
    "backend/sdk/provider.py": """
        from dataclasses import dataclass, field


        @dataclass
        class Provider:
            name: str
            description: str = ""
            supported_auth_types: set = field(default_factory=set)
            base_costs: list = field(default_factory=list)
            default_credentials: list = field(default_factory=list)
    """,
    "backend/sdk/registry.py": """
        class AutoRegistry:
            providers = {}

            @classmethod
            def register_provider(cls, provider):
                cls.providers[provider.name] = provider

            @classmethod
            def get_provider(cls, name):
                return cls.providers.get(name)
    """,
    "backend/sdk/builder.py": """
        from backend.blocks._base import BlockCost
        from backend.sdk.provider import Provider
        from backend.sdk.registry import AutoRegistry


        class ProviderBuilder:
            def __init__(self, name):
                self._provider = Provider(name)

            def with_description(self, description):
                self._provider.description = description
                return self

            def with_supported_auth_types(self, *types):
                self._provider.supported_auth_types.update(types)
                return self

            def with_base_cost(self, amount, cost_type):
                self._provider.base_costs.append(BlockCost(cost_amount=amount, cost_type=cost_type))
                return self

            def build(self):
                AutoRegistry.register_provider(self._provider)
                return self._provider
    """,
    "backend/sdk/cost_integration.py": """
        from backend.data.block_cost_config import BLOCK_COSTS
        from backend.integrations.credentials_store import DEFAULT_CREDENTIALS
        from backend.sdk.registry import AutoRegistry


        def register_provider_costs_for_block(block_class):
            if block_class in BLOCK_COSTS:
                return
            schema = block_class().input_schema
            found = []
            for field_name in schema.get_credentials_fields():
                for provider_name in schema.get_field_schema(field_name).get("credentials_provider", []):
                    provider = AutoRegistry.get_provider(provider_name)
                    if provider is None:
                        continue
                    ids = [c.id for c in DEFAULT_CREDENTIALS if c.provider == provider_name]
                    for base in provider.base_costs:
                        for i in ids:
                            gated = {**base.cost_filter, field_name: {"id": i}}
                            found.append(base.model_copy(update={"cost_filter": gated}))
            if found:
                BLOCK_COSTS[block_class] = found


        def sync_all_provider_costs(block_classes):
            for block_class in block_classes:
                register_provider_costs_for_block(block_class)


        def cost(*costs):
            def decorator(block_class):
                if costs:
                    BLOCK_COSTS[block_class] = list(costs)
                return block_class

            return decorator
    """,
}


def write_platform(root: Path, *, with_sdk: bool = True, with_media_type: bool = True) -> Path:
    """The fake platform's `autogpt_platform/backend` folder (the `backend` package inside `root`)."""
    files = {**_CORE, **(_SDK if with_sdk else {})}
    if not with_sdk:  # the platform before backend.sdk: no SDK-style provider folders either
        files = {name: text for name, text in files.items() if "/exa/" not in name}
        files["backend/blocks/fal/_config.py"] = "fal = None\n"
    if not with_media_type:
        files["backend/util/type.py"] = "\n"
        files["backend/util/file.py"] = files["backend/util/file.py"].replace(
            "from backend.util.type import MediaFileType\n", ""
        )
    for package in _PACKAGES:
        files.setdefault(f"{package}/__init__.py", "")
    shutil.copytree(REPO / "blocks/_sdk/_standin", root / "platform_classes", ignore=_NOT_SOURCE)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def python(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh interpreter, inside the fake platform's backend folder (as `poetry run`
    would): `backend` and this repository importable, nothing imported yet."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(REPO)])}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=180,
    )
