"""The sandbox's file store: what jobs produce, and what fal-client's `upload_file` sends.

fal-client uploads in two steps: a CDN token from `{REST_URL}/storage/auth/token`, then the bytes
to `{CDN_URL}/files/upload` (or, over 100 MiB, the multipart routes). The sandbox serves both on
its own port, so `route_fal_client` points REST_URL and CDN_URL at it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .server import SandboxServer


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str
    file_name: str


@dataclass
class MediaStore:
    base_url: str = ""
    files: dict[str, StoredFile] = field(default_factory=dict)
    _multipart: dict[str, dict[int, bytes]] = field(default_factory=dict)
    _multipart_meta: dict[str, tuple[str, str]] = field(default_factory=dict)

    def put(self, data: bytes, content_type: str, file_name: str) -> str:
        """Store bytes under a fresh name; returns their URL on this server."""
        name = f"{uuid.uuid4().hex}-{file_name}"
        self.files[name] = StoredFile(data, content_type, file_name)
        return f"{self.base_url}/files/{name}"

    def get(self, name: str) -> StoredFile | None:
        return self.files.get(name)

    def lookup(self, url: str) -> StoredFile | None:
        """The stored file behind one of this server's URLs, or None for any other URL."""
        prefix = f"{self.base_url}/files/"
        return self.files.get(url.removeprefix(prefix)) if url.startswith(prefix) else None

    # ---- fal's storage protocol ---------------------------------------------------------------

    def add_routes(self, app: web.Application, server: SandboxServer) -> None:
        async def token(request: web.Request) -> web.Response:
            server.journal.record("upload", "storage/auth/token", None, 200)
            expires = datetime.now(UTC) + timedelta(hours=1)
            return web.json_response(
                {
                    "token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "base_url": self.base_url,
                    "expires_at": expires.isoformat(),
                }
            )

        async def upload(request: web.Request) -> web.Response:
            data = await request.read()
            url = self.put(data, _content_type(request), _file_name(request))
            server.journal.record("upload", "files/upload", None, 200)
            return web.json_response({"access_url": url})

        async def initiate(request: web.Request) -> web.Response:
            name = f"{uuid.uuid4().hex}-{_file_name(request)}"
            upload_id = uuid.uuid4().hex
            self._multipart[upload_id] = {}
            self._multipart_meta[upload_id] = (_content_type(request), name)
            return web.json_response(
                {"access_url": f"{self.base_url}/files/{name}", "uploadId": upload_id}
            )

        async def part(request: web.Request) -> web.Response:
            parts = self._multipart.get(request.match_info["upload_id"])
            if parts is None:
                raise web.HTTPNotFound()
            number = int(request.match_info["part"])
            parts[number] = await request.read()
            return web.Response(headers={"ETag": f'"{number}-{len(parts[number])}"'})

        async def complete(request: web.Request) -> web.Response:
            upload_id = request.match_info["upload_id"]
            parts = self._multipart.pop(upload_id, None)
            if parts is None:
                raise web.HTTPNotFound()
            content_type, name = self._multipart_meta.pop(upload_id)
            data = b"".join(parts[number] for number in sorted(parts))
            self.files[name] = StoredFile(data, content_type, name.split("-", 1)[1])
            server.journal.record("upload", "files/upload/multipart", None, 200)
            return web.json_response({"access_url": f"{self.base_url}/files/{name}"})

        app.router.add_post("/storage/auth/token", token)
        app.router.add_post("/files/upload", upload)
        app.router.add_post("/files/upload/multipart", initiate)
        app.router.add_put("/files/{name}/multipart/{upload_id}/{part}", part)
        app.router.add_post("/files/{name}/multipart/{upload_id}/complete", complete)


def _content_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", "application/octet-stream").split(";")[0]


def _file_name(request: web.Request) -> str:
    raw = request.headers.get("X-Fal-File-Name", "upload.bin")
    return "".join(char for char in raw if char.isalnum() or char in "._-") or "upload.bin"
