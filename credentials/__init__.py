"""fal credentials: the platform's credentials field for blocks, and key resolution for standalone use.

The key travels as a `SecretStr` from where it is read to the one place that builds the fal client;
nothing else ever calls `get_secret_value()`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Literal

from pydantic import SecretStr

from blocks._sdk import APIKeyCredentials, CredentialsField, CredentialsMetaInput, sdk_name

FalCredentials = APIKeyCredentials


@cache
def declare_fal_provider() -> object | None:
    """The `fal` provider, declared the platform's way, as its own `blocks/fal/_config.py` does: the
    `_config.py` that `fal-video platform install` writes calls this when the platform's loader imports
    it. None on a platform whose SDK has no ProviderBuilder (it knows fal built in)."""
    builder_class = sdk_name("ProviderBuilder")
    if builder_class is None:
        return None
    builder = builder_class("fal")
    if hasattr(builder, "with_description"):
        builder = builder.with_description("fal.ai hosted model inference (video generation)")
    if hasattr(builder, "with_supported_auth_types"):  # newer platforms list the auth types
        builder = builder.with_supported_auth_types("api_key")
    return builder.build()


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

PLATFORM_FAL_CREDENTIALS_INPUT = {
    "id": "6c0f5bd0-9008-4638-9d79-4b40b631803e",
    "provider": "fal",
    "type": "api_key",
}
"""The platform's own fal key ("Use Credits for FAL", `backend.integrations.credentials_store`): runs
made with it are paid by the platform, so only they are billed in credits (its cost filters match it)."""


class MissingFalKeyError(ValueError):
    """No fal key was given; raised before any request is made."""


def FalCredentialsField() -> FalCredentialsInput:
    """The `credentials` input of every fal block."""
    return CredentialsField(description="A fal.ai API key (fal.ai dashboard → Keys).")


def key_problem(key: str) -> str | None:
    """Why a fal key cannot be used as given (spaces, line breaks or control characters), else None.

    Such a key would be rejected by fal after retries, or end up split across a log line."""
    if not key:
        return "the fal API key is empty"
    if any(character.isspace() or not character.isprintable() for character in key):
        return "the fal API key contains spaces, line breaks or control characters"
    if not key.isascii():
        return "the fal API key contains non-ASCII characters, which an HTTP header cannot carry"
    return None


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
