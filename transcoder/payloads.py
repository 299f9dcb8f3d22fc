"""What the transcoder's Celery tasks take and return, as typed JSON: ids and primitives only.

A job-level task (`transcoder.transcode`, `transcoder.transcode_chunked`, `transcoder.make_slate`)
returns a `TranscodeResult`: the description of the finished programme, or the stable code and
bilingual message of why there is none. Raised exceptions mean "retry" or "failed for good"; a
result with `ok: False` is a normal ending the service stores on the programme.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from storage.errors import NotFound, StorageError
from transcoder.describe import Description
from transcoder.errors import SourceRejected
from transcoder.house import HouseFormatPayload

__all__ = [
    "CANCELLED",
    "SUPERSEDED",
    "ChunkedJob",
    "Rejected",
    "Succeeded",
    "TranscodeResult",
    "final_failure",
    "rejection",
    "succeeded",
]


class Succeeded(TypedDict):
    """The programme is complete under its output prefix; `description` is its description.json."""

    ok: Literal[True]
    description: dict[str, Any]


class Rejected(TypedDict):
    """No programme: a stable `code` and a message for people, Vietnamese first then English."""

    ok: Literal[False]
    code: str
    message: str
    message_vi: NotRequired[str]
    message_en: NotRequired[str]


TranscodeResult = Succeeded | Rejected


class ChunkedJob(TypedDict):
    """One chunked job as every step of its chord sees it.

    `attempt` is the task id of the job-level task that planned the chord: the steps beat with it, so
    the job's record shows one job, and a step of an attempt that was re-queued stops.
    """

    attempt: str
    source_key: str
    scratch: str
    output_prefix: str
    profile: HouseFormatPayload
    chunks: list[dict[str, int]]
    loudness: dict[str, float] | None
    deadline_at: float


CANCELLED: Rejected = {
    "ok": False,
    "code": "cancelled",
    "message": "Đã huỷ chuyển mã. (Transcoding was cancelled.)",
}
SUPERSEDED: Rejected = {
    "ok": False,
    "code": "superseded",
    "message": (
        "Lượt chuyển mã này không còn cần nữa: đã huỷ hoặc đã có lượt khác thay. "
        "(This attempt is no longer wanted: cancelled, or replaced by another.)"
    ),
}


def succeeded(description: Description) -> Succeeded:
    return {"ok": True, "description": description.to_dict()}


def rejection(rejected: SourceRejected) -> Rejected:
    """The result of a source that cannot become a programme (never retried)."""
    return {
        "ok": False,
        "code": rejected.code,
        "message": rejected.message,
        "message_vi": rejected.message_vi,
        "message_en": rejected.message_en,
    }


def final_failure(exc: StorageError) -> Rejected:
    """The non-retried result for a missing source or an unusable key."""
    if isinstance(exc, NotFound):
        return {
            "ok": False,
            "code": "source_missing",
            "message": "Không tìm thấy tệp nguồn trong kho lưu trữ. (The source file is missing from storage.)",
        }
    return {
        "ok": False,
        "code": "invalid_key",
        "message": "Đường dẫn lưu trữ không hợp lệ. (The storage key is not valid.)",
    }
