"""CORS of a simple GET/HEAD as the lean handlers answer it, the same as `CORSMiddleware` would.

The lean handlers (live playlists, media files, guide JSON) sit in front of the middleware stack, so
they add these headers themselves: a player embedded on the legal portal sees the same answer on
every route. Unless every origin is allowed the answer depends on the `Origin` header, so it always
carries `Vary: Origin`: a shared cache (the edge, a CDN) must not hand one origin's answer to another.
"""

from __future__ import annotations

from starlette.types import Scope

__all__ = ["Headers", "SimpleCors"]

Headers = list[tuple[bytes, bytes]]

_VARY = (b"vary", b"Origin")


class SimpleCors:
    """The allow-list of origins, and the headers an answer to one request carries."""

    def __init__(self, origins: list[str]) -> None:
        self.any_origin = "*" in origins
        self.origins = {o.encode() for o in origins}

    def allowed(self, scope: Scope) -> bytes | None:
        """The `Access-Control-Allow-Origin` value for this request, if any."""
        if self.any_origin:
            return b"*"
        for key, value in scope["headers"]:
            if key == b"origin":
                return value if value in self.origins else None
        return None

    def headers(self, allowed: bytes | None) -> Headers:
        """The CORS headers of an answer whose allowed origin is `allowed`."""
        headers: Headers = []
        if allowed is not None:
            headers.append((b"access-control-allow-origin", allowed))
        if not self.any_origin:
            headers.append(_VARY)
        return headers
