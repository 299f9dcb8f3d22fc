"""Long-lived per-path media tokens: signed media URIs that leave playlists cacheable.

With `LEGALTV_MEDIA_TOKEN_SECRET` set (shared with the edge), each media URI of a playlist carries a
token for its programme revision's prefix (``programmes/<id>/r<n>/``, ``slates/<hash>/``) in the path:
``/media/t/<token>/<expires>/programmes/<id>/r1/720p/seg_00042.ts``. The expiry is rounded up to the
end of the period after the current one, so every replica computes the same token during a whole
period: the bytes of a playlist change at segment boundaries and once a period, never per request,
and any cache may share them. A token holds for at least one period and at most two, long after a
player has used its URIs. Being in the path, it is inherited by the relative URIs of a programme's
stored rendition playlists. The token is nginx's `secure_link` form (base64url of the MD5 of
``<expires><prefix> <secret>``), so the edge checks it without asking the API (docker/nginx/templates).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from channel.settings import Settings

__all__ = ["MEDIA_PREFIX", "MediaUris", "media_prefix", "media_uris", "path_token", "token_expiry"]

#: media URIs start here when no public media base URL is configured (the API's own `/media` route)
MEDIA_PREFIX = "/media/"


def media_prefix(base_url: str) -> str:
    """What every media URI of a playlist starts with: the public media base URL, else `/media/` here."""
    return f"{base_url.rstrip('/')}/" if base_url else MEDIA_PREFIX


#: a signable prefix right after the media prefix: a programme revision's folder, a slate's, a live event's
_SIGNABLE = r"((?:programmes/[^/\"\s]+/r\d+|slates/[0-9a-f]+|live/[0-9a-f-]+)/)"


def token_expiry(now: float, *, period_s: int) -> int:
    """The end of the period after the current one (Unix seconds)."""
    return (int(now // period_s) + 2) * period_s


@lru_cache(maxsize=4096)
def path_token(prefix: str, *, expires: int, secret: str) -> str:
    """nginx `secure_link_md5 "$secure_link_expires$prefix $secret"`, as base64url without padding."""
    digest = hashlib.md5(f"{expires}{prefix} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class MediaUris:
    """What media URIs of a playlist start with, and how they are signed (no secret: not at all)."""

    prefix: str
    secret: str = ""
    period_s: int = 7 * 86400

    def sign(self, body: bytes, *, now: float) -> bytes:
        """`body` with each media URI under `prefix` carrying its prefix's token (unchanged without a secret)."""
        if not self.secret:
            return body
        expires = token_expiry(now, period_s=self.period_s)
        pattern = re.compile(re.escape(self.prefix) + _SIGNABLE)

        def signed(match: re.Match[str]) -> str:
            token = path_token(match.group(1), expires=expires, secret=self.secret)
            return f"{self.prefix}t/{token}/{expires}/{match.group(1)}"

        return pattern.sub(signed, body.decode()).encode()


def media_uris(settings: Settings) -> MediaUris:
    """The media URIs the settings ask for: under the public base (or /media/), signed with the secret."""
    return MediaUris(
        prefix=media_prefix(settings.media_base_url),
        secret=settings.media_token_secret,
        period_s=settings.media_token_days * 86400,
    )
