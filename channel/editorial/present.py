"""Editorial records as response schemas; user ids become the names staff recognise."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.editorial.facts import PROGRAMME, Revision
from channel.editorial.reviews import ReviewStatus
from channel.editorial.schemas import DecisionPublic, OnAirItemPublic, ReviewPublic, TakeoverPublic
from channel.library.present import programme_preview_url
from channel.models import Channel, ChannelTakeover, Programme, Review, Role, User
from playlist import Item, from_us

__all__ = ["decision_public", "item_public", "names_of", "review_public", "takeover_public"]


def names_of(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names (else usernames) of the given users."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(wanted)))
    return {uid: display or username for uid, display, username in rows}


def _name(names: Mapping[uuid.UUID, str], uid: uuid.UUID | None) -> str | None:
    return None if uid is None else names.get(uid)


def decision_public(review: Review, names: Mapping[uuid.UUID, str]) -> DecisionPublic:
    return DecisionPublic(
        id=review.id,
        decision=review.decision.value,  # type: ignore[arg-type]
        revision=review.revision,
        fingerprint=review.fingerprint,
        reason=review.reason,
        decided_at=review.decided_at,
        decided_by=_name(names, review.decided_by_id),
        withdrawn_at=review.withdrawn_at,
        withdrawn_by=_name(names, review.withdrawn_by_id),
        withdrawal_reason=review.withdrawal_reason,
        withdrawal_kind=None if review.withdrawal_kind is None else review.withdrawal_kind.value,  # type: ignore[arg-type]
    )


def review_public(
    session: Session, *, status: ReviewStatus, history: list[Review], viewer: User
) -> ReviewPublic:
    """A programme's or live event's review as its reader sees it (whether they may decide on it)."""
    revision = status.revision
    names = names_of(
        session,
        [revision.owner_id, *(r.decided_by_id for r in history), *(r.withdrawn_by_id for r in history)],
    )
    editor = bool(viewer.roles & {Role.EDITOR, Role.ADMIN})
    programme = revision.subject_type == PROGRAMME
    channel = None if programme else session.get(Channel, uuid.UUID(str(revision.facts["channel"])))
    return ReviewPublic(
        subject_type=revision.subject_type,  # type: ignore[arg-type]
        subject_id=revision.subject_id,
        programme_id=revision.subject_id if programme else None,
        channel=None if channel is None else channel.slug,
        title=revision.title,
        owner=_name(names, revision.owner_id),
        revision=revision.number,
        fingerprint=revision.fingerprint,
        state=status.state,
        facts=dict(revision.facts),
        preview_url=_preview(revision.subject_id, revision) if programme else None,
        updated_at=status.updated_at,
        airing=None if status.airing is None else decision_public(status.airing, names),
        decision=None if status.decision is None else decision_public(status.decision, names),
        you_may_review=editor and revision.ready and viewer.id not in status.authors,
        history=[decision_public(r, names) for r in history],
    )


def _preview(programme_id: uuid.UUID, revision: Revision) -> str | None:
    """Where the editor watches exactly this revision (approved or not)."""
    sha256 = (revision.facts.get("source") or {}).get("sha256")
    return programme_preview_url(programme_id, sha256) if revision.ready and isinstance(sha256, str) else None


def takeover_public(session: Session, row: ChannelTakeover) -> TakeoverPublic:
    names = names_of(session, [row.started_by_id, row.released_by_id])
    title = (
        None
        if row.programme_id is None
        else session.scalar(select(Programme.title).where(Programme.id == row.programme_id))
    )
    return TakeoverPublic(
        id=row.id,
        source=row.source.value,  # type: ignore[arg-type]
        programme_id=row.programme_id,
        programme_title=title,
        reason=row.reason,
        started_at=row.started_at,
        started_by=_name(names, row.started_by_id),
        released_at=row.released_at,
        released_by=_name(names, row.released_by_id),
        release_reason=row.release_reason,
    )


def item_public(item: Item | None) -> OnAirItemPublic | None:
    if item is None:
        return None
    return OnAirItemPublic(
        kind="live" if item.source.is_live else item.kind,
        title=item.title,
        programme_id=item.programme_id,
        start=from_us(item.start_us),
        end=from_us(item.end_us),
        cause=item.cause,
    )
