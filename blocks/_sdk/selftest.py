"""The platform's block self-test, runnable here: every block's declared test passes offline.

Semantics follow the platform's harness: `test_mock` replaces methods on the instance (the
replacement gets no `self`; an async method's mock has its return value awaited), `test_input` is
run through `execute` with fresh ids and the test credentials, and the outputs must match
`test_output` in order and in count. An expected value may be a type, a predicate or a value.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any

from . import Block


def _install_mocks(block: Block) -> None:
    for name, replacement in (block.test_mock or {}).items():
        original = getattr(block, name)
        if inspect.iscoroutinefunction(original):

            async def awaited(*args: Any, _mock: Any = replacement, **kwargs: Any) -> Any:
                return _mock(*args, **kwargs)

            setattr(block, name, awaited)
        else:
            setattr(block, name, replacement)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, type):
        return isinstance(actual, expected)
    if callable(expected):
        return bool(expected(actual))
    return bool(expected == actual)


async def run_block_self_test(block: Block) -> list[tuple[str, Any]]:
    """Run the block's declared test; raises AssertionError on the first mismatch."""
    _install_mocks(block)
    expected = _as_list(block.test_output)
    extra: dict[str, Any] = {
        "graph_id": str(uuid.uuid4()),
        "node_id": str(uuid.uuid4()),
        "graph_exec_id": str(uuid.uuid4()),
        "node_exec_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
        "graph_version": 1,
    }
    for field in block.input_schema.get_credentials_fields():
        extra[field] = block.test_credentials
    produced: list[tuple[str, Any]] = []
    for test_input in _as_list(block.test_input):
        async for name, value in block.execute(test_input, **extra):
            index = len(produced)
            produced.append((name, value))
            assert index < len(expected), f"{block.name}: unexpected extra output {name}={value!r}"
            want_name, want_value = expected[index]
            assert name == want_name, f"{block.name}: output #{index} is {name}, expected {want_name}"
            assert _matches(want_value, value), (
                f"{block.name}: output {name}={value!r} does not match {want_value!r}"
            )
    assert len(produced) == len(expected), (
        f"{block.name}: produced {len(produced)} outputs, expected {len(expected)}"
    )
    return produced
