"""Block schemas as the AutoGPT platform defines them: pydantic models plus builder hints.

The builder renders a block's form from `jsonschema()`, so that method follows the platform's
rules exactly: `$ref`s inlined, single-item `allOf/anyOf/oneOf` folded, `$`-keys dropped.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined, core_schema

T = TypeVar("T")


class MediaFileType(str):
    """A media reference: a data URI, an http(s) URL, or a workspace path. Rendered as a file picker."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(cls, core_schema.str_schema())

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "format": "file"}


def SchemaField(
    default: Any = PydanticUndefined,
    *,
    default_factory: Any = None,
    title: str | None = None,
    description: str | None = None,
    placeholder: str | None = None,
    advanced: bool | None = None,
    secret: bool = False,
    exclude: bool = False,
    hidden: bool | None = None,
    depends_on: list[str] | None = None,
    ge: float | None = None,
    le: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    discriminator: str | None = None,
    format: str | None = None,
    json_schema_extra: dict[str, Any] | None = None,
) -> Any:
    """A pydantic Field carrying the builder's hints; a field with a default is advanced unless told."""
    required = default is PydanticUndefined and default_factory is None
    if required:
        advanced = False
    elif advanced is None:
        advanced = True
    hints = {
        "placeholder": placeholder,
        "secret": secret,
        "advanced": advanced,
        "hidden": hidden,
        "depends_on": depends_on,
        "format": format,
        **(json_schema_extra or {}),
    }
    return Field(
        default,
        default_factory=default_factory,
        title=title,
        description=description,
        exclude=exclude,
        ge=ge,
        le=le,
        min_length=min_length,
        max_length=max_length,
        discriminator=discriminator,
        json_schema_extra={key: value for key, value in hints.items() if value is not None},
    )


def _inline_refs(node: Any, definitions: dict[str, Any], seen: frozenset[str] = frozenset()) -> Any:
    """Replace every `$ref` by a copy of its definition, merging sibling keys like jsonref does."""
    if isinstance(node, list):
        return [_inline_refs(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:  # a recursive type: leave it opaque rather than loop forever
            return {key: value for key, value in node.items() if key != "$ref"}
        target = _inline_refs(copy.deepcopy(definitions[name]), definitions, seen | {name})
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return {**target, **_inline_refs(siblings, definitions, seen)}
    return {key: _inline_refs(value, definitions, seen) for key, value in node.items()}


def _fold(node: Any) -> Any:
    """Fold single-item allOf/anyOf/oneOf into their parent and drop `$`-keys, as the builder wants."""
    if isinstance(node, list):
        return [_fold(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    single = next((key for key in ("allOf", "anyOf", "oneOf") if key in node and len(node[key]) == 1), None)
    if single:
        node.update(node.pop(single)[0])
    return {key: _fold(value) for key, value in node.items() if not key.startswith("$")}


def is_credentials_field_name(name: str) -> bool:
    return name == "credentials" or name.endswith("_credentials")


class BlockSchema(BaseModel):
    """Base of every Input/Output schema."""

    model_config = ConfigDict(use_enum_values=False, arbitrary_types_allowed=True)
    cached_jsonschema: ClassVar[dict[str, Any] | None] = None

    @classmethod
    def jsonschema(cls) -> dict[str, Any]:
        if cls.__dict__.get("cached_jsonschema") is None:
            raw = cls.model_json_schema()
            inlined = _inline_refs(raw, raw.get("$defs", {}))
            schema = _fold(inlined)
            for name, field_schema in schema.get("properties", {}).items():
                if is_credentials_field_name(name):
                    field_schema.update(_credentials_hints(cls.model_fields[name].annotation))
            cls.cached_jsonschema = schema
        return cls.cached_jsonschema  # type: ignore[return-value]

    @classmethod
    def validate_data(cls, data: dict[str, Any]) -> str | None:
        """One line per invalid field (`prompt: Field required`), or None when the data is valid."""
        try:
            cls.model_validate({key: value for key, value in data.items() if value is not None})
        except ValidationError as exc:
            return describe_validation_error(exc)
        return None

    @classmethod
    def validate_field(cls, field_name: str, data: Any) -> str | None:
        """Check one output value against its declared type."""
        field = cls.model_fields.get(field_name)
        if field is None:
            return f"{field_name}: not a field of {cls.__name__}"
        try:
            _adapter(field.annotation).validate_python(data)
        except ValidationError as exc:
            return f"{field_name}: {describe_validation_error(exc)}"
        return None

    @classmethod
    def get_required_fields(cls) -> set[str]:
        return {name for name, field in cls.model_fields.items() if field.is_required()}

    @classmethod
    def get_credentials_fields(cls) -> dict[str, Any]:
        return {
            name: field.annotation
            for name, field in cls.model_fields.items()
            if is_credentials_field_name(name)
        }

    @classmethod
    def get_missing_input(cls, data: dict[str, Any]) -> set[str]:
        return cls.get_required_fields() - set(data)


class BlockSchemaInput(BlockSchema):
    """Base of every block's Input schema."""


class BlockSchemaOutput(BlockSchema):
    """Base of every block's Output schema: yielding `error` ends the run as a failure."""

    error: str = SchemaField(description="Error message if the operation failed", default="")


@lru_cache(maxsize=512)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def describe_validation_error(exc: ValidationError) -> str:
    """pydantic's errors as `field: message` lines, without echoing the (possibly secret) input."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]) or "value"
        lines.append(f"{location}: {error['msg']}")
    return "; ".join(lines)


def _credentials_hints(annotation: Any) -> dict[str, Any]:
    from .credentials import CredentialsMetaInput

    if isinstance(annotation, type) and issubclass(annotation, CredentialsMetaInput):
        return {
            "credentials_provider": annotation.allowed_providers(),
            "credentials_types": annotation.allowed_cred_types(),
        }
    return {}
