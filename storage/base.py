"""The one storage interface (`Store`) and the small records it returns.

Imports nothing of its siblings at runtime so any module may depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = ["ObjectInfo", "Page", "Store", "walk_pages"]


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What a listing or `stat` knows about one object; `modified` is timezone-aware UTC."""

    key: str
    size: int
    modified: datetime
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, sorted by key; pass `next_cursor` back to get the next page."""

    items: tuple[ObjectInfo, ...]
    next_cursor: str | None = None


@runtime_checkable
class Store(Protocol):
    """Object storage addressed by validated keys; implementations: `LocalStore`, `S3Store`."""

    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> None:
        """Store the file at `path` under `key`, replacing any object there."""
        ...

    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        """Store `data` under `key`, replacing any object there."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object (a context manager), not loaded into memory."""
        ...

    def read_bytes(self, key: str) -> bytes:
        """The whole object; for small objects such as playlists and JSON."""
        ...

    def download(self, key: str, path: Path) -> None:
        """Copy the object to the local file `path` (written atomically)."""
        ...

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""
        ...

    def stat(self, key: str) -> ObjectInfo:
        """Size, modification time and etag of the object; `NotFound` if missing."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error (deletes are idempotent)."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object under `prefix` ("" or ending in "/"); returns how many."""
        ...

    def list_page(self, prefix: str, *, limit: int = 1000, cursor: str | None = None) -> Page:
        """One page of the objects under `prefix`, sorted by key."""
        ...

    def iter_keys(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object under `prefix`, sorted by key, walking all pages."""
        ...

    def url(self, key: str, *, expires_seconds: int = 3600) -> str:
        """A URL a viewer can GET the object from (presigned for S3, an app route for local)."""
        ...

    def ping(self) -> None:
        """Raise `StorageError` when the store is unreachable; used by health checks."""
        ...


def walk_pages(list_page: Callable[..., Page], prefix: str) -> Iterator[ObjectInfo]:
    """Every object under `prefix`, following `list_page`'s cursors (one implementation for all stores)."""
    cursor: str | None = None
    while True:
        page = list_page(prefix, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
