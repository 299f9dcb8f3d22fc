"""Per-user upload quotas as pure rules: how many unfinished uploads, how many bytes awaiting transcoding.

A producer once declared 500 uploads of 8 GiB in three seconds; these rules turn such a burst into clear
refusals (429 for too many, 413 for too many bytes) while a real newsroom's day never meets them. The
numbers come from settings (`channel.library.quotas.quotas_for`); usage is counted by `records.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from channel.uploads.protocol import TusError
from channel.uploads.state import Quotas

__all__ = ["Usage", "bytes_room", "check_creation", "over_bytes", "scaled", "too_many_uploads"]


@dataclass(frozen=True)
class Usage:
    """What a user holds right now: unfinished uploads, and bytes declared or received not yet transcoded."""

    open_uploads: int
    pending_bytes: int


def scaled(quotas: Quotas, factor: int) -> Quotas:
    """The same limits `factor` times larger (admins: larger limits, never none)."""
    return replace(
        quotas,
        concurrent_uploads=quotas.concurrent_uploads * factor,
        pending_bytes=quotas.pending_bytes * factor,
        queued_transcodes=quotas.queued_transcodes * factor,
    )


def _gib(size: int) -> str:
    return f"{size / 1024**3:.3g} GiB"


def too_many_uploads(quotas: Quotas) -> TusError:
    limit = quotas.concurrent_uploads
    return TusError(
        429,
        "upload_quota_count",
        f"Bạn đang có quá nhiều tệp tải lên dở dang (tối đa {limit}); hãy hoàn tất hoặc huỷ bớt / "
        f"Too many unfinished uploads (at most {limit}); finish or cancel some first",
    )


def over_bytes(quotas: Quotas) -> TusError:
    limit = _gib(quotas.pending_bytes)
    return TusError(
        413,
        "upload_quota_bytes",
        f"Dung lượng tải lên đang chờ chuyển mã vượt hạn mức {limit}; hãy chờ các chương trình trước "
        f"chuyển mã xong / Bytes uploaded and not yet transcoded would exceed your quota of {limit}; "
        "wait for earlier programmes to finish transcoding",
    )


def check_creation(usage: Usage, quotas: Quotas, *, length: int | None) -> None:
    """Refuse a new upload past the count quota (429) or, when its length is declared, the byte quota (413)."""
    if usage.open_uploads >= quotas.concurrent_uploads:
        raise too_many_uploads(quotas)
    if length is not None and usage.pending_bytes + length > quotas.pending_bytes:
        raise over_bytes(quotas)


def bytes_room(usage: Usage, quotas: Quotas) -> int:
    """How many more bytes the user may declare or send before the byte quota refuses them."""
    return max(0, quotas.pending_bytes - usage.pending_bytes)
