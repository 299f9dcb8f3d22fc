"""Media files of the local store sent by the server itself: Python checks the key and names the file.

The embedded default has no nginx in front, so `/media/<key>` is most of its bytes. An ASGI server
with the `http.response.pathsend` extension (granian, which `legaltv serve` runs) sends a file named
by path from its own threads; this handler, in front of the middleware stack like the live playlist
handler, validates the key, stats the file and answers with its headers, and never reads a byte of it.

Only a plain ``GET|HEAD`` of a public key of a local store goes this way; a Range request (hard-start
cuts are byte ranges), a missing or private key, an S3 store or a server without the extension go on
to the `/media` route, which answers them as before (206, the 404 envelope, a redirect or a proxy).
Like the live handler it skips the metrics and request-id middleware, and adds CORS and nosniff itself.
"""

from __future__ import annotations

import os
import stat
from email.utils import formatdate

from starlette.types import ASGIApp, Receive, Scope, Send

from channel.ops.cors import SimpleCors
from channel.playout.media import PUBLIC_PREFIXES, cache_control_for
from channel.stores import MEDIA_ROUTE
from storage import LocalStore, StorageError, Store, guess_content_type

__all__ = ["PATHSEND", "MediaFileMiddleware"]

PATHSEND = "http.response.pathsend"
_PREFIX = MEDIA_ROUTE + "/"


class MediaFileMiddleware:
    """``GET|HEAD /media/<public key>`` of a local store, sent by path; everything else passes on."""

    def __init__(self, app: ASGIApp, *, store: Store, cors_origins: list[str]) -> None:
        self.app = app
        self.store = store if isinstance(store, LocalStore) else None
        self.cors = SimpleCors(cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            self.store is None
            or scope["type"] != "http"
            or not path.startswith(_PREFIX)
            or scope["method"] not in ("GET", "HEAD")
            or PATHSEND not in scope.get("extensions", {})
            or any(key == b"range" for key, _ in scope["headers"])
        ):
            return await self.app(scope, receive, send)
        key = path[len(_PREFIX) :]
        found = self._file(key)
        if found is None:
            return await self.app(scope, receive, send)
        file, info = found
        headers = [
            (b"content-type", guess_content_type(key).encode()),
            (b"content-length", str(info.st_size).encode()),
            (b"cache-control", cache_control_for(key).encode()),
            (b"last-modified", formatdate(info.st_mtime, usegmt=True).encode()),
            (b"accept-ranges", b"bytes"),
            (b"x-content-type-options", b"nosniff"),
            *self.cors.headers(self.cors.allowed(scope)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": PATHSEND, "path": file})

    def _file(self, key: str) -> tuple[str, os.stat_result] | None:
        """The regular file holding a public key, and its stat (a local stat: no thread hop needed)."""
        assert self.store is not None
        if not key.startswith(PUBLIC_PREFIXES):
            return None
        try:
            file = str(self.store.path_for(key))
            info = os.stat(file)
        except (StorageError, ValueError, OSError):
            return None
        return (file, info) if stat.S_ISREG(info.st_mode) else None
