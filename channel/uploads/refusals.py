"""The upload service's refusals, each a `TusError` with a stable code and a bilingual message.

Made fresh for every refusal (exceptions carry tracebacks); the HTTP shell renders them in the usual
error envelope and nothing internal (paths, keys, store errors) ever reaches the message.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Awaitable
from typing import TypeVar

from channel.uploads.protocol import TusError
from channel.uploads.quotas import over_bytes
from channel.uploads.state import Quotas
from storage import StorageError

__all__ = [
    "gone",
    "guarded",
    "invalid_length",
    "locked",
    "not_found",
    "not_processed",
    "offset_mismatch",
    "storage_failed",
    "taken_over",
    "too_large",
]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")


def not_found() -> TusError:
    return TusError(404, "upload_not_found", "Không tìm thấy tệp tải lên / Upload not found")


def gone() -> TusError:
    return TusError(410, "upload_expired", "Tệp tải lên đã hết hạn / Upload has expired")


def locked() -> TusError:
    return TusError(
        423, "upload_locked", "Tệp đang được tải lên ở một yêu cầu khác / Upload is busy in another request"
    )


def taken_over() -> TusError:
    return TusError(
        409,
        "upload_taken_over",
        "Một yêu cầu khác đã tiếp quản tệp tải lên; hãy hỏi lại vị trí rồi tiếp tục / "
        "Another request took over this upload; ask for its offset and resume",
    )


def offset_mismatch() -> TusError:
    return TusError(409, "offset_mismatch", "Upload-Offset không khớp / Upload-Offset does not match")


def invalid_length() -> TusError:
    return TusError(
        400, "invalid_length", "Upload-Length không hợp lệ / Upload-Length cannot be changed to this value"
    )


def too_large(*, quota: Quotas | None = None) -> TusError:
    """413: past the upload's declared length or the size limit, or (`quota` given) past the byte quota."""
    if quota is not None:
        return over_bytes(quota)
    return TusError(413, "too_large", "Dữ liệu vượt quá kích thước tệp / Data exceeds the upload size")


def not_processed() -> TusError:
    return TusError(
        500,
        "upload_not_processed",
        "Không xử lý được tệp đã tải lên; hãy thử lại / The finished upload could not be processed; retry",
    )


def storage_failed(exc: BaseException) -> TusError:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return TusError(
            507, "storage_full", "Máy chủ hết dung lượng lưu trữ / The server is out of storage space"
        )
    return TusError(500, "upload_storage", "Lỗi lưu trữ tệp tải lên / The upload could not be stored")


async def guarded(work: Awaitable[_T]) -> _T:
    """Store and disk failures become a refusal that names nothing internal (logged in full)."""
    try:
        return await work
    except (StorageError, OSError) as exc:
        _log.exception("upload storage failed")
        raise storage_failed(exc) from None
