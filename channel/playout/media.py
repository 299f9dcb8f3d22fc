"""Segments, playlists and pictures from the object store, as HTTP responses.

A local store answers with the file itself (Range requests work; `channel.playout.sendfile` sends
plain requests by path before they reach this). With a public media base URL (a CDN, a public-read
bucket) an S3 object is a redirect there: what still asks this route (a poster named in JSON, a
player holding an old URL) gets its bytes from where the playlists send everyone. Otherwise S3
redirects to a presigned URL for segments and images when ``segment_delivery`` is "redirect", and is
proxied otherwise, always for playlists and WebVTT so their relative URIs resolve against this
server. A bad or missing key is a 404 that names nothing internal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from fastapi import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from channel.playout.serve import IMMUTABLE
from channel.playout.slate import EMPTY_VTT, EMPTY_VTT_KEY
from storage import LocalStore, NotFound, StorageError, Store, guess_content_type, validate_key

__all__ = ["BASE_REDIRECT", "CHUNK", "PUBLIC_PREFIXES", "SHORT", "cache_control_for", "media_response"]

CHUNK = 256 * 1024
SHORT = "public, max-age=60"
#: a redirect to the public media base may be kept an hour (the base is a setting: it may change)
BASE_REDIRECT = "public, max-age=3600"
_PROXIED = (".m3u8", ".vtt", ".json")
#: only what viewers may fetch: transcoded programmes, slates and live events' segments (the live
#: playlists list them); never uploaded sources or scratch files
PUBLIC_PREFIXES = ("programmes/", "slates/", "live/")
NOT_FOUND = {"code": "not_found", "message": "Không tìm thấy tệp / File not found"}


def _is_marker(key: str) -> bool:
    """A live segment's marker (`live/<event>/marks/<n>`): the ingest's note to the playlists, not media."""
    parts = key.split("/")
    return len(parts) > 2 and parts[0] == "live" and parts[2] == "marks"


def cache_control_for(key: str) -> str:
    """Segments and pictures never change under their key; playlists, JSON and WebVTT may be rewritten.

    A corrected subtitle track is written again under the same keys (the upload and its per-segment
    files, `channel/library/captions.py`), so WebVTT is cached briefly too.
    """
    return SHORT if key.endswith((".m3u8", ".json", ".vtt")) else IMMUTABLE


def _chunks(store: Store, key: str) -> Iterator[bytes]:
    with store.open(key) as stream:
        while block := stream.read(CHUNK):
            yield block


def media_response(
    store: Store,
    key: str,
    *,
    delivery: Literal["redirect", "proxy"],
    presign_seconds: int,
    head: bool = False,
    base: str = "",
) -> Response:
    """The response for ``GET /media/<key>``; raises a 404 HTTPException for any unusable key.

    ``head`` answers ``HEAD`` (players and caches probe with it): the same status and headers, Content-Length
    included, and no body; a proxied object is only looked up, never opened. ``base`` is the public media
    base URL (`LEGALTV_MEDIA_BASE_URL`), where an S3 object is redirected to.
    """
    if key == EMPTY_VTT_KEY:
        return Response(EMPTY_VTT, media_type="text/vtt", headers={"Cache-Control": IMMUTABLE})
    try:
        validate_key(key)
        if not key.startswith(PUBLIC_PREFIXES) or _is_marker(key):
            raise NotFound(key)
        headers = {"Cache-Control": cache_control_for(key)}
        media_type = guess_content_type(key)
        if isinstance(store, LocalStore):
            path = store.path_for(key)
            if not path.is_file():
                raise NotFound(key)
            return FileResponse(path, media_type=media_type, headers=headers)
        if base:
            return RedirectResponse(
                f"{base}/{key}", status_code=302, headers={"Cache-Control": BASE_REDIRECT}
            )
        if delivery == "redirect" and not key.endswith(_PROXIED):
            url = store.url(key, expires_seconds=presign_seconds)
            ttl = max(0, min(300, presign_seconds // 2))
            return RedirectResponse(url, status_code=302, headers={"Cache-Control": f"public, max-age={ttl}"})
        size = store.stat(key).size
    except (StorageError, ValueError):
        raise HTTPException(404, detail=NOT_FOUND) from None
    headers["Content-Length"] = str(size)
    if head:
        return Response(media_type=media_type, headers=headers)
    return StreamingResponse(_chunks(store, key), media_type=media_type, headers=headers)
