"""Secret values (the fal key, secret inputs such as Sora's own OpenAI key) never leave a run in text.

fal can echo an input back in an error (a 422 quoting the value), and a log line can carry anything:
every line and error the run loop produces goes through a `Redact` first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Redact = Callable[[str], str]

MASK = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not masked: masking "ab" everywhere would garble every message."""


def redactor(secrets: Iterable[str]) -> Redact:
    """A function that replaces each secret (longest first) by `[redacted]`."""
    values = sorted({value for value in secrets if len(value) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def redact(text: str) -> str:
        for value in values:
            text = text.replace(value, MASK)
        return text

    return redact


def secret_arguments(
    input_fields: Mapping[str, Any], fal_names: Mapping[str, str], arguments: Mapping[str, Any]
) -> list[str]:
    """The values, among fal's arguments, of the input fields marked secret in the block's schema."""
    found = []
    for name, spec in input_fields.items():
        extra = getattr(spec, "json_schema_extra", None)
        if isinstance(extra, dict) and extra.get("secret"):
            value = arguments.get(fal_names.get(name, name))
            if isinstance(value, str) and value:
                found.append(value)
    return found
