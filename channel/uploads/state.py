"""The records of the upload store: an upload's state, its json form, and the store's refusals.

Kept apart from the file handling so the router and the completion hook can import them without I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "AppendResult",
    "CompletedUpload",
    "UploadExpired",
    "UploadInfo",
    "UploadLocked",
    "UploadNotFound",
    "from_json",
    "is_upload_id",
    "to_json",
]

_ID = re.compile(r"[0-9a-f]{32}")


class UploadNotFound(LookupError):
    """No such upload, a malformed id, or one that belongs to someone else (indistinguishable on purpose)."""


class UploadExpired(LookupError):
    """The upload existed but has expired; its data is or will be removed."""


class UploadLocked(RuntimeError):
    """Another request is writing to this upload right now."""


def is_upload_id(value: str) -> bool:
    """Only ids of our own making ever become part of a file name."""
    return _ID.fullmatch(value) is not None


@dataclass(frozen=True)
class UploadInfo:
    """The state of one upload as recorded in its json file; `length` None means deferred."""

    id: str
    owner_id: str
    length: int | None
    offset: int
    metadata: Mapping[str, str]
    created: datetime
    expires: datetime
    finished: bool = False
    result_headers: Mapping[str, str] = field(default_factory=dict)
    gone: bool = False

    @property
    def complete(self) -> bool:
        return self.length is not None and self.offset == self.length


@dataclass(frozen=True)
class CompletedUpload:
    """What the completion hook receives: the data file to ingest and who uploaded it."""

    id: str
    path: Path
    size: int
    metadata: Mapping[str, str]
    owner_id: str


@dataclass(frozen=True)
class AppendResult:
    """The state after a PATCH body was consumed; `too_large` means it was rolled back."""

    info: UploadInfo
    outcome: Literal["ok", "too_large"]


def to_json(info: UploadInfo) -> dict[str, Any]:
    """The json document kept beside the data; plain types only, so it stays readable by hand."""
    return {
        "id": info.id,
        "owner_id": info.owner_id,
        "length": info.length,
        "offset": info.offset,
        "metadata": dict(info.metadata),
        "created": info.created.isoformat(),
        "expires": info.expires.isoformat(),
        "finished": info.finished,
        "result_headers": dict(info.result_headers),
        "gone": info.gone,
    }


def from_json(data: dict[str, Any]) -> UploadInfo:
    """Read back what `to_json` wrote."""
    return UploadInfo(
        id=str(data["id"]),
        owner_id=str(data["owner_id"]),
        length=None if data["length"] is None else int(data["length"]),
        offset=int(data["offset"]),
        metadata={str(k): str(v) for k, v in data["metadata"].items()},
        created=datetime.fromisoformat(data["created"]),
        expires=datetime.fromisoformat(data["expires"]),
        finished=bool(data.get("finished", False)),
        result_headers={str(k): str(v) for k, v in data.get("result_headers", {}).items()},
        gone=bool(data.get("gone", False)),
    )
