"""Four-eyes review: an editor approves or rejects the exact revision they watched, and may withdraw an
approval; what airs is always the latest approval that stands.

The subjects are programmes and live events (`Review.subject_type`), under one set of rules. An approval
keeps the revision's media and facts, so it airs exactly as approved: when the producer replaces the
source, the subtitles or a reviewed field (or the scheduler a live event's title, documents or times),
the subject goes back to review and the approved revision keeps airing until an editor approves the new
one (or withdraws the old one). The approver is never one of the revision's authors
(`channel.editorial.authors`). Each decision is audited (``programme.approve``, ``programme.reject``,
``programme.approval_withdraw``; ``live.approve`` … for live events) and commits here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel import audit
from channel.audit import Actor
from channel.editorial.facts import LIVE_EVENT, PROGRAMME, Revision
from channel.editorial.subjects import Subject, programme_of, revision_of, settled, subject_of, waiting
from channel.library.errors import Conflict, Forbidden, Invalid
from channel.models import Review, ReviewDecision, WithdrawalKind

__all__ = [
    "LIVE_EVENT",
    "PROGRAMME",
    "ReviewState",
    "ReviewStatus",
    "Subject",
    "airing_approval",
    "approve",
    "current_revision",
    "decide",
    "history",
    "may_air",
    "review_queue",
    "review_state",
    "revision_of",
    "settled",
    "subject_of",
    "withdraw",
]

ReviewState = Literal["not_ready", "pending", "approved", "rejected", "withdrawn"]
#: the audited action prefix of each subject type
_ACTIONS = {PROGRAMME: "programme", LIVE_EVENT: "live"}
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """Where a subject stands: its current revision, the decision on exactly it, what airs."""

    revision: Revision
    state: ReviewState
    decision: Review | None  # the latest decision on the current fingerprint
    airing: Review | None  # the approval on air (maybe of an older revision), None if none stands
    authors: frozenset[uuid.UUID]
    updated_at: datetime


def history(session: Session, subject_id: uuid.UUID, *, subject_type: str = PROGRAMME) -> list[Review]:
    """Every decision on a subject, newest first."""
    return list(
        session.scalars(
            select(Review)
            .where(Review.subject_type == subject_type, Review.subject_id == subject_id)
            .order_by(Review.decided_at.desc())
        )
    )


def _standing(reviews: Sequence[Review]) -> Review | None:
    """The latest approval, unless it was withdrawn (an older one never comes back)."""
    approval = next((r for r in reviews if r.decision == ReviewDecision.APPROVED), None)
    return approval if approval is not None and approval.withdrawn_at is None else None


def airing_approval(
    session: Session, subject_id: uuid.UUID, *, subject_type: str = PROGRAMME
) -> Review | None:
    """The approval under which a subject airs, if one stands."""
    return _standing(history(session, subject_id, subject_type=subject_type))


def may_air(session: Session, *, subject_id: uuid.UUID, subject_type: str = PROGRAMME) -> bool:
    """Whether a subject may air now: an editor approved a revision of it and nobody withdrew that.

    The one rule for everything that airs: programmes and fillers (the compile asks it through
    `channel.editorial.airable`), and live events (`subject_type="live_event"`, with their reviews in
    the same table; see docs/live.md).
    """
    return airing_approval(session, subject_id, subject_type=subject_type) is not None


def _state(revision: Revision, decision: Review | None) -> ReviewState:
    if decision is None:
        return "pending" if revision.ready else "not_ready"
    if decision.decision == ReviewDecision.REJECTED:
        return "rejected"
    return "withdrawn" if decision.withdrawn_at is not None else "approved"


def _status(session: Session, subject: Subject, *, waiting_only: bool = False) -> ReviewStatus | None:
    """The subject's review status; with ``waiting_only``, None unless it waits for a decision (the
    queue skips the authors' look-up in the audit log for everything else)."""
    revision = subject.revision
    reviews = history(session, revision.subject_id, subject_type=revision.subject_type)
    decision = next((r for r in reviews if r.fingerprint == revision.fingerprint), None)
    state = _state(revision, decision)
    if waiting_only and state not in ("pending", "withdrawn"):
        return None
    last_approval = next((r for r in reviews if r.decision == ReviewDecision.APPROVED), None)
    return ReviewStatus(
        revision=revision,
        state=state,
        decision=decision,
        airing=_standing(reviews),
        authors=subject.authors(None if last_approval is None else last_approval.decided_at),
        updated_at=subject.updated_at,
    )


def _full_status(session: Session, subject: Subject) -> ReviewStatus:
    status = _status(session, subject)
    assert status is not None
    return status


def review_state(
    session: Session, *, subject_id: uuid.UUID, cosmetic: Collection[str], subject_type: str = PROGRAMME
) -> ReviewStatus:
    """The review status of a programme or live event (any staff member may read it: producers and
    schedulers see why it was refused)."""
    return _full_status(
        session, subject_of(session, subject_type=subject_type, subject_id=subject_id, cosmetic=cosmetic)
    )


def current_revision(session: Session, *, programme_id: uuid.UUID, cosmetic: Collection[str]) -> Revision:
    return revision_of(session, programme_of(session, programme_id), cosmetic=cosmetic)


def review_queue(
    session: Session, *, cosmetic: Collection[str], subject_type: str = PROGRAMME, now: datetime | None = None
) -> list[ReviewStatus]:
    """Subjects whose current revision waits for a decision (new, changed, or withdrawn): programmes
    oldest change first, live events (those not ended at ``now``) soonest first."""
    subjects = waiting(session, cosmetic=cosmetic, subject_type=subject_type, now=now or datetime.now(UTC))
    return [s for subject in subjects if (s := _status(session, subject, waiting_only=True)) is not None]


