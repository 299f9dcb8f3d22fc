"""The publish gate: a grid whose coming entries (or fillers) name a programme without a standing approval,
or with a live event still to air whose current revision is not approved, is not published; the refusal
lists each blocking entry and event with why.

Placing a programme in the draft grid stays possible at any time (schedulers plan ahead of review); only
publishing puts the grid on air, so that is where the rule holds. What is already published keeps its
own guarantee: the compile airs approved revisions only (`channel.editorial.airable`). A live event is
held to its current revision (not an older approved one, as a programme is): its facts are the slot
itself, so a changed title, time or document is approved before the grid that airs it is published.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.editorial.facts import LIVE_EVENT
from channel.editorial.reviews import history, review_state, settled
from channel.models import (
    Channel,
    LiveEvent,
    LiveStatus,
    Programme,
    ProgrammeStatus,
    Review,
    ReviewDecision,
    ScheduleEntry,
)

__all__ = ["BLOCKED_MESSAGE", "WHY", "blocking_items", "live_why"]

BLOCKED_MESSAGE = (
    "Không phát hành được: lịch có chương trình hoặc sự kiện trực tiếp chưa được duyệt (xem danh sách) / "
    "Cannot publish: the grid names programmes or live events that are not approved (see the list)"
)
#: why a programme blocks a publish: (code, Vietnamese, English)
WHY: Mapping[str, tuple[str, str]] = {
    "not_ready": ("chưa chuyển mã xong, chưa thể duyệt", "not transcoded yet, so not reviewable"),
    "awaiting_review": ("đang chờ biên tập viên duyệt", "waiting for an editor's review"),
    "changed": (
        "đã thay đổi sau khi được duyệt, cần duyệt lại",
        "changed since it was approved: review it again",
    ),
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


def live_why(session: Session, event: LiveEvent) -> str | None:
    """None when the event's current revision is approved and stands, else the code of why not."""
    status = review_state(session, subject_id=event.id, cosmetic=(), subject_type=LIVE_EVENT)
    if status.state == "approved":
        return None
    if status.state == "withdrawn" and status.decision is not None:
        kind = status.decision.withdrawal_kind
        return "withdrawn" if kind is None else kind.value
    if status.state == "rejected":
        return "rejected"
    return "changed" if status.airing is not None else "awaiting_review"


def _detail(
    *, channel: Channel, title: str, code: str, start: datetime | None, live: bool = False, **ids: str | None
) -> dict[str, Any]:
    vi, en = WHY[code]
    when = "" if start is None else start.astimezone(ZoneInfo(channel.timezone)).strftime("%H:%M %d/%m/%Y")
    where = "chương trình chờ (filler)" if start is None else (f"trực tiếp {when}" if live else when)
    return {
        "entry_id": None,
        "programme_id": None,
        **ids,
        "title": title,
        "start_at": None if start is None else start.isoformat(),
        "why": code,
        "message": f"«{title}» ({where}): {vi} / {en}",
    }


def blocking_items(session: Session, *, channel: Channel, now: datetime) -> list[dict[str, Any]]:
    """The coming entries (starting at or after ``now``), the live events still to end and the fillers
    of ``channel`` that may not air, in air order (fillers last), each with ``why`` (a code of `WHY`)
    and a bilingual message. Live events carry ``live_event_id``."""
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

    def title(pid: uuid.UUID) -> str:
        programme = programmes.get(pid)
        return programme.title if programme is not None else str(pid)

    timed: list[dict[str, Any]] = [
        _detail(
            channel=channel,
            title=title(entry.programme_id),
            code=code,
            start=entry.start_at,
            entry_id=str(entry.id),
            programme_id=str(entry.programme_id),
        )
        for entry in entries
        if (code := why[entry.programme_id]) is not None
    ]
    events = session.scalars(
        select(LiveEvent).where(
            LiveEvent.channel_id == channel.id,
            LiveEvent.status == LiveStatus.SCHEDULED,
            LiveEvent.end_at > now,
        )
    ).all()
    timed += [
        _detail(
            channel=channel, title=ev.title, code=code, start=ev.start_at, live=True, live_event_id=str(ev.id)
        )
        for ev in events
        if (code := live_why(session, ev)) is not None
    ]
    timed.sort(key=lambda d: str(d["start_at"]))
    return timed + [
        _detail(channel=channel, title=title(pid), code=code, start=None, programme_id=str(pid))
        for pid in fillers
        if (code := why[pid]) is not None
    ]
