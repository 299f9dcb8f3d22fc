"""Public programme metadata as JSON, answered from the last known data while the database is down."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from channel.deps import SessionDep
from channel.library.errors import NotFound
from channel.library.schemas import PublicProgramme
from channel.web.data import PublicProgrammes, known_programme
from channel.web.lastknown import DatabaseUnavailable
from channel.web.public_lean import PUBLIC_CACHE

__all__ = ["UNAVAILABLE", "PublicProgrammesDep", "get_public_programmes", "router"]

UNAVAILABLE = {
    "code": "temporarily_unavailable",
    "message": "Dữ liệu tạm thời không truy cập được, hãy thử lại sau ít phút"
    " / The data is temporarily unavailable; try again in a few minutes",
}


def get_public_programmes(request: Request) -> PublicProgrammes:
    known: PublicProgrammes = request.app.state.public_programmes
    return known


PublicProgrammesDep = Annotated[PublicProgrammes, Depends(get_public_programmes)]

router = APIRouter(prefix="/api", tags=["library"])


@router.get("/public/programmes/{programme_id}")
def public_programme(
    programme_id: uuid.UUID, session: SessionDep, known: PublicProgrammesDep, response: Response
) -> PublicProgramme:
    """A ready programme's page for viewers (anonymous): metadata and media URLs only."""
    try:
        programme = known_programme(session, known, programme_id)
    except NotFound as exc:
        raise HTTPException(exc.status, detail=exc.detail()) from None
    except DatabaseUnavailable:
        raise HTTPException(503, detail=UNAVAILABLE, headers={"Retry-After": "10"}) from None
    response.headers["Cache-Control"] = PUBLIC_CACHE  # as the lean answer (channel/web/public_lean.py)
    return programme
