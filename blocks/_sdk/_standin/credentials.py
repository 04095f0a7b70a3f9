"""Credentials as the platform models them: a meta input on the form, the secret itself out of band.

The builder only ever sees `CredentialsMetaInput` (id, title, provider, type); the executor looks the
credentials up and hands the block an `APIKeyCredentials` whose key is a `SecretStr`. Behaviour
follows the platform's `backend/data/model.py` (see `PLATFORM_REFERENCE` in `block.py`), including
what is easy to get wrong: `model_dump()` writes the key out in clear (the platform stores
credentials that way), `auth_header()` is a Bearer header, and `CredentialsField` always passes a
dict as `json_schema_extra`, which the platform's loader checks.
"""

from __future__ import annotations

import builtins
import uuid
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_serializer

if TYPE_CHECKING:
    from .schema import BlockSchema

ProviderT = TypeVar("ProviderT", bound=str)
CredTypeT = TypeVar("CredTypeT", bound=str)


class _BaseCredentials(BaseModel):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    provider: str
    title: str | None = None

    @field_serializer("*")
    def dump_secret_strings(value: Any, _info: Any) -> Any:
        """The platform serialises secrets in clear (it encrypts the stored record as a whole)."""
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return value


class APIKeyCredentials(_BaseCredentials):
    """An API key; `repr` and `str` show it as `**********`, `model_dump` does not (as on the platform)."""

    type: Literal["api_key"] = "api_key"
    api_key: SecretStr
    expires_at: int | None = Field(
        default=None, description="Unix timestamp (seconds) indicating when the API key expires (if at all)"
    )

    def auth_header(self) -> str:
        return f"Bearer {self.api_key.get_secret_value()}"


class CredentialsMetaInput(BaseModel, Generic[ProviderT, CredTypeT]):
    """What a credentials field holds in a graph: a reference, never the secret."""

    id: str
    title: str | None = None
    provider: ProviderT
    type: CredTypeT

    @classmethod
    def allowed_providers(cls) -> tuple[str, ...] | None:
        return get_args(cls.model_fields["provider"].annotation)

    @classmethod
    def allowed_cred_types(cls) -> tuple[str, ...]:
        return get_args(cls.model_fields["type"].annotation)

    @classmethod
    def validate_credentials_field_schema(cls, model: builtins.type[BlockSchema]) -> None:
        """The builder needs the provider and type lists on the field's JSON schema."""
        field_name = next(name for name, kind in model.get_credentials_fields().items() if kind is cls)
        field_schema = model.jsonschema()["properties"][field_name]
        try:
            _CredentialsFieldInfo.model_validate(field_schema)
        except ValidationError as exc:
            raise TypeError(
                f"Field 'credentials' JSON schema lacks required extra items: {field_schema}"
            ) from exc
        providers = cls.allowed_providers()
        if providers is not None and len(providers) > 1 and "discriminator" not in field_schema:
            raise TypeError(f"Multi-provider CredentialsField '{field_name}' requires discriminator!")

    @staticmethod
    def _add_json_schema_extra(schema: dict[str, Any], model_class: builtins.type) -> None:
        allowed = model_class.allowed_providers()  # type: ignore[attr-defined]
        schema["credentials_provider"] = ["string"] if allowed is None else list(allowed)
        schema["credentials_types"] = list(model_class.allowed_cred_types())  # type: ignore[attr-defined]

    model_config = ConfigDict(json_schema_extra=_add_json_schema_extra)  # type: ignore[typeddict-item]


class _CredentialsFieldInfo(BaseModel):
    credentials_provider: list[str]
    credentials_types: list[str]
    credentials_scopes: list[str] | None = None


def is_credentials_meta_input(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(
        get_origin(annotation) or annotation, CredentialsMetaInput
    )


def CredentialsField(
    required_scopes: set[str] | None = None,
    *,
    discriminator: str | None = None,
    discriminator_mapping: dict[str, Any] | None = None,
    discriminator_values: set[Any] | None = None,
    title: str | None = None,
    description: str | None = None,
    **kwargs: Any,
) -> Any:
    """Declares a credentials input; provider and type come from the field's annotation."""
    extra: dict[str, Any] = {
        key: value
        for key, value in {
            "credentials_scopes": sorted(required_scopes or ()) or None,
            "discriminator": discriminator,
            "discriminator_mapping": discriminator_mapping,
            "discriminator_values": discriminator_values,
        }.items()
        if value is not None
    }
    extra.update(kwargs.pop("json_schema_extra", None) or {})
    return Field(title=title, description=description, json_schema_extra=extra, **kwargs)  # type: ignore[arg-type]
