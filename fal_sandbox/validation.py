"""Requests checked like fal checks them: against the endpoint's published input schema.

fal's queue accepts any JSON body at submit and answers with a request id; the runner validates the
body when it picks the job up, so a bad input is a job that COMPLETES and whose result call answers
422 with FastAPI's `detail` list, one entry per problem: `{"loc": ["body", field, ...], "msg",
"type"}` (pydantic's wording and error types). fal-client raises that 422 from `get()`, never from
`submit()`. The sandbox does the same: `problems` runs at submit, the job is answered at the result.

Fields the schema does not name are ignored, as fal's request models ignore them. Endpoints without
an entry in `fal_spec` are not checked.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

import fal_spec

Detail = dict[str, Any]


def _multiple_of(validator: Any, step: float, instance: Any, schema: dict[str, Any]) -> Any:
    """fal's models (pydantic) accept 0.15 as a multiple of 0.05; plain float division does not."""
    if not validator.is_type(instance, "number") or isinstance(instance, bool):
        return
    if not fal_spec.is_multiple_of(instance, step):
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


FalValidator = validators.extend(Draft202012Validator, {"multipleOf": _multiple_of})
"""JSON Schema 2020-12 as fal applies it: exact but for fractional steps, checked as pydantic does."""


class PublishedSchemas:
    """The sandbox's own copy of fal's schemas: what it validates against and what its OpenAPI route
    publishes. Copied from `fal_spec` on first use; `publish` replaces one (tests: "fal changed it")."""

    def __init__(self) -> None:
        self._published: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._validators: dict[str, Any] = {}

    def get(self, endpoint: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(input, output) schema of `endpoint`, or None when fal's facts have no entry for it."""
        if endpoint not in self._published:
            spec = fal_spec.find(endpoint)
            if spec is None:
                return None
            self._published[endpoint] = (copy.deepcopy(spec.input_schema), copy.deepcopy(spec.output_schema))
        return self._published[endpoint]

    def publish(self, endpoint: str, input_schema: dict[str, Any], output_schema: dict[str, Any]) -> None:
        self._published[endpoint] = (copy.deepcopy(input_schema), copy.deepcopy(output_schema))
        self._validators.pop(endpoint, None)

    def problems(self, endpoint: str, arguments: Any) -> list[Detail] | None:
        """fal's 422 `detail` entries for this request body, or None when it is acceptable."""
        validator = self._validator(endpoint)
        if validator is None:
            return None
        by_location: dict[str, Detail] = {}
        for error in sorted(validator.iter_errors(arguments), key=lambda e: [str(p) for p in e.path]):
            for entry in _details(error):
                where = repr(entry["loc"])
                if where not in by_location or entry["type"] == "literal_error":  # pydantic reports
                    by_location[where] = entry  # one problem per field: a choice outranks its type
        return list(by_location.values()) or None

    def with_defaults(self, endpoint: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments as fal's model sees them: every top-level field left out takes its default."""
        filled = dict(arguments)
        schemas = self.get(endpoint)
        if schemas is not None:
            for name, schema in schemas[0].get("properties", {}).items():
                default = fal_spec.value_schema(schema).get("default")
                if name not in filled and default is not None:
                    filled[name] = copy.deepcopy(default)
        return filled

    def _validator(self, endpoint: str) -> Any:
        if endpoint not in self._validators:
            schemas = self.get(endpoint)
            if schemas is None:
                return None
            self._validators[endpoint] = FalValidator(schemas[0])
        return self._validators[endpoint]


def field_path(loc: list[Any]) -> str:
    """`["body", "images", 0, "start_frame_num"]` → `images.start_frame_num` (list positions dropped)."""
    return ".".join(str(part) for part in loc[1:] if not isinstance(part, int))


def _details(error: ValidationError) -> list[Detail]:
    """One error as fal's detail entries (an optional field's `anyOf [X, null]` reports X's problem)."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        real = [sub for sub in error.context if sub.validator != "type" or sub.validator_value != "null"]
        return _details(best_match(real or error.context))
    loc: list[Any] = ["body", *error.absolute_path]
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [name for name in required if name not in instance]
        return [{"loc": [*loc, name], "msg": "Field required", "type": "missing"} for name in missing]
    message, kind = _wording(error)
    return [{"loc": loc, "msg": message, "type": kind}]


_TYPE_WORDS = {
    "integer": ("Input should be a valid integer", "int_type"),
    "number": ("Input should be a valid number", "float_type"),
    "string": ("Input should be a valid string", "string_type"),
    "boolean": ("Input should be a valid boolean", "bool_type"),
    "array": ("Input should be a valid list", "list_type"),
    "object": ("Input should be a valid dictionary or object to extract fields from", "model_type"),
}


def _wording(error: ValidationError) -> tuple[str, str]:
    """pydantic's message and error type for a JSON Schema keyword that failed."""
    value: Any = error.validator_value
    keyword = error.validator
    if keyword == "enum":
        return f"Input should be {_choices(value)}", "literal_error"
    if keyword == "const":
        return f"Input should be {_choices([value])}", "literal_error"
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        return _TYPE_WORDS.get(str(names[0]), (f"Input should be of type {value}", "type_error"))
    if keyword == "maximum":
        return f"Input should be less than or equal to {value}", "less_than_equal"
    if keyword == "minimum":
        return f"Input should be greater than or equal to {value}", "greater_than_equal"
    if keyword == "exclusiveMaximum":
        return f"Input should be less than {value}", "less_than"
    if keyword == "exclusiveMinimum":
        return f"Input should be greater than {value}", "greater_than"
    if keyword == "maxLength":
        return f"String should have at most {_count(value, 'character')}", "string_too_long"
    if keyword == "minLength":
        return f"String should have at least {_count(value, 'character')}", "string_too_short"
    if keyword == "maxItems":
        found = len(error.instance) if isinstance(error.instance, list) else "more"
        return f"List should have at most {_count(value, 'item')} after validation, not {found}", "too_long"
    if keyword == "minItems":
        found = len(error.instance) if isinstance(error.instance, list) else "fewer"
        return f"List should have at least {_count(value, 'item')} after validation, not {found}", "too_short"
    if keyword == "multipleOf":
        return f"Input should be a multiple of {value}", "multiple_of"
    return error.message, "value_error"


def _count(number: Any, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _choices(values: list[Any]) -> str:
    shown = [repr(value) if isinstance(value, str) else str(value) for value in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
