"""Every check a fal block makes before it spends money, runnable without submitting anything.

A block's run calls `check_run` and then `upload_files`; a host that wants to know, before the first
job of a graph is paid for, whether every node would pass calls `preflight` with each node's inputs.
Both are the same checks, in one place:

1. the input schema (types, enums, ranges, required inputs; names the block does not have);
2. text that is only whitespace where text is needed (every `prompt`, every text input with a
   minimum length);
3. the block's own rules (`check_input`: a duration a model cannot do, a prompt over its limit,
   inputs that belong to another task, ...), and the request they lead to (`fal_arguments`);
4. every file input: existence, type by content, size, and the local-file policy
   (`_files.LocalFilePolicy`: a path is read only when the user typed it, under the host's root).

Inputs that another node will supply (`pending`) are not known yet: the checks that need them wait
until the node starts, and the block's own run makes them then.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import annotated_types
import fal_client
import jsonschema
from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from blocks._sdk import ON_PLATFORM

from ._failures import InputProblem
from ._files import (
    CheckedFile,
    LocalFilePolicy,
    MediaRule,
    Resolver,
    check_all,
    local_files,
    local_files_allowed,
    upload_all,
)

__all__ = [
    "PENDING_TEXT",
    "CheckedRun",
    "InputProblem",
    "InputProblems",
    "LocalFilePolicy",
    "builds_fal_requests",
    "check_run",
    "check_text",
    "local_files",
    "local_files_allowed",
    "preflight",
    "schema_problems",
    "upload_files",
]

PENDING_TEXT = "<linked: known at run time>"
"""Stands in for a text or file input that another node supplies, so the rest can be checked."""


class FalRequestBuilder(Protocol):
    """What the checks need of a block: `FalBlockBase` has all of it."""

    def check_input(self, input_data: Any) -> None: ...

    def endpoint_for(self, input_data: Any) -> str: ...

    def fal_arguments(self, input_data: Any) -> dict[str, Any]: ...

    def media_rules(self, input_data: Any) -> dict[str, MediaRule]: ...

    def media_labels(self, input_data: Any) -> dict[str, str]: ...

    def estimate_usd(self, input_data: Any) -> float | None: ...


class SchemaBlock(Protocol):
    """Any block: a name and an input schema."""

    @property
    def name(self) -> str: ...

    input_schema: Any


class InputProblems(ValueError):
    """Every problem found in one set of inputs, each naming its field."""

    def __init__(self, problems: list[InputProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class CheckedRun:
    """A request that passed every check: where it goes, what fal would receive, what it costs."""

    endpoint: str
    arguments: dict[str, Any]
    """The request as checked: files as given (local paths and large data URIs are uploaded later)."""
    files: tuple[CheckedFile, ...] = ()
    estimated_usd: float | None = None
    pending: frozenset[str] = field(default_factory=frozenset)
    """Inputs another node supplies; the checks that need them run when the node starts."""


# ---- the checks ------------------------------------------------------------------------------


def schema_problems(
    block: SchemaBlock,
    values: Mapping[str, Any],
    pending: Iterable[str] = (),
    *,
    filled_by_host: Iterable[str] = (),
) -> list[InputProblem]:
    """Every value the input schema rejects, every name it does not have, every required input
    left out. Inputs in `pending` (another node supplies them) and `filled_by_host` (credentials)
    may be missing; values that are present are checked all the same.

    Two readings of the schema, as a run makes them: the platform validates the inputs against the
    block's JSON schema before it builds the Input model (`"5"` is not an integer there), then the
    model itself (pydantic) checks them."""
    fields = block.input_schema.model_fields
    later = set(pending) | set(filled_by_host)
    known = ", ".join(name for name in fields if name not in filled_by_host)
    problems = [
        InputProblem(name, f"{block.name} has no input named {name!r} (its inputs: {known})")
        for name in values
        if name not in fields
    ]
    present = {name: value for name, value in values.items() if name in fields and value is not None}
    try:
        block.input_schema.model_validate(present)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            location = [str(part) for part in error["loc"]]
            if location and location[0] in later and location[0] not in present:
                continue
            message = "required, and not given" if error["type"] == "missing" else error["msg"]
            problems.append(InputProblem(".".join(location) or "input", message))
    named = {_top_field(problem.field) for problem in problems}
    problems += [problem for problem in _json_schema_problems(block, present) if problem.field not in named]
    return problems


def _json_schema_problems(block: SchemaBlock, present: Mapping[str, Any]) -> list[InputProblem]:
    """What the platform's JSON-schema check refuses among the values given (requirements aside:
    those are the model's to report, with pending inputs in mind). Secret values are never shown."""
    schema = dict(block.input_schema.jsonschema())
    schema.pop("required", None)
    validator = jsonschema.validators.validator_for(schema)(schema)
    problems = []
    for error in validator.iter_errors(to_jsonable_python(dict(present), fallback=str)):
        path = [str(part) for part in error.absolute_path]
        field = path[0] if path else "input"
        prop = schema.get("properties", {}).get(field, {})
        alternatives = [sub.message for sub in error.context or () if "'null'" not in sub.message]
        message = alternatives[0] if len(alternatives) == 1 else error.message  # `int | None`: the int's
        if prop.get("secret") or "credentials_provider" in prop:
            message = "not a valid value"
        where = ".".join(path[:1] + [f"[{part}]" if part.isdigit() else part for part in path[1:]])
        problems.append(InputProblem(where.replace(".[", "[") or field, message))
    return problems


