"""Security headers of the HTML pages: a strict CSP (self, plus blob: for the player's media)."""

from __future__ import annotations

from urllib.parse import urlsplit

from channel.settings import Settings

__all__ = ["PUBLIC_PAGE_CACHE", "media_origins", "page_headers"]

#: a public page (the same for every viewer of a language) may be kept this long by any cache: the edge
#: micro-caches it, one copy per `legaltv_lang` cookie value (docs/delivery.md)
PUBLIC_PAGE_CACHE = "public, max-age=10"


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def media_origins(settings: Settings) -> tuple[str, ...]:
    """Origins besides ours that segments and posters come from (an S3 endpoint redirected to)."""
    if settings.storage_backend != "s3" or settings.segment_delivery != "redirect":
        return ()
    origin = _origin(settings.s3_public_endpoint_url or settings.s3_endpoint_url)
    return (origin,) if origin else ()


def page_headers(
    *, frameable: bool, extra_origins: tuple[str, ...] = (), public: bool = False
) -> dict[str, str]:
    """Headers for an HTML page; only the embeddable player may be framed by other sites.

    A `public` page is the same for everyone who reads its language, so caches may keep it briefly; it
    varies with the language cookie. Any other page (the console) is revalidated every time."""
    # data: for the empty <track> hls.js creates when the channel has a subtitle rendition
    media = " ".join(("'self'", "blob:", "data:", *extra_origins))
    policy = "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {' '.join(extra_origins)}".rstrip(),
            f"media-src {media}",
            f"connect-src 'self' {' '.join(extra_origins)}".rstrip(),
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {'*' if frameable else chr(39) + 'self' + chr(39)}",
        )
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cache-Control": PUBLIC_PAGE_CACHE if public else "no-cache",
    }
    if public:
        headers["Vary"] = "Cookie"
    if not frameable:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers
