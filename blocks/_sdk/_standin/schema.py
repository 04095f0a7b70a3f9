"""Block schemas as the AutoGPT platform defines them: pydantic models plus builder hints.

The builder renders a block's form from `jsonschema()`, and the platform validates inputs and outputs
against that same JSON schema with the `jsonschema` library (not with pydantic, which would accept
`"yes"` for a bool or `"8"` for an int). Both behaviours are reproduced here; see `PLATFORM_REFERENCE`
in `block.py` for the platform commit this follows.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, TypeVar

import jsonschema
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined, core_schema, to_jsonable_python

from .credentials import CredentialsMetaInput, is_credentials_meta_input

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
    if default is PydanticUndefined and default_factory is None:
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
    return Field(  # type: ignore[call-overload,misc]
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
    """Replace every `$ref` by a copy of its definition, merging sibling keys (jsonref's merge_props)."""
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
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """The platform's rules for credentials fields, checked when the schema class is made."""
        super().__pydantic_init_subclass__(**kwargs)
        cls.cached_jsonschema = None
        credentials = cls.get_credentials_fields()
        for name in cls.get_fields():
            if is_credentials_field_name(name):
                if name not in credentials:
                    raise TypeError(
                        f"Credentials field '{name}' on {cls.__qualname__} is not of type "
                        f"{CredentialsMetaInput.__name__}"
                    )
                credentials[name].validate_credentials_field_schema(cls)
            elif name in credentials:
                raise KeyError(
                    f"Credentials field '{name}' on {cls.__qualname__} has invalid name: "
                    "must be 'credentials' or *_credentials"
                )

    @classmethod
    def jsonschema(cls) -> dict[str, Any]:
        if not cls.cached_jsonschema:
            raw = cls.model_json_schema()
            cls.cached_jsonschema = _fold(_inline_refs(raw, raw.get("$defs", {})))
        return cls.cached_jsonschema

    @classmethod
    def validate_data(cls, data: dict[str, Any]) -> str | None:
        """The platform's check: the first JSON-schema violation as `jsonschema` words it, else None.

        Values of secret fields are masked in the message (the platform would print them)."""
        present = {key: value for key, value in data.items() if value is not None}
        problem = _first_problem(cls.jsonschema(), to_jsonable_python(present))
        return None if problem is None else _mask_secrets(problem, cls, present)

    @classmethod
    def get_field_schema(cls, field_name: str) -> dict[str, Any]:
        properties = cls.jsonschema().get("properties", {})
        if not properties:
            raise ValueError(f"Invalid model schema {cls}")
        schema = properties.get(field_name)
        if not schema:
            raise ValueError(f"Invalid property name {field_name}")
        return schema

    @classmethod
    def validate_field(cls, field_name: str, data: Any) -> str | None:
        """Check one output value against its property's JSON schema (the platform's output check)."""
        return _first_problem(cls.get_field_schema(field_name), to_jsonable_python(data))

    @classmethod
    def get_fields(cls) -> set[str]:
        return set(cls.model_fields)

    @classmethod
    def get_required_fields(cls) -> set[str]:
        return {name for name, field in cls.model_fields.items() if field.is_required()}

    @classmethod
    def get_credentials_fields(cls) -> dict[str, type[CredentialsMetaInput[Any, Any]]]:
        return {
            name: field.annotation  # type: ignore[misc]
            for name, field in cls.model_fields.items()
            if is_credentials_meta_input(field.annotation)
        }

    @classmethod
    def get_input_defaults(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data

    @classmethod
    def get_missing_links(cls, data: dict[str, Any], links: list[Any]) -> set[str]:
        return {link.sink_name for link in links} - set(data)

    @classmethod
    def get_missing_input(cls, data: dict[str, Any]) -> set[str]:
        return cls.get_required_fields() - set(data)


class BlockSchemaInput(BlockSchema):
    """Base of every block's Input schema."""


class BlockSchemaOutput(BlockSchema):
    """Base of every block's Output schema: yielding `error` ends the run as a failure."""

    error: str = SchemaField(description="Error message if the operation failed", default="")


_VALIDATORS: dict[int, Any] = {}
"""Validators by the id of the (cached, never mutated) schema they check: building one checks the
schema itself against its meta-schema, which is most of `jsonschema.validate`'s cost."""


def _first_problem(schema: dict[str, Any], instance: Any) -> str | None:
    """What `jsonschema.validate(instance, schema)` would raise, as text (the platform's wording)."""
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        kind = jsonschema.validators.validator_for(schema)
        kind.check_schema(schema)
        validator = _VALIDATORS[id(schema)] = (kind(schema), schema)  # the schema kept alive with it
    error = jsonschema.exceptions.best_match(validator[0].iter_errors(instance))
    return None if error is None else str(error)


def _mask_secrets(text: str, schema: type[BlockSchema], data: dict[str, Any]) -> str:
    """Hide the values of `secret` fields and credentials in a validation message."""
    for name, field in schema.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        value = data.get(name)
        if (extra.get("secret") or is_credentials_field_name(name)) and isinstance(value, str) and value:
            text = text.replace(repr(value), "'**********'").replace(value, "**********")
    return text
