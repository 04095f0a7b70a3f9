"""One fal-client `AsyncClient` per event loop and key, reused by every job.

fal-client binds its httpx pool to the loop it was created in and has no close method, so a client
per job would leak pools, and a client shared across loops would fail. Keys are told apart by a
digest, so the cache never holds a second copy of the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref

import fal_client
from pydantic import SecretStr

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, fal_client.AsyncClient]]
_clients = weakref.WeakKeyDictionary()


def fal_client_for(api_key: SecretStr) -> fal_client.AsyncClient:
    """The running loop's client for this key (created on first use)."""
    loop = asyncio.get_running_loop()
    per_loop = _clients.setdefault(loop, {})
    digest = hashlib.sha256(api_key.get_secret_value().encode()).hexdigest()
    client = per_loop.get(digest)
    if client is None:
        client = per_loop[digest] = fal_client.AsyncClient(key=api_key.get_secret_value())
    return client