def check_text(input_data: BaseModel) -> None:
    """Refuse text that is only whitespace where the block needs words: a `prompt`, or any text
    input with a minimum length. (An empty optional prompt stays allowed: it means "none".)"""
    for name, spec in type(input_data).model_fields.items():
        value = getattr(input_data, name, None)
        if not isinstance(value, str) or not value or value.strip():
            continue
        needs_text = any(
            isinstance(rule, annotated_types.MinLen) and rule.min_length > 0 for rule in spec.metadata
        )
        if name == "prompt" or needs_text:
            remedy = "it needs some text" if spec.is_required() else "write some text, or leave it empty"
            raise InputProblem(name, f"is only whitespace; {remedy}")


async def check_run(
    block: FalRequestBuilder,
    input_data: BaseModel,
    *,
    resolve: Resolver | None = None,
    pending: frozenset[str] = frozenset(),
) -> CheckedRun:
    """Steps 2-4 for a validated input: the request fal would receive, or `InputProblem`.

    Local files follow the policy the host set (`_files.local_files`); inside the platform, none.
    File inputs in `pending` hold stand-ins and are not checked."""
    check_text(input_data)
    block.check_input(input_data)
    endpoint = block.endpoint_for(input_data)
    arguments = block.fal_arguments(input_data)
    files = await check_all(
        arguments,
        block.media_rules(input_data),
        policy=None if ON_PLATFORM else local_files.get(),
        on_platform=ON_PLATFORM,
        labels=block.media_labels(input_data),
        resolve=resolve,
        skip=pending,
    )
    return CheckedRun(endpoint, arguments, tuple(files), block.estimate_usd(input_data), pending)


async def upload_files(run: CheckedRun, client: fal_client.AsyncClient) -> dict[str, Any]:
    """The checked request with its local files and large data URIs uploaded to fal's storage."""
    if not any(file.media.needs_upload for file in run.files):
        return run.arguments
    return await upload_all(run.arguments, list(run.files), client)


async def preflight(
    block: SchemaBlock,
    values: Mapping[str, Any],
    *,
    pending: Iterable[str] = (),
    host_values: Mapping[str, Any] | None = None,
    resolve: Resolver | None = None,
) -> CheckedRun | None:
    """Every check the block would make before submitting, for these inputs, submitting nothing.

    `host_values` are the inputs the host fills in itself (the credentials reference). Returns the
    checked request (None for a block that sends nothing to fal, or when an input another node
    supplies is one no stand-in can take the place of); raises `InputProblems`."""
    pending = frozenset(pending)
    host_values = dict(host_values or {})
    problems = schema_problems(block, values, pending, filled_by_host=host_values)
    if problems:
        raise InputProblems(problems)
    if not builds_fal_requests(block):
        return None
    fields = block.input_schema.model_fields
    known = {name: value for name, value in values.items() if value is not None}
    stand_ins = {}
    for name in pending - known.keys():
        stand_in = _stand_in(fields[name])
        if stand_in is not _NO_STAND_IN:
            stand_ins[name] = stand_in
        elif fields[name].is_required():
            return None
    try:
        input_data = block.input_schema(**{**host_values, **known, **stand_ins})
    except ValidationError:  # a stand-in the schema refuses: those checks wait for the run
        return None
    try:
        return await check_run(block, input_data, resolve=resolve, pending=pending)  # type: ignore[arg-type]
    except InputProblem as problem:
        if _top_field(problem.field) in pending:  # about a stand-in: checked when the value is known
            return None
        raise InputProblems([problem]) from None


# ---- helpers ---------------------------------------------------------------------------------


def builds_fal_requests(block: object) -> bool:
    """Whether the block sends a job to fal (and so has the methods the checks ask for). A block that
    only looks at jobs already submitted (status, result, cancel) says so with `submits_fal_jobs`."""
    if not getattr(block, "submits_fal_jobs", True):
        return False
    return all(
        callable(getattr(block, name, None))
        for name in ("check_input", "endpoint_for", "fal_arguments", "media_rules", "media_labels")
    )


def _top_field(location: str) -> str:
    for separator in (".", "["):
        location = location.split(separator, 1)[0]
    return location


_NO_STAND_IN = object()


def _stand_in(spec: Any) -> Any:
    """A value that passes the schema in place of one another node supplies: text for a text or
    file input, an empty list for a list; nothing for anything else."""
    kinds = _annotation_kinds(spec.annotation)
    if kinds and kinds <= {str}:
        return PENDING_TEXT
    if kinds and kinds <= {list}:
        return []
    return _NO_STAND_IN


def _annotation_kinds(annotation: Any) -> set[type]:
    """The basic kinds an annotation allows (None left out): {str} for `str | None`, {list} ..."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        kinds: set[type] = set()
        for argument in typing.get_args(annotation):
            if argument is not type(None):
                kinds |= _annotation_kinds(argument)
        return kinds
    if origin is list or annotation is list:
        return {list}
    if isinstance(annotation, type) and issubclass(annotation, str) and not issubclass(annotation, enum.Enum):
        return {str}
    return {object}
