"""The errors every store raises, so callers handle one family whatever the backend."""

from __future__ import annotations

__all__ = ["InvalidKey", "NotFound", "StorageError"]


class StorageError(Exception):
    """Anything that went wrong talking to object storage; the message is safe to show an operator."""


class NotFound(StorageError):
    """The key names no object; carries the key so callers can say which one."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no object at key {key!r}")
        self.key = key


class InvalidKey(StorageError, ValueError):
    """A key or prefix that could escape the store or that no backend can hold safely."""
