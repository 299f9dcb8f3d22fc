"""Security headers of the HTML pages: a strict CSP (self, plus blob: for the player's media)."""

from __future__ import annotations

from urllib.parse import urlsplit

from channel.settings import Settings

__all__ = ["media_origins", "page_headers"]


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


def page_headers(*, frameable: bool, extra_origins: tuple[str, ...] = ()) -> dict[str, str]:
    """Headers for an HTML page; only the embeddable player may be framed by other sites."""
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
        "Cache-Control": "no-cache",
    }
    if not frameable:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers
