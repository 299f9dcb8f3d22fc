"""Campaigns over HTTP: list (report readers), create and delete (admins, editors, schedulers)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response

from channel.auth import require_roles
from channel.deps import RequestIdDep, SessionDep
from channel.models import Role, User
from channel.reports.campaigns import CampaignError, create_campaign, delete_campaign, list_campaigns
from channel.reports.present import campaign_out
from channel.reports.routes import Reader
from channel.reports.schemas import CampaignIn, CampaignOut

__all__ = ["router"]

router = APIRouter(prefix="/api/campaigns", tags=["reports"])

Organiser = Annotated[User, Depends(require_roles(Role.EDITOR, Role.SCHEDULER))]


def _refused(exc: CampaignError) -> HTTPException:
    return HTTPException(exc.status, detail={"code": exc.code, "message": exc.message})


@router.get("", response_model=list[CampaignOut])
def get_campaigns(session: SessionDep, _reader: Reader) -> list[CampaignOut]:
    """Every campaign (a theme and a period grouping programmes), the latest first."""
    return [campaign_out(c) for c in list_campaigns(session)]


@router.post("", response_model=CampaignOut, status_code=201)
def post_campaign(
    body: CampaignIn, session: SessionDep, user: Organiser, request_id: RequestIdDep
) -> CampaignOut:
    """A new campaign; reports show its programmes' airtime and audience within its days."""
    try:
        campaign = create_campaign(
            session,
            name=body.name,
            theme=body.theme,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            programme_ids=body.programme_ids,
            actor_id=user.id,
            request_id=request_id,
        )
    except CampaignError as exc:
        raise _refused(exc) from None
    return campaign_out(campaign)


@router.delete("/{campaign_id}", status_code=204)
def remove_campaign(
    campaign_id: uuid.UUID, session: SessionDep, user: Organiser, request_id: RequestIdDep
) -> Response:
    """Delete a campaign (its programmes and their figures stay)."""
    try:
        delete_campaign(session, campaign_id, actor_id=user.id, request_id=request_id)
    except CampaignError as exc:
        raise _refused(exc) from None
    return Response(status_code=204)
