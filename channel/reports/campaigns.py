"""Campaigns: create, list and delete them (audited), and what each did within a report's period:
hours planned and aired of its programmes, and how long they were watched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from channel import audit
from channel.models import Campaign, Programme

__all__ = [
    "CampaignError",
    "CampaignFigure",
    "create_campaign",
    "delete_campaign",
    "list_campaigns",
    "overlapping",
]


class CampaignError(ValueError):
    """A refused campaign, with a stable code and a bilingual message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True, slots=True)
class CampaignFigure:
    """One campaign within a report's period (its days clipped to the period)."""

    campaign_id: str
    name: str
    theme: str
    first: date
    last: date
    programmes: int
    planned_s: float
    aired_s: float
    watch_ms: int
    viewers: int


def list_campaigns(session: Session) -> list[Campaign]:
    """Every campaign, the latest first, with its programmes."""
    query = select(Campaign).options(selectinload(Campaign.programmes)).order_by(Campaign.starts_on.desc())
    return list(session.scalars(query))


def overlapping(session: Session, first: date, last: date) -> list[Campaign]:
    """The campaigns running on any day of `first`..`last`."""
    query = (
        select(Campaign)
        .where(Campaign.starts_on <= last, Campaign.ends_on >= first)
        .options(selectinload(Campaign.programmes))
        .order_by(Campaign.starts_on, Campaign.name)
    )
    return list(session.scalars(query))


def create_campaign(
    session: Session,
    *,
    name: str,
    theme: str,
    starts_on: date,
    ends_on: date,
    programme_ids: list[uuid.UUID],
    actor_id: uuid.UUID,
    request_id: str | None,
) -> Campaign:
    """A new campaign over existing programmes; committed and audited."""
    if ends_on < starts_on:
        raise CampaignError(
            422, "campaign_dates", "Ngày kết thúc trước ngày bắt đầu / The campaign ends before it starts"
        )
    programmes = list(session.scalars(select(Programme).where(Programme.id.in_(programme_ids))))
    if len(programmes) != len(set(programme_ids)):
        raise CampaignError(422, "campaign_programmes", "Có chương trình không tồn tại / Unknown programme")
    campaign = Campaign(name=name, theme=theme, starts_on=starts_on, ends_on=ends_on, programmes=programmes)
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="campaign.create",
        entity_type="campaign",
        entity_id=campaign.id,
        changes=audit.diff(
            {},
            {
                "name": name,
                "theme": theme,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "programmes": sorted(str(p.id) for p in programmes),
            },
        ),
        request_id=request_id,
    )
    session.commit()
    return campaign


def delete_campaign(
    session: Session, campaign_id: uuid.UUID, *, actor_id: uuid.UUID, request_id: str | None
) -> None:
    """Delete a campaign (its programmes stay); committed and audited."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(404, "not_found", "Không tìm thấy chiến dịch / Campaign not found")
    audit.record(
        session,
        actor_id=actor_id,
        action="campaign.delete",
        entity_type="campaign",
        entity_id=campaign.id,
        changes=audit.diff({"name": campaign.name}, {}),
        request_id=request_id,
    )
    session.delete(campaign)
    session.commit()
