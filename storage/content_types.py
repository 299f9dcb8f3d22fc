"""Content types of the files the channel stores, so players get what HLS requires."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

__all__ = ["DEFAULT_CONTENT_TYPE", "guess_content_type"]

DEFAULT_CONTENT_TYPE = "application/octet-stream"

# Fixed here rather than left to the platform's mime database, which differs between machines.
_BY_SUFFIX: dict[str, str] = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/mp4",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".xml": "application/xml",
    ".txt": "text/plain",
}


def guess_content_type(key: str) -> str:
    """The content type for `key`, from its extension; octet-stream when unknown."""
    suffix = PurePosixPath(key).suffix.lower()
    known = _BY_SUFFIX.get(suffix)
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(f"x{suffix}", strict=True) if suffix else (None, None)
    return guessed or DEFAULT_CONTENT_TYPE
