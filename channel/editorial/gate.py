"""The publish gate: a grid whose coming entries (or fillers) name a programme without a standing approval
is not published; the refusal lists each blocking entry with why.

Placing a programme in the draft grid stays possible at any time (schedulers plan ahead of review); only
publishing puts the grid on air, so that is where the rule holds. What is already published keeps its
own guarantee: the compile airs approved revisions only (`channel.editorial.airable`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.editorial.reviews import history, settled
from channel.models import Channel, Programme, ProgrammeStatus, Review, ReviewDecision, ScheduleEntry

__all__ = ["BLOCKED_MESSAGE", "WHY", "blocking_items"]

BLOCKED_MESSAGE = (
    "Không phát hành được: lịch có chương trình chưa được duyệt (xem danh sách) / "
    "Cannot publish: the grid names programmes that are not approved (see the list)"
)
#: why a programme blocks a publish: (code, Vietnamese, English)
WHY: Mapping[str, tuple[str, str]] = {
    "not_ready": ("chưa chuyển mã xong, chưa thể duyệt", "not transcoded yet, so not reviewable"),
    "awaiting_review": ("đang chờ biên tập viên duyệt", "waiting for an editor's review"),
    "rejected": ("bị từ chối", "rejected"),
    "withdrawn": ("đã bị thu hồi phê duyệt", "its approval was withdrawn"),
    "pulled": ("đã bị rút khỏi sóng", "it was pulled off the air"),
    "deleted": ("đã bị xoá", "deleted"),
}


def _why(session: Session, programme: Programme | None, reviews: list[Review]) -> str | None:
    """None when an approval stands, else the code of why not."""
    if programme is None or programme.status == ProgrammeStatus.DELETED:
        return "deleted"
    approval = next((r for r in reviews if r.decision == ReviewDecision.APPROVED), None)
    if approval is not None and approval.withdrawn_at is None:
        return None
    if approval is not None and approval.withdrawn_at is not None and reviews[0] is approval:
        return approval.withdrawal_kind.value if approval.withdrawal_kind is not None else "withdrawn"
    if reviews and reviews[0].decision == ReviewDecision.REJECTED:
        return "rejected"
    ready = programme.status == ProgrammeStatus.READY and settled(session, programme)
    return "awaiting_review" if ready else "not_ready"


def _detail(
    *,
    channel: Channel,
    programme_id: uuid.UUID,
    programme: Programme | None,
    code: str,
    entry: ScheduleEntry | None,
) -> dict[str, Any]:
    vi, en = WHY[code]
    title = programme.title if programme is not None else str(programme_id)
    when = ""
    if entry is not None:
        local = entry.start_at.astimezone(ZoneInfo(channel.timezone))
        when = local.strftime("%H:%M %d/%m/%Y ")
    where = "chương trình chờ (filler)" if entry is None else when.strip()
    return {
        "entry_id": None if entry is None else str(entry.id),
        "programme_id": str(programme_id),
        "title": title,
        "start_at": None if entry is None else entry.start_at.isoformat(),
        "why": code,
        "message": f"«{title}» ({where}): {vi} / {en}",
    }


def blocking_items(session: Session, *, channel: Channel, now: datetime) -> list[dict[str, Any]]:
    """The coming entries (starting at or after ``now``) and the fillers of ``channel`` whose programme
    has no standing approval, in air order, each with ``why`` (a code of `WHY`) and a bilingual message."""
    entries = list(
        session.scalars(
            select(ScheduleEntry)
            .where(ScheduleEntry.channel_id == channel.id, ScheduleEntry.start_at >= now)
            .order_by(ScheduleEntry.start_at)
        )
    )
    fillers = [uuid.UUID(str(i)) for i in channel.filler_policy.get("filler_programme_ids", [])]
    ids = {e.programme_id for e in entries} | set(fillers)
    programmes = (
        {p.id: p for p in session.scalars(select(Programme).where(Programme.id.in_(ids)))} if ids else {}
    )
    why = {pid: _why(session, programmes.get(pid), history(session, pid)) for pid in ids}
    blocked: list[dict[str, Any]] = []
    for entry in entries:
        code = why[entry.programme_id]
        if code is not None:
            blocked.append(
                _detail(
                    channel=channel,
                    programme_id=entry.programme_id,
                    programme=programmes.get(entry.programme_id),
                    code=code,
                    entry=entry,
                )
            )
    for pid in fillers:
        code = why[pid]
        if code is not None:
            blocked.append(
                _detail(
                    channel=channel, programme_id=pid, programme=programmes.get(pid), code=code, entry=None
                )
            )
    return blocked
