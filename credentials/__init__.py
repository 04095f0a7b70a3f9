"""fal credentials: the platform's credentials field for blocks, and key resolution for standalone use.

The key travels as a `SecretStr` from where it is read to the one place that builds the fal client;
nothing else ever calls `get_secret_value()`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import SecretStr

from blocks._sdk import APIKeyCredentials, CredentialsField, CredentialsMetaInput

FalCredentials = APIKeyCredentials
FalCredentialsInput = CredentialsMetaInput[Literal["fal"], Literal["api_key"]]

TEST_CREDENTIALS = APIKeyCredentials(
    id="3f1c2a4e-8d5b-4c6a-9e7f-0a1b2c3d4e5f",
    provider="fal",
    api_key=SecretStr("mock-fal-api-key"),
    title="Mock fal API key",
    expires_at=None,
)
TEST_CREDENTIALS_INPUT = {
    "provider": TEST_CREDENTIALS.provider,
    "id": TEST_CREDENTIALS.id,
    "type": TEST_CREDENTIALS.type,
    "title": TEST_CREDENTIALS.title,
}

ENV_CREDENTIALS_ID = "6c0e8f5a-2b7d-4e19-a3c4-5d6e7f8a9b0c"


class MissingFalKeyError(ValueError):
    """No fal key was given; raised before any request is made."""


def FalCredentialsField() -> FalCredentialsInput:
    """The `credentials` input of every fal block."""
    return CredentialsField(description="A fal.ai API key (fal.ai dashboard → Keys).")


def fal_key_from_env(environ: Mapping[str, str] | None = None) -> SecretStr | None:
    """fal-client's own lookup order: FAL_KEY, then FAL_KEY_ID + FAL_KEY_SECRET as `id:secret`."""
    env = os.environ if environ is None else environ
    if env.get("FAL_KEY", "").strip():
        return SecretStr(env["FAL_KEY"].strip())
    key_id, key_secret = env.get("FAL_KEY_ID", "").strip(), env.get("FAL_KEY_SECRET", "").strip()
    if key_id and key_secret:
        return SecretStr(f"{key_id}:{key_secret}")
    return None


def credentials_from_env(environ: Mapping[str, str] | None = None) -> FalCredentials:
    """Standalone credentials from the environment, or a clear error naming the variables."""
    key = fal_key_from_env(environ)
    if key is None:
        raise MissingFalKeyError(
            "credentials: no fal API key; set FAL_KEY (or FAL_KEY_ID and FAL_KEY_SECRET)"
        )
    return FalCredentials(id=ENV_CREDENTIALS_ID, provider="fal", api_key=key, title="FAL_KEY")


def credentials_input(credentials: FalCredentials) -> dict[str, str | None]:
    """The meta input a graph node stores for these credentials (no secret in it)."""
    return {
        "provider": credentials.provider,
        "id": credentials.id,
        "type": credentials.type,
        "title": credentials.title,
    }
