"""The HTTP clients the run loop uses, one per event loop and key, reused by every job.

`queue_client_for` gives the queue protocol client (submit, status, stream, result, cancel, see
`_queue.py`); `fal_client_for` gives fal-client's own `AsyncClient`, used for uploads. Both bind
their connection pools to the loop they were created in, so a client per job would leak pools and a
client shared across loops would fail. Keys are told apart by a digest, so the cache never holds a
second copy of the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref

import fal_client
from pydantic import SecretStr

from credentials import key_problem

from ._queue import QueueClient

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, fal_client.AsyncClient]]
_clients = weakref.WeakKeyDictionary()
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, QueueClient]]
_queues = weakref.WeakKeyDictionary()


class UnusableKey(ValueError):
    """The key cannot be sent as an HTTP header (whitespace or control characters): refused before use,
    so it never ends up in an HTTP library's error message."""


def check_key(api_key: SecretStr) -> str:
    """The key's text, or `UnusableKey` (`credentials.key_problem`'s reason; never the key)."""
    text = api_key.get_secret_value()
    problem = key_problem(text)
    if problem:
        raise UnusableKey(problem)
    return text


def fal_client_for(api_key: SecretStr) -> fal_client.AsyncClient:
    """The running loop's fal-client for this key (created on first use)."""
    loop = asyncio.get_running_loop()
    per_loop = _clients.setdefault(loop, {})
    key = check_key(api_key)
    digest = hashlib.sha256(key.encode()).hexdigest()
    client = per_loop.get(digest)
    if client is None:
        client = per_loop[digest] = fal_client.AsyncClient(key=key)
    return client


def queue_client_for(api_key: SecretStr) -> QueueClient:
    """The running loop's queue client for this key (created on first use)."""
    loop = asyncio.get_running_loop()
    per_loop = _queues.setdefault(loop, {})
    key = check_key(api_key)
    digest = hashlib.sha256(key.encode()).hexdigest()
    client = per_loop.get(digest)
    if client is None:
        client = per_loop[digest] = QueueClient(key)
    return client
