"""HTTP routes of editorial control: the review queues and decisions (programmes and live events),
withdrawals, and on-air actions.

Reading a review is open to all staff (a producer or scheduler sees why a revision was refused);
deciding, withdrawing, taking over, releasing and pulling need an editor (or an admin), and four eyes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import select

from channel.auth import CurrentUser, EditorActor, EditorUser
from channel.deps import NowDep, SessionDep, SettingsDep, StoreDep
from channel.editorial import reviews
from channel.editorial.facts import LIVE_EVENT, PROGRAMME
from channel.editorial.present import item_public, names_of, review_public, takeover_public
from channel.editorial.schemas import (
    ApproveIn,
    DecisionIn,
    OnAirActionPublic,
    OnAirPublic,
    PullIn,
    ReasonIn,
    RejectIn,
    ReviewPublic,
    ReviewStatePublic,
    TakeoverIn,
)
from channel.grid.errors import GridError
from channel.grid.schemas import SlugPath
from channel.library.errors import LibraryError
from channel.models import ChannelTakeover, ReviewDecision, TakeoverSource
from channel.onair import takeover, withdrawal
from channel.onair.republish import OnAirAction
from channel.playout.slate import slate_probe

__all__ = ["EditorialRoute", "router"]


class EditorialRoute(APIRoute):
    """Maps the library's and the grid's refusals (which the editorial domain raises) to the envelope."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LibraryError as exc:
                raise HTTPException(exc.status, detail=exc.detail()) from None
            except GridError as exc:
                detail = {"code": exc.code, "message": exc.message, "details": exc.details}
                raise HTTPException(exc.status, detail=detail) from None

        return guarded


router = APIRouter(prefix="/api", tags=["editorial"], route_class=EditorialRoute)


def _public(session: SessionDep, status: reviews.ReviewStatus, user: CurrentUser) -> ReviewPublic:
    revision = status.revision
    history = reviews.history(session, revision.subject_id, subject_type=revision.subject_type)
    return review_public(session, status=status, history=history, viewer=user)


def _review(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    subject_id: uuid.UUID,
    subject_type: str = PROGRAMME,
) -> ReviewPublic:
    status = reviews.review_state(
        session, subject_id=subject_id, cosmetic=settings.review_cosmetic_fields, subject_type=subject_type
    )
    return _public(session, status, user)


def _decide(
    session: SessionDep,
    settings: SettingsDep,
    actor: EditorActor,
    user: EditorUser,
    subject_id: uuid.UUID,
    decision: ReviewDecision,
    fingerprint: str,
    note: str | None,
    subject_type: str = PROGRAMME,
) -> ReviewPublic:
    """Decide on the revision watched (`reviews.decide`), then answer where the subject stands."""
    reviews.decide(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        fingerprint=fingerprint,
        decision=decision,
        note=note,
        actor=actor,
        cosmetic=settings.review_cosmetic_fields,
    )
    return _review(session, settings, user, subject_id, subject_type)


def _action(result: OnAirAction) -> OnAirActionPublic:
    return OnAirActionPublic(
        effective_at=result.effective_at,
        versions=result.versions,
        takeover_id=None if result.takeover is None else result.takeover.id,
        review_id=None if result.review is None else result.review.id,
    )


@router.get("/reviews", response_model=list[ReviewPublic])
def review_queue(session: SessionDep, settings: SettingsDep, user: EditorUser) -> list[ReviewPublic]:
    """Programmes whose current revision waits for a decision (new, changed since approved, withdrawn)."""
    queue = reviews.review_queue(session, cosmetic=settings.review_cosmetic_fields)
    return [_public(session, status, user) for status in queue]


@router.get("/reviews/live", response_model=list[ReviewPublic])
def live_review_queue(session: SessionDep, now: NowDep, user: EditorUser) -> list[ReviewPublic]:
    """Live events not yet ended whose current revision waits for a decision, soonest first."""
    queue = reviews.review_queue(session, cosmetic=(), subject_type=LIVE_EVENT, now=now)
    return [_public(session, status, user) for status in queue]


@router.get("/reviews/states", response_model=list[ReviewStatePublic])
def review_states(
    session: SessionDep,
    settings: SettingsDep,
    _user: CurrentUser,
    ids: Annotated[
        str, Query(max_length=200 * 37, pattern=r"^[0-9a-fA-F,-]*$", description="comma-separated")
    ],
) -> list[ReviewStatePublic]:
    """The review state of several programmes at once, with the reason of the last decision."""
    wanted: list[uuid.UUID] = []
    for part in filter(None, ids.split(",")):
        try:
            wanted.append(uuid.UUID(part))
        except ValueError:
            raise HTTPException(
                422, detail={"code": "invalid_id", "message": f"Mã không hợp lệ / Invalid id: {part[:40]}"}
            ) from None
    out = []
    for pid in wanted[:200]:
        try:
            status = reviews.review_state(session, subject_id=pid, cosmetic=settings.review_cosmetic_fields)
        except LibraryError:
            continue  # unknown or deleted: left out
        last = status.decision
        names = names_of(session, [] if last is None else [last.decided_by_id, last.withdrawn_by_id])
        out.append(
            ReviewStatePublic(
                programme_id=pid,
                state=status.state,
                reason=None if last is None else (last.withdrawal_reason or last.reason or None),
                decided_by=None if last is None else names.get(last.withdrawn_by_id or last.decided_by_id),
                airing_revision=None if status.airing is None else status.airing.revision,
            )
        )
    return out


