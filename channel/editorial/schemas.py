"""Request and response bodies of the editorial API: reviews, withdrawals, takeovers and the on-air view."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "ApproveIn",
    "DecisionIn",
    "DecisionPublic",
    "OnAirActionPublic",
    "OnAirItemPublic",
    "OnAirPublic",
    "PullIn",
    "ReasonIn",
    "RejectIn",
    "ReviewPublic",
    "ReviewStatePublic",
    "TakeoverIn",
    "TakeoverPublic",
]

#: checked by the domain (a blank one gets a clear "a reason is required"), bounded here
Reason = Field(max_length=2000, description="why (required; audited, and shown to the producer)")


class ApproveIn(BaseModel):
    """Approve exactly the revision the editor watched (its fingerprint, as `ReviewPublic` gave it)."""

    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    note: str | None = Field(default=None, max_length=2000)


class RejectIn(BaseModel):
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    reason: str = Reason


class ReasonIn(BaseModel):
    reason: str = Reason


class DecisionIn(BaseModel):
    """An editor's decision on exactly the revision watched (its fingerprint): a rejection needs a note
    (the reason the scheduler reads), an approval may have one."""

    decision: Literal["approved", "rejected"]
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    note: str | None = Field(default=None, max_length=2000)


class TakeoverIn(BaseModel):
    """Take a channel over: its slate, or an approved emergency programme, until released."""

    source: Literal["slate", "programme"] = "slate"
    programme_id: uuid.UUID | None = None
    reason: str = Reason


class PullIn(BaseModel):
    """Pull the programme on air (the one the console shows) off the air."""

    programme_id: uuid.UUID
    reason: str = Reason


class DecisionPublic(BaseModel):
    """One decision on a revision, and the withdrawal that ended an approval."""

    id: uuid.UUID
    decision: Literal["approved", "rejected"]
    revision: int
    fingerprint: str
    reason: str
    decided_at: datetime
    decided_by: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawal_reason: str | None
    withdrawal_kind: Literal["withdrawn", "pulled"] | None


class ReviewPublic(BaseModel):
    """A programme's or live event's review: its current revision's facts, where it stands, what airs,
    the history."""

    subject_type: Literal["programme", "live_event"] = "programme"
    subject_id: uuid.UUID
    #: the subject's id when it is a programme (None for a live event)
    programme_id: uuid.UUID | None
    #: a live event's channel (its slug)
    channel: str | None = None
    title: str
    owner: str | None
    revision: int
    fingerprint: str
    state: Literal["not_ready", "pending", "approved", "rejected", "withdrawn"]
    facts: dict[str, Any]
    preview_url: str | None
    updated_at: datetime
    #: the approval on air (maybe of an older revision while this one waits)
    airing: DecisionPublic | None
    #: the latest decision on exactly this revision
    decision: DecisionPublic | None
    #: whether the caller may decide on it (an editor who is not one of its authors)
    you_may_review: bool
    history: list[DecisionPublic]


class ReviewStatePublic(BaseModel):
    """Where a programme stands in review, in one line (the producer's programme list)."""

    programme_id: uuid.UUID
    state: Literal["not_ready", "pending", "approved", "rejected", "withdrawn"]
    reason: str | None
    decided_by: str | None
    airing_revision: int | None


class OnAirActionPublic(BaseModel):
    """What an on-air action did and from when it airs (from the compiled timeline)."""

    effective_at: datetime | None
    versions: dict[str, int]
    takeover_id: uuid.UUID | None = None
    review_id: uuid.UUID | None = None


class TakeoverPublic(BaseModel):
    id: uuid.UUID
    source: Literal["slate", "programme"]
    programme_id: uuid.UUID | None
    programme_title: str | None
    reason: str
    started_at: datetime
    started_by: str | None
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


class OnAirItemPublic(BaseModel):
    kind: str
    title: str
    programme_id: str | None
    start: datetime
    end: datetime
    cause: str | None


class OnAirPublic(BaseModel):
    """A channel as the duty editor sees it."""

    slug: str
    name: str
    on_air: bool
    now: OnAirItemPublic | None
    at_edge: OnAirItemPublic | None
    takeover: TakeoverPublic | None
    takeovers: list[TakeoverPublic]
