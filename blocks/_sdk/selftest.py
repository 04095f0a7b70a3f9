"""The platform's block self-test (`execute_block_test`), runnable here: every block's declared test
passes offline.

Semantics follow the platform's harness: each `test_mock` entry replaces a method the block has
(the replacement gets no `self`; a coroutine or async-generator method's mock is wrapped so its
return value is awaited), `test_input` runs through `execute` with fresh ids, an execution context
and the test credentials, and the outputs must match `test_output` in order and in count. An expected
value matches when it is equal, or is a type the value is an instance of, or a predicate that holds.
"""

from __future__ import annotations

import inspect
import uuid
from types import SimpleNamespace
from typing import Any

from . import Block


class SelfTestFailure(AssertionError):
    """A block's outputs did not match its declared `test_output`."""


def _install_mocks(block: Block) -> None:
    for name, replacement in (block.test_mock or {}).items():
        if not hasattr(block, name):
            continue
        original = getattr(block, name)
        if inspect.iscoroutinefunction(original) or inspect.isasyncgenfunction(original):

            async def awaited(*args: Any, _mock: Any = replacement, **kwargs: Any) -> Any:
                return _mock(*args, **kwargs)

            setattr(block, name, awaited)
        else:
            setattr(block, name, replacement)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(actual: Any, expected: Any) -> bool:
    if actual == expected:
        return True
    if isinstance(expected, type):
        return isinstance(actual, expected)
    if callable(expected):
        return bool(expected(actual))
    return False


def _execution_kwargs(block: Block) -> dict[str, Any]:
    ids = {
        name: str(uuid.uuid4())
        for name in ("graph_id", "node_id", "graph_exec_id", "node_exec_id", "user_id")
    }
    context = SimpleNamespace(**ids, graph_version=1, workspace_id=None, dry_run=False)
    kwargs: dict[str, Any] = {**ids, "graph_version": 1, "execution_context": context}
    fields = block.input_schema.get_credentials_fields()
    if (
        len(fields) == 1
        and block.test_credentials is not None
        and not isinstance(block.test_credentials, dict)
    ):
        kwargs[next(iter(fields))] = block.test_credentials
    elif isinstance(block.test_credentials, dict):
        kwargs.update(
            {name: block.test_credentials[name] for name in fields if name in block.test_credentials}
        )
    return kwargs


async def run_block_self_test(block: Block) -> list[tuple[str, Any]]:
    """Run the block's declared test; raises `SelfTestFailure` on the first mismatch."""
    expected = _as_list(block.test_output)
    if not block.test_input or not expected:
        raise SelfTestFailure(f"{block.name}: declares no test input or no expected output")
    _install_mocks(block)
    kwargs = _execution_kwargs(block)
    produced: list[tuple[str, Any]] = []
    for test_input in _as_list(block.test_input):
        async for name, value in block.execute(test_input, **kwargs):
            index = len(produced)
            produced.append((name, value))
            if index >= len(expected):
                raise SelfTestFailure(
                    f"{block.name}: produced more outputs than expected: ({name!r}, {value!r})"
                )
            want_name, want_value = expected[index]
            if not (_matches(value, want_value) and name == want_name):
                got, want = (name, value), (want_name, want_value)
                raise SelfTestFailure(f"{block.name}: output #{index} is {got!r}, expected {want!r}")
    if len(produced) < len(expected):
        raise SelfTestFailure(f"{block.name}: produced {len(produced)} outputs, expected {len(expected)}")
    return produced
