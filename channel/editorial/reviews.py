"""Four-eyes review: an editor approves or rejects the exact revision they watched, and may withdraw an
approval; what airs is always the latest approval that stands.

An approval keeps the revision's media and facts, so it airs exactly as approved: when the producer
replaces the source, the subtitles or a reviewed field, the programme goes back to review and the
approved revision keeps airing until an editor approves the new one (or withdraws the old one). The
approver is never one of the revision's authors (`channel.editorial.authors`). Each decision is audited
(``programme.approve``, ``programme.reject``, ``programme.approval_withdraw``) and commits here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from channel import audit
from channel.audit import Actor
from channel.editorial.authors import revision_authors
from channel.editorial.facts import Revision, programme_revision
from channel.library.errors import Conflict, Forbidden, Invalid, NotFound
from channel.library.transcode import latest_job
from channel.models import Programme, ProgrammeStatus, Review, ReviewDecision, TranscodeState, WithdrawalKind

__all__ = [
    "PROGRAMME",
    "ReviewState",
    "ReviewStatus",
    "airing_approval",
    "approve",
    "current_revision",
    "history",
    "may_air",
    "reject",
    "review_queue",
    "review_state",
    "revision_of",
    "settled",
    "withdraw",
]

PROGRAMME = "programme"
ReviewState = Literal["not_ready", "pending", "approved", "rejected", "withdrawn"]
_NOT_FOUND = "Không tìm thấy chương trình / Programme not found"
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """Where a programme stands: its current revision, the decision on exactly it, what airs."""

    revision: Revision
    state: ReviewState
    decision: Review | None  # the latest decision on the current fingerprint
    airing: Review | None  # the approval on air (maybe of an older revision), None if none stands
    authors: frozenset[uuid.UUID]


def _programme(session: Session, programme_id: uuid.UUID) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None or programme.status == ProgrammeStatus.DELETED:
        raise NotFound("programme_not_found", _NOT_FOUND)
    return programme


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
    `channel.editorial.airable`), and live events once they exist (`subject_type="live_event"`, with
    their reviews in the same table; see docs/editorial.md).
    """
    return airing_approval(session, subject_id, subject_type=subject_type) is not None


def settled(session: Session, programme: Programme) -> bool:
    """No transcode of a newer source is queued, running or failed: the media on the row is current."""
    job = latest_job(session, programme.id)
    return job is None or job.state == TranscodeState.SUCCEEDED


def revision_of(session: Session, programme: Programme, *, cosmetic: Collection[str]) -> Revision:
    """The programme's current revision (`programme_revision`), knowing whether it is transcoded."""
    return programme_revision(programme, cosmetic=cosmetic, settled=settled(session, programme))


def _state(revision: Revision, decision: Review | None) -> ReviewState:
    if decision is None:
        return "pending" if revision.ready else "not_ready"
    if decision.decision == ReviewDecision.REJECTED:
        return "rejected"
    return "withdrawn" if decision.withdrawn_at is not None else "approved"


def _status(
    session: Session, programme: Programme, *, cosmetic: Collection[str], waiting_only: bool = False
) -> ReviewStatus | None:
    """The programme's review status; with ``waiting_only``, None unless it waits for a decision (the
    queue skips the authors' look-up in the audit log for everything else)."""
    revision = revision_of(session, programme, cosmetic=cosmetic)
    reviews = history(session, programme.id)
    decision = next((r for r in reviews if r.fingerprint == revision.fingerprint), None)
    state = _state(revision, decision)
    if waiting_only and state not in ("pending", "withdrawn"):
        return None
    last_approval = next((r for r in reviews if r.decision == ReviewDecision.APPROVED), None)
    authors = revision_authors(
        session,
        programme=programme,
        since=None if last_approval is None else last_approval.decided_at,
        cosmetic=cosmetic,
    )
    return ReviewStatus(
        revision=revision, state=state, decision=decision, airing=_standing(reviews), authors=authors
    )


def _full_status(session: Session, programme: Programme, *, cosmetic: Collection[str]) -> ReviewStatus:
    status = _status(session, programme, cosmetic=cosmetic)
    assert status is not None
    return status


def review_state(session: Session, *, programme_id: uuid.UUID, cosmetic: Collection[str]) -> ReviewStatus:
    """The review status of a programme (any staff member may read it: producers see why it was refused)."""
    return _full_status(session, _programme(session, programme_id), cosmetic=cosmetic)


def current_revision(session: Session, *, programme_id: uuid.UUID, cosmetic: Collection[str]) -> Revision:
    return revision_of(session, _programme(session, programme_id), cosmetic=cosmetic)


