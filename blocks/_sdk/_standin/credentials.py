"""Credentials as the platform models them: a meta input on the form, the secret itself out of band.

The builder only ever sees `CredentialsMetaInput` (id, title, provider, type); the executor looks the
credentials up and hands the block an `APIKeyCredentials` whose key is a `SecretStr`.
"""

from __future__ import annotations

import uuid
from typing import Any, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, Field, SecretStr

ProviderT = TypeVar("ProviderT", bound=str)
CredTypeT = TypeVar("CredTypeT", bound=str)


class APIKeyCredentials(BaseModel):
    """An API key; `repr`, `str` and `model_dump` show it as `**********`."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    provider: str
    title: str | None = None
    type: Literal["api_key"] = "api_key"
    api_key: SecretStr
    expires_at: int | None = None

    def auth_header(self) -> str:
        return f"Key {self.api_key.get_secret_value()}"


class CredentialsMetaInput(BaseModel, Generic[ProviderT, CredTypeT]):
    """What a credentials field holds in a graph: a reference, never the secret."""

    id: str
    title: str | None = None
    provider: ProviderT
    type: CredTypeT

    @classmethod
    def allowed_providers(cls) -> list[str]:
        return list(get_args(cls.model_fields["provider"].annotation))

    @classmethod
    def allowed_cred_types(cls) -> list[str]:
        return list(get_args(cls.model_fields["type"].annotation))


def CredentialsField(
    required_scopes: set[str] | None = None,
    *,
    title: str | None = None,
    description: str | None = None,
    **kwargs: Any,
) -> Any:
    """Declares a credentials input; provider and type come from the field's annotation."""
    extra = {"credentials_scopes": sorted(required_scopes)} if required_scopes else {}
    return Field(title=title, description=description, json_schema_extra=extra or None, **kwargs)
