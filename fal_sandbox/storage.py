"""The sandbox's file store: what jobs produce, and what fal-client's uploads send.

fal-client 1.0.3 uploads (`upload`, `upload_file`, `upload_image`) by one of two repositories:

`fal_v3` (the default)
    a CDN token `POST {REST_URL}/storage/auth/token?storage_type=fal-cdn-v3` (with the `Key`), then
    the bytes `POST {CDN_URL}/files/upload` (with `Authorization: <token_type> <token>`,
    `Content-Type`, `X-Fal-File-Name`) → `{"access_url"}`. Over `MULTIPART_THRESHOLD` (100 MiB):
    `POST {base_url}/files/upload/multipart` → `{"access_url", "uploadId"}`, then
    `PUT {access_url}/multipart/{uploadId}/{n}` per chunk, each answered with an `ETag`, then
    `POST {access_url}/multipart/{uploadId}/complete` with `{"parts": [{"partNumber", "etag"}]}`.
`fal` (the fallback when a `fal_v3` upload fails)
    `POST {REST_URL}/storage/upload/initiate?storage_type=gcs` with `{"file_name", "content_type"}`
    → `{"upload_url", "file_url"}`, then the bytes `PUT upload_url` (a signed URL: no token).

The sandbox serves all of them on its own port (`route_fal_client` points REST_URL and CDN_URL at
it). Tokens are checked: a CDN route without a token this store issued answers 401. Every route is
journaled as an `upload` call (endpoint = the route) and honours injected `upload` faults.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .answers import check_key, json_answer

if TYPE_CHECKING:
    from .server import SandboxServer


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str
    file_name: str


@dataclass
class _Multipart:
    name: str
    content_type: str
    file_name: str
    parts: dict[int, bytes] = field(default_factory=dict)
    etags: dict[int, str] = field(default_factory=dict)


@dataclass
class MediaStore:
    base_url: str = ""
    files: dict[str, StoredFile] = field(default_factory=dict)
    token_lifetime: timedelta = timedelta(hours=1)
    _tokens: dict[str, datetime] = field(default_factory=dict)
    _multipart: dict[str, _Multipart] = field(default_factory=dict)
    _signed: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def put(self, data: bytes, content_type: str, file_name: str) -> str:
        """Store bytes under a fresh name; returns their URL on this server."""
        name = _fresh_name(file_name)
        self.files[name] = StoredFile(data, content_type, file_name)
        return self.url_of(name)

    def url_of(self, name: str) -> str:
        return f"{self.base_url}/files/{name}"

    def get(self, name: str) -> StoredFile | None:
        return self.files.get(name)

    def lookup(self, url: str) -> StoredFile | None:
        """The stored file behind one of this server's URLs, or None for any other URL."""
        prefix = f"{self.base_url}/files/"
        return self.files.get(url.removeprefix(prefix)) if url.startswith(prefix) else None

    # ---- fal's storage protocol ---------------------------------------------------------------

    def add_routes(self, app: web.Application, server: SandboxServer) -> None:
        def answer(route: str, code: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
            server.journal.record("upload", route, None, code)
            return json_answer(code, body, headers)

        async def gate(route: str, request: web.Request, *, cdn: bool) -> web.StreamResponse | None:
            """401 without the right credentials, an injected fault, or None to go on."""
            denied = self._check_token(request) if cdn else check_key(request)
            if denied is not None:
                server.journal.record("upload", route, None, denied.status)
                return denied
            return await server.injected_fault("upload", route, None, request)

        async def token(request: web.Request) -> web.StreamResponse:
            route = "storage/auth/token"
            if (stop := await gate(route, request, cdn=False)) is not None:
                return stop
            value = secrets.token_urlsafe(16)
            expires = datetime.now(UTC) + self.token_lifetime
            self._tokens[value] = expires
            body = {
                "token": value,
                "token_type": "Bearer",
                "base_url": self.base_url,
                "expires_at": expires.isoformat(),
            }
            return answer(route, 200, body)

        async def upload(request: web.Request) -> web.StreamResponse:
            route = "files/upload"
            if (stop := await gate(route, request, cdn=True)) is not None:
                return stop
            data = await request.read()
            url = self.put(data, _content_type(request), _file_name(request))
            return answer(route, 200, {"access_url": url})

        async def initiate(request: web.Request) -> web.StreamResponse:
            route = "files/upload/multipart"
            if (stop := await gate(route, request, cdn=True)) is not None:
                return stop
            file_name = _file_name(request)
            upload_id = uuid.uuid4().hex
            pending = _Multipart(_fresh_name(file_name), _content_type(request), file_name)
            self._multipart[upload_id] = pending
            body = {"access_url": self.url_of(pending.name), "uploadId": upload_id}
            return answer(route, 200, body)

        async def part(request: web.Request) -> web.StreamResponse:
            route = "files/upload/multipart/part"
            if (stop := await gate(route, request, cdn=True)) is not None:
                return stop
            pending = self._pending(request)
            if pending is None:
                return answer(route, 404, {"detail": "Unknown multipart upload"})
            try:
                number = int(request.match_info["part"])
            except ValueError:
                number = 0
            if number < 1:
                return answer(route, 400, {"detail": "Part numbers start at 1"})
            data = await request.read()
            pending.parts[number] = data
            pending.etags[number] = f'"{hashlib.md5(data).hexdigest()}"'
            server.journal.record("upload", route, None, 200)
            return web.Response(headers={"ETag": pending.etags[number]})

        async def complete(request: web.Request) -> web.StreamResponse:
            route = "files/upload/multipart/complete"
            if (stop := await gate(route, request, cdn=True)) is not None:
                return stop
            pending = self._pending(request)
            if pending is None:
                return answer(route, 404, {"detail": "Unknown multipart upload"})
            try:
                listed = {int(p["partNumber"]): str(p["etag"]) for p in (await request.json())["parts"]}
            except (ValueError, KeyError, TypeError):
                return answer(route, 400, {"detail": 'Body must be {"parts": [{"partNumber", "etag"}]}'})
            if listed != pending.etags or sorted(listed) != list(range(1, len(listed) + 1)):
                return answer(route, 400, {"detail": "Parts do not match the uploaded parts"})
            del self._multipart[request.match_info["upload_id"]]
            data = b"".join(pending.parts[number] for number in sorted(pending.parts))
            self.files[pending.name] = StoredFile(data, pending.content_type, pending.file_name)
            return answer(route, 200, {"access_url": self.url_of(pending.name)})

        async def storage_initiate(request: web.Request) -> web.StreamResponse:
            route = "storage/upload/initiate"
            if (stop := await gate(route, request, cdn=False)) is not None:
                return stop
            try:
                wanted = await request.json()
                file_name = _clean_name(str(wanted.get("file_name") or "upload.bin"))
                content_type = str(wanted.get("content_type") or "application/octet-stream")
            except (ValueError, AttributeError):
                return answer(route, 422, {"detail": "Body must be {file_name, content_type}"})
            name = _fresh_name(file_name)
            signature = secrets.token_urlsafe(16)
            self._signed[signature] = (name, content_type, file_name)
            body = {
                "upload_url": f"{self.base_url}/storage/signed-upload/{signature}",
                "file_url": self.url_of(name),
            }
            return answer(route, 200, body)

        async def signed_put(request: web.Request) -> web.StreamResponse:
            route = "storage/signed-upload"
            if (faulty := await server.injected_fault("upload", route, None, request)) is not None:
                return faulty
            signed = self._signed.pop(request.match_info["signature"], None)
            if signed is None:
                return answer(route, 403, {"detail": "Invalid or used upload signature"})
            name, content_type, file_name = signed
            self.files[name] = StoredFile(await request.read(), content_type, file_name)
            server.journal.record("upload", route, None, 200)
            return web.Response(status=200)

        app.router.add_post("/storage/auth/token", token)
        app.router.add_post("/storage/upload/initiate", storage_initiate)
        app.router.add_put("/storage/signed-upload/{signature}", signed_put)
        app.router.add_post("/files/upload", upload)
        app.router.add_post("/files/upload/multipart", initiate)
        app.router.add_put("/files/{name}/multipart/{upload_id}/{part}", part)
        app.router.add_post("/files/{name}/multipart/{upload_id}/complete", complete)

    def _check_token(self, request: web.Request) -> web.Response | None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        expires = self._tokens.get(value.strip()) if scheme == "Bearer" else None
        if expires is None or expires <= datetime.now(UTC):
            return json_answer(401, {"detail": "Missing, unknown or expired CDN token"})
        return None

    def _pending(self, request: web.Request) -> _Multipart | None:
        pending = self._multipart.get(request.match_info["upload_id"])
        return pending if pending is not None and pending.name == request.match_info["name"] else None


def _fresh_name(file_name: str) -> str:
    return f"{uuid.uuid4().hex}-{file_name}"


def _content_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", "application/octet-stream").split(";")[0]


def _file_name(request: web.Request) -> str:
    return _clean_name(request.headers.get("X-Fal-File-Name", "upload.bin"))


def _clean_name(raw: str) -> str:
    return "".join(char for char in raw if char.isalnum() or char in "._-") or "upload.bin"
