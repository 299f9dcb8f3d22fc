"""Dependencies of the library routes: the owner-or-admin check."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from channel.auth import ProducerUser
from channel.deps import SessionDep
from channel.library.errors import Forbidden
from channel.library.service import get_programme
from channel.models import Programme, Role, User

__all__ = ["OwnedProgramme", "check_owner", "owned_programme"]


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


OwnedProgramme = Annotated[Programme, Depends(owned_programme)]
