"""The records the upload service works with, and its refusals that are not tus header errors.

Plain frozen values, no I/O: the database rows (`records.py`) and the stored bytes (`parts.py`) are
translated into these at the edges, so the rules in between can be tested without either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from storage import MultipartStore, Part, Store

__all__ = [
    "CompletedUpload",
    "Layout",
    "LeaseLost",
    "PartsStore",
    "Quotas",
    "Requester",
    "TailPiece",
    "Target",
    "UploadExpired",
    "UploadInfo",
    "UploadNotFound",
    "is_upload_id",
]

_ID = re.compile(r"[0-9a-f]{32}")


class UploadNotFound(LookupError):
    """No such upload, a malformed id, or one that belongs to someone else (indistinguishable on purpose)."""


class UploadExpired(LookupError):
    """The upload existed but has expired; its data is or will be removed."""


class LeaseLost(RuntimeError):
    """The request no longer holds the upload's lease (another request took it after it lapsed)."""


def is_upload_id(value: str) -> bool:
    """Only ids of our own making (32 lowercase hex digits) are ever looked up."""
    return _ID.fullmatch(value) is not None


class PartsStore(Store, MultipartStore, Protocol):
    """What uploads need of the object store: objects, and objects written in parts (both stores qualify)."""


@dataclass(frozen=True)
class Quotas:
    """Per-user sanity limits on uploads and transcodes (see `channel.uploads.quotas`)."""

    concurrent_uploads: int
    pending_bytes: int
    queued_transcodes: int


@dataclass(frozen=True)
class Requester:
    """Who is asking: the user's id and the quotas that apply to them."""

    id: str
    quotas: Quotas


@dataclass(frozen=True)
class Target:
    """Where a finished upload will live, decided at creation, and the programme it is for."""

    key: str
    programme_id: str | None = None


@dataclass(frozen=True)
class TailPiece:
    """Bytes received after the last whole part, kept as a small object of their own."""

    key: str
    size: int


@dataclass(frozen=True)
class Layout:
    """Where the received bytes are: whole parts of a multipart upload, then tail objects, in order."""

    multipart_id: str | None = None
    parts: tuple[Part, ...] = ()
    tail: tuple[TailPiece, ...] = ()

    @property
    def parts_size(self) -> int:
        return sum(part.size for part in self.parts)

    @property
    def tail_size(self) -> int:
        return sum(piece.size for piece in self.tail)

    @property
    def size(self) -> int:
        return self.parts_size + self.tail_size


@dataclass(frozen=True)
class UploadInfo:
    """The state of one upload as every replica sees it; `length` None means deferred."""

    id: str
    owner_id: str
    length: int | None
    offset: int
    metadata: Mapping[str, str]
    created: datetime
    expires: datetime
    target: Target
    layout: Layout = Layout()
    stored: bool = False
    finished: bool = False
    result_headers: Mapping[str, str] = field(default_factory=dict)
    gone: bool = False

    @property
    def complete(self) -> bool:
        return self.length is not None and self.offset == self.length


@dataclass(frozen=True)
class CompletedUpload:
    """What the completion hook receives: the stored object, who uploaded it and what for."""

    id: str
    key: str
    size: int
    metadata: Mapping[str, str]
    owner_id: str
    programme_id: str | None