def review_queue(session: Session, *, cosmetic: Collection[str]) -> list[ReviewStatus]:
    """Ready programmes whose current revision waits for a decision (new, changed, or withdrawn), oldest
    change first."""
    programmes = session.scalars(
        select(Programme)
        .where(Programme.status == ProgrammeStatus.READY)
        .options(
            selectinload(Programme.topics),
            selectinload(Programme.legal_documents),
            selectinload(Programme.subtitles),
        )
        .order_by(Programme.updated_at)
    ).all()
    return [
        s for p in programmes if (s := _status(session, p, cosmetic=cosmetic, waiting_only=True)) is not None
    ]


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
            "Chương trình đã thay đổi từ khi bạn mở; hãy xem lại bản mới / "
            "The programme changed since you opened it; review the new revision",
            details=[{"fingerprint": revision.fingerprint, "revision": revision.number}],
        )
    if actor.user_id is None or actor.user_id in status.authors:
        raise Forbidden(
            "four_eyes",
            "Bạn đã tải lên hoặc sửa bản này nên không được tự duyệt; cần một biên tập viên khác / "
            "You uploaded or changed this revision, so another editor must review it",
        )
    return revision


def _decide(
    session: Session,
    *,
    programme_id: uuid.UUID,
    fingerprint: str,
    decision: ReviewDecision,
    reason: str,
    actor: Actor,
    cosmetic: Collection[str],
) -> Review:
    programme = _programme(session, programme_id)
    status = _full_status(session, programme, cosmetic=cosmetic)
    revision = _reviewable(status, fingerprint=fingerprint, actor=actor)
    if decision == ReviewDecision.APPROVED and status.state == "approved":
        raise Conflict("already_approved", "Bản này đã được duyệt / This revision is already approved")
    assert actor.user_id is not None
    review = Review(
        subject_type=PROGRAMME,
        subject_id=programme.id,
        revision=revision.number,
        fingerprint=revision.fingerprint,
        facts=dict(revision.facts),
        media=dict(revision.media or {}) if decision == ReviewDecision.APPROVED else None,
        media_prefix=revision.media_prefix if decision == ReviewDecision.APPROVED else None,
        decision=decision,
        reason=reason,
        decided_by_id=actor.user_id,
        decided_at=actor.now,
    )
    session.add(review)
    session.flush()
    audit.record(
        session,
        actor_id=actor.user_id,
        action="programme.approve" if decision == ReviewDecision.APPROVED else "programme.reject",
        entity_type="programme",
        entity_id=programme.id,
        changes={
            "review_id": str(review.id),
            "revision": revision.number,
            "fingerprint": revision.fingerprint,
            "source_sha256": revision.facts["source"]["sha256"],
            "reason": reason,
        },
        request_id=actor.request_id,
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
    """Approve the revision with ``fingerprint`` (the one the editor watched); it airs from the next publish."""
    return _decide(
        session,
        programme_id=programme_id,
        fingerprint=fingerprint,
        decision=ReviewDecision.APPROVED,
        reason=_reason(note, required=False),
        actor=actor,
        cosmetic=cosmetic,
    )


def reject(
    session: Session,
    *,
    programme_id: uuid.UUID,
    fingerprint: str,
    reason: str | None,
    actor: Actor,
    cosmetic: Collection[str],
) -> Review:
    """Reject the revision with a reason the producer sees; an approved older revision keeps airing."""
    return _decide(
        session,
        programme_id=programme_id,
        fingerprint=fingerprint,
        decision=ReviewDecision.REJECTED,
        reason=_reason(reason, required=True),
        actor=actor,
        cosmetic=cosmetic,
    )


def withdraw(
    session: Session,
    *,
    programme_id: uuid.UUID,
    reason: str | None,
    actor: Actor,
    kind: WithdrawalKind = WithdrawalKind.WITHDRAWN,
    channel_id: uuid.UUID | None = None,
) -> Review:
    """End the approval on air (uncommitted: the caller republishes the channels in the same
    transaction); the programme leaves the air at the next boundary not yet published."""
    text = _reason(reason, required=True)
    approval = airing_approval(session, _programme(session, programme_id).id)
    if approval is None:
        raise Conflict(
            "not_approved",
            "Chương trình không có bản nào đang được duyệt / No approval of this programme stands",
        )
    approval.withdrawn_at = actor.now
    approval.withdrawn_by_id = actor.user_id
    approval.withdrawal_reason = text
    approval.withdrawal_kind = kind
    approval.withdrawn_channel_id = channel_id
    audit.record(
        session,
        actor_id=actor.user_id,
        action="programme.approval_withdraw" if kind == WithdrawalKind.WITHDRAWN else "programme.pull",
        entity_type="programme",
        entity_id=programme_id,
        changes={
            "review_id": str(approval.id),
            "revision": approval.revision,
            "reason": text,
            "channel_id": None if channel_id is None else str(channel_id),
        },
        request_id=actor.request_id,
    )
    session.flush()
    return approval
