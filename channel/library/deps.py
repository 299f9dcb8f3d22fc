"""Dependencies of the library routes: the Celery app for sending jobs, and the owner-or-admin check."""

from __future__ import annotations

import threading
import uuid
from typing import Annotated

from celery import Celery
from fastapi import Depends, Request

from channel.auth import ProducerUser
from channel.deps import SessionDep
from channel.library.errors import Forbidden
from channel.library.service import get_programme
from channel.models import Programme, Role, User

__all__ = ["CeleryDep", "OwnedProgramme", "celery_for", "check_owner", "get_celery", "owned_programme"]

_LOCK = threading.Lock()


def celery_for(state: object) -> Celery:
    """The Celery app of an API (`app.state`), built from its settings on first use."""
    celery: Celery | None = getattr(state, "celery", None)
    if celery is None:
        with _LOCK:
            celery = getattr(state, "celery", None)
            if celery is None:
                from channel.worker import create_celery

                celery = create_celery(getattr(state, "settings"))  # noqa: B009 - typed as object
                setattr(state, "celery", celery)  # noqa: B010
    return celery


def get_celery(request: Request) -> Celery:
    return celery_for(request.app.state)


def check_owner(programme: Programme, user: User) -> None:
    """Producers change only their own programmes; admins change any."""
    if not user.has_role(Role.ADMIN) and programme.owner_id != user.id:
        raise Forbidden(
            "not_owner",
            "Bạn chỉ được sửa chương trình của mình / You may only change your own programmes",
        )


def owned_programme(programme_id: uuid.UUID, user: ProducerUser, session: SessionDep) -> Programme:
    """The programme of the path, if the caller owns it or is an admin (403 otherwise, 404 if none)."""
    programme = get_programme(session, programme_id)
    check_owner(programme, user)
    return programme


CeleryDep = Annotated[Celery, Depends(get_celery)]
OwnedProgramme = Annotated[Programme, Depends(owned_programme)]