@router.get("/programmes/{programme_id}/review", response_model=ReviewPublic)
def get_review(
    programme_id: uuid.UUID, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> ReviewPublic:
    """Where a programme stands in review: its revision's facts, the decisions and their reasons."""
    return _review(session, settings, user, programme_id)


@router.post("/programmes/{programme_id}/review/approve", response_model=ReviewPublic)
def approve(
    programme_id: uuid.UUID,
    body: ApproveIn,
    session: SessionDep,
    settings: SettingsDep,
    actor: EditorActor,
    user: EditorUser,
) -> ReviewPublic:
    """Approve exactly the revision watched (its fingerprint); never one's own (four eyes)."""
    return _decide(
        session, settings, actor, user, programme_id, ReviewDecision.APPROVED, body.fingerprint, body.note
    )


@router.post("/programmes/{programme_id}/review/reject", response_model=ReviewPublic)
def reject(
    programme_id: uuid.UUID,
    body: RejectIn,
    session: SessionDep,
    settings: SettingsDep,
    actor: EditorActor,
    user: EditorUser,
) -> ReviewPublic:
    """Reject the revision watched, with a reason the producer reads."""
    return _decide(
        session, settings, actor, user, programme_id, ReviewDecision.REJECTED, body.fingerprint, body.reason
    )


@router.post("/programmes/{programme_id}/approval/withdraw", response_model=OnAirActionPublic)
def withdraw(
    programme_id: uuid.UUID, body: ReasonIn, session: SessionDep, store: StoreDep, actor: EditorActor
) -> OnAirActionPublic:
    """End the standing approval: the programme leaves every channel at the next unpublished boundary."""
    result = withdrawal.withdraw_approval(
        session, subject_id=programme_id, reason=body.reason, actor=actor, slate_stored=slate_probe(store)
    )
    return _action(result)


@router.get("/live/{event_id}/reviews", response_model=ReviewPublic)
def get_live_review(
    event_id: uuid.UUID, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> ReviewPublic:
    """Where a live event stands in review: its revision's facts, the decisions and their reasons."""
    return _review(session, settings, user, event_id, LIVE_EVENT)


@router.post("/live/{event_id}/reviews", response_model=ReviewPublic)
def post_live_review(
    event_id: uuid.UUID,
    body: DecisionIn,
    session: SessionDep,
    settings: SettingsDep,
    actor: EditorActor,
    user: EditorUser,
) -> ReviewPublic:
    """Approve or reject exactly the revision of the live event watched (its fingerprint); never one
    the editor created or changed (four eyes). A rejection needs a note the scheduler reads."""
    decision = ReviewDecision(body.decision)
    return _decide(
        session, settings, actor, user, event_id, decision, body.fingerprint, body.note, LIVE_EVENT
    )


@router.post("/live/{event_id}/approval/withdraw", response_model=OnAirActionPublic)
def withdraw_live(
    event_id: uuid.UUID, body: ReasonIn, session: SessionDep, store: StoreDep, actor: EditorActor
) -> OnAirActionPublic:
    """End the live event's standing approval: its slot airs the slate from the next unpublished boundary."""
    result = withdrawal.withdraw_approval(
        session,
        subject_id=event_id,
        subject_type=LIVE_EVENT,
        reason=body.reason,
        actor=actor,
        slate_stored=slate_probe(store),
    )
    return _action(result)


@router.get("/channels/{slug}/on-air", response_model=OnAirPublic)
def get_on_air(slug: SlugPath, session: SessionDep, user: CurrentUser, now: NowDep) -> OnAirPublic:
    """What airs now and at the publish edge, the takeover in force, and the last day's takeovers."""
    state = takeover.on_air(session, slug=slug, now=now)
    since: datetime = now - timedelta(days=1)
    rows = session.scalars(
        select(ChannelTakeover)
        .where(ChannelTakeover.channel_id == state.channel.id, ChannelTakeover.started_at >= since)
        .order_by(ChannelTakeover.started_at.desc())
    ).all()
    return OnAirPublic(
        slug=state.channel.slug,
        name=state.channel.name,
        on_air=state.now is not None,
        now=item_public(state.now),
        at_edge=item_public(state.edge_item),
        takeover=None if state.takeover is None else takeover_public(session, state.takeover),
        takeovers=[takeover_public(session, r) for r in rows],
    )


@router.post("/channels/{slug}/takeover", response_model=OnAirActionPublic)
def take_over(
    slug: SlugPath, body: TakeoverIn, session: SessionDep, store: StoreDep, actor: EditorActor
) -> OnAirActionPublic:
    """Put the channel on its slate or an approved emergency programme until released ("Thông báo khẩn")."""
    result = takeover.take_over(
        session,
        slug=slug,
        source=TakeoverSource(body.source),
        programme_id=body.programme_id,
        reason=body.reason,
        actor=actor,
        slate_stored=slate_probe(store),
    )
    return _action(result)


@router.post("/channels/{slug}/takeover/release", response_model=OnAirActionPublic)
def release(
    slug: SlugPath, body: ReasonIn, session: SessionDep, store: StoreDep, actor: EditorActor
) -> OnAirActionPublic:
    """Return the channel to the grid at the current instant (the entry scheduled now joins mid-way)."""
    result = takeover.release(
        session, slug=slug, reason=body.reason, actor=actor, slate_stored=slate_probe(store)
    )
    return _action(result)


@router.post("/channels/{slug}/pull", response_model=OnAirActionPublic)
def pull(
    slug: SlugPath, body: PullIn, session: SessionDep, store: StoreDep, actor: EditorActor
) -> OnAirActionPublic:
    """Pull the programme on air off the air now: filler from the next unpublished boundary."""
    result = withdrawal.pull(
        session,
        slug=slug,
        programme_id=body.programme_id,
        reason=body.reason,
        actor=actor,
        slate_stored=slate_probe(store),
    )
    return _action(result)
