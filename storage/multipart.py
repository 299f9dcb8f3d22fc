"""Objects written in parts (S3's multipart upload, and the same contract for a local folder).

A resumable upload that may land on any API replica cannot keep its bytes in one replica's folder:
each part goes to the store as soon as it is whole, and completing the upload assembles the object in
place (S3 joins the parts itself; the local store renames one staging file), so no gigabytes are copied
through Python at the end. Imports nothing of its siblings at runtime.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from storage.errors import StorageError

__all__ = [
    "MAX_PARTS",
    "MIN_PART_BYTES",
    "MultipartGone",
    "MultipartStore",
    "Part",
    "PendingMultipart",
    "check_part_number",
]

#: S3 refuses a part smaller than this unless it is the last one
MIN_PART_BYTES = 5 * 1024 * 1024
#: S3 numbers parts 1..10,000
MAX_PARTS = 10_000


class MultipartGone(StorageError):
    """The multipart upload was completed or aborted already (or never existed)."""


@dataclass(frozen=True, slots=True)
class Part:
    """One stored part: its number (from 1), the store's tag for exactly these bytes, and its size."""

    number: int
    etag: str
    size: int


@dataclass(frozen=True, slots=True)
class PendingMultipart:
    """A multipart upload begun and neither completed nor aborted (listed to sweep orphans)."""

    key: str
    upload_id: str
    started: datetime


@runtime_checkable
class MultipartStore(Protocol):
    """Writing one object in parts; implementations: `LocalStore`, `S3Store`.

    Parts are uploaded in ascending order from 1 (uploading part n again replaces it and, on the local
    store, drops the parts after it); every part but the last holds at least `MIN_PART_BYTES`.
    """

    def start_multipart(self, key: str, *, content_type: str | None = None) -> str:
        """Begin writing `key` in parts; returns the upload's id (the object appears only at completion)."""
        ...

    def upload_part(self, key: str, upload_id: str, *, number: int, path: Path) -> Part:
        """Store the whole file at `path` as part `number`; durable when this returns."""
        ...

    def complete_multipart(self, key: str, upload_id: str, parts: Sequence[Part]) -> None:
        """Join `parts` (in order, with the tags `upload_part` returned) into the object `key`."""
        ...

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop the upload and its parts; an unknown or finished upload is not an error."""
        ...

    def list_multipart(self, prefix: str) -> Iterator[PendingMultipart]:
        """Every multipart upload under `prefix` not yet completed or aborted."""
        ...


def check_part_number(number: int) -> None:
    """Part numbers are 1..MAX_PARTS on every backend."""
    if not 1 <= number <= MAX_PARTS:
        raise StorageError(f"part number must be between 1 and {MAX_PARTS}, not {number}")
