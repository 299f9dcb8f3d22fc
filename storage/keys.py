"""Key validation: the one place that decides which keys may cross the storage boundary.

A key is a relative, "/"-separated name; nothing in it may climb out of a folder or hide a
control character, so every backend can map it to a file or an S3 object safely.
"""

from __future__ import annotations

import unicodedata

from storage.errors import InvalidKey

__all__ = ["MAX_KEY_BYTES", "validate_key", "validate_prefix"]

MAX_KEY_BYTES = 1024


def _describe(char: str) -> str:
    """A printable name for a refused character; messages use repr(), which escapes control characters."""
    return f"U+{ord(char):04X}"


def _check_characters(text: str, *, what: str) -> None:
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            raise InvalidKey(f"{what} contains a control character ({_describe(char)}): {text!r}")
        if char == "\\":
            raise InvalidKey(f"{what} contains a backslash; use '/' to separate folders: {text!r}")
    if len(text.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidKey(f"{what} is longer than {MAX_KEY_BYTES} bytes in UTF-8")


def _check_segments(segments: list[str], *, what: str, text: str) -> None:
    for segment in segments:
        if segment == "":
            raise InvalidKey(f"{what} has an empty segment ('//' or a trailing '/'): {text!r}")
        if segment in (".", ".."):
            raise InvalidKey(f"{what} has a {segment!r} segment, which is not allowed: {text!r}")


def validate_key(key: str) -> str:
    """Return `key` unchanged if it is a safe object key, else raise `InvalidKey` saying why."""
    if not isinstance(key, str):
        raise InvalidKey(f"key must be a string, not {type(key).__name__}")
    if key == "":
        raise InvalidKey("key is empty")
    _check_characters(key, what="key")
    if key.startswith("/"):
        raise InvalidKey(f"key must be relative, not start with '/': {key!r}")
    _check_segments(key.split("/"), what="key", text=key)
    return key


def validate_prefix(prefix: str) -> str:
    """Return `prefix` if it is "" or a folder-like prefix ending in "/", else raise `InvalidKey`."""
    if not isinstance(prefix, str):
        raise InvalidKey(f"prefix must be a string, not {type(prefix).__name__}")
    if prefix == "":
        return prefix
    if not prefix.endswith("/"):
        raise InvalidKey(f"prefix must be empty or end with '/': {prefix!r}")
    _check_characters(prefix, what="prefix")
    if prefix.startswith("/"):
        raise InvalidKey(f"prefix must be relative, not start with '/': {prefix!r}")
    _check_segments(prefix[:-1].split("/"), what="prefix", text=prefix)
    return prefix