def _reason(text: str | None, *, required: bool) -> str:
    value = (text or "").strip()
    if required and not value:
        raise Invalid(
            "reason_required",
            "Cần ghi lý do (người sản xuất sẽ đọc được) / A reason is required (the producer sees it)",
        )
    if len(value) > MAX_REASON:
        raise Invalid(
            "reason_too_long",
            f"Lý do dài quá {MAX_REASON} ký tự / The reason is over {MAX_REASON} characters",
        )
    return value


def _reviewable(status: ReviewStatus, *, fingerprint: str, actor: Actor) -> Revision:
    """The revision the editor saw, still current and ready, and not of their making."""
    revision = status.revision
    if not revision.ready:
        raise Conflict(
            "not_ready",
            "Bản này chưa chuyển mã xong, chưa có gì để duyệt / This revision is not transcoded yet: nothing to review",
        )
    if fingerprint != revision.fingerprint:
        raise Conflict(
            "revision_changed",
            "Nội dung đã thay đổi từ khi bạn mở; hãy xem lại bản mới / "
            "It changed since you opened it; review the new revision",
            details=[{"fingerprint": revision.fingerprint, "revision": revision.number}],
        )
    if actor.user_id is None or actor.user_id in status.authors:
        raise Forbidden(
            "four_eyes",
            "Bạn đã tạo hoặc sửa bản này nên không được tự duyệt; cần một biên tập viên khác / "
            "You made or changed this revision, so another editor must review it",
        )
    return revision


def decide(
    session: Session,
    *,
    subject_type: str,
    subject_id: uuid.UUID,
    fingerprint: str,
    decision: ReviewDecision,
    note: str | None,
    actor: Actor,
    cosmetic: Collection[str],
) -> Review:
    """Approve or reject the revision with ``fingerprint`` (the one the editor watched) of a programme
    or live event; an approval airs from the next publish, a rejection needs a reason the author reads."""
    reason = _reason(note, required=decision == ReviewDecision.REJECTED)
    subject = subject_of(session, subject_type=subject_type, subject_id=subject_id, cosmetic=cosmetic)
    status = _full_status(session, subject)
    revision = _reviewable(status, fingerprint=fingerprint, actor=actor)
    if decision == ReviewDecision.APPROVED and status.state == "approved":
        raise Conflict("already_approved", "Bản này đã được duyệt / This revision is already approved")
    assert actor.user_id is not None
    approved = decision == ReviewDecision.APPROVED
    review = Review(
        subject_type=subject_type,
        subject_id=subject_id,
        revision=revision.number,
        fingerprint=revision.fingerprint,
        facts=dict(revision.facts),
        media=dict(revision.media) if approved and revision.media is not None else None,
        media_prefix=revision.media_prefix if approved else None,
        decision=decision,
        reason=reason,
        decided_by_id=actor.user_id,
        decided_at=actor.now,
    )
    session.add(review)
    session.flush()
    source = revision.facts.get("source")
    audit.record_by(
        session,
        actor,
        f"{_ACTIONS[subject_type]}.{'approve' if approved else 'reject'}",
        entity_type=subject_type,
        entity_id=subject_id,
        changes={
            "review_id": str(review.id),
            "revision": revision.number,
            "fingerprint": revision.fingerprint,
            **({"source_sha256": source["sha256"]} if isinstance(source, dict) else {}),
            "reason": reason,
        },
    )
    session.commit()
    return review


def approve(
    session: Session,
    *,
    programme_id: uuid.UUID,
    fingerprint: str,
    note: str | None,
    actor: Actor,
    cosmetic: Collection[str],
) -> Review:
    """Approve a programme's revision with ``fingerprint`` (`decide`; the demo and fixtures approve so)."""
    return decide(
        session,
        subject_type=PROGRAMME,
        subject_id=programme_id,
        fingerprint=fingerprint,
        decision=ReviewDecision.APPROVED,
        note=note,
        actor=actor,
        cosmetic=cosmetic,
    )


def withdraw(
    session: Session,
    *,
    subject_id: uuid.UUID,
    reason: str | None,
    actor: Actor,
    kind: WithdrawalKind = WithdrawalKind.WITHDRAWN,
    channel_id: uuid.UUID | None = None,
    subject_type: str = PROGRAMME,
) -> Review:
    """End the approval on air of a programme or live event (uncommitted: the caller republishes the
    channels in the same transaction); it leaves the air at the next boundary not yet published."""
    text = _reason(reason, required=True)
    subject = subject_of(session, subject_type=subject_type, subject_id=subject_id, cosmetic=())
    approval = airing_approval(session, subject.revision.subject_id, subject_type=subject_type)
    if approval is None:
        raise Conflict(
            "not_approved",
            "Không có bản nào đang được duyệt để thu hồi / No approval of it stands",
        )
    approval.withdrawn_at = actor.now
    approval.withdrawn_by_id = actor.user_id
    approval.withdrawal_reason = text
    approval.withdrawal_kind = kind
    approval.withdrawn_channel_id = channel_id
    prefix = _ACTIONS[subject_type]
    audit.record_by(
        session,
        actor,
        f"{prefix}.approval_withdraw" if kind == WithdrawalKind.WITHDRAWN else f"{prefix}.pull",
        entity_type=subject_type,
        entity_id=subject_id,
        changes={
            "review_id": str(approval.id),
            "revision": approval.revision,
            "reason": text,
            "channel_id": None if channel_id is None else str(channel_id),
        },
    )
    session.flush()
    return approval
