"""Dependencies that turn a bearer token into a user and refuse the wrong role (401 vs 403)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from channel.auth.service import authenticate
from channel.deps import SessionDep, SettingsDep
from channel.models import Role, User

__all__ = [
    "AdminUser",
    "CurrentUser",
    "OptionalUser",
    "ProducerUser",
    "SchedulerUser",
    "bearer_token",
    "current_user",
    "optional_user",
    "require_roles",
]

_UNAUTHENTICATED = {
    "code": "not_authenticated",
    "message": "Cần đăng nhập (Authorization: Bearer <token>) / Authentication required",
}


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def optional_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    token = bearer_token(request)
    if token is None:
        return None
    return authenticate(session, token=token, secret_key=settings.secret_key, now=datetime.now(UTC))


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise HTTPException(401, detail=_UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return user


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting the given roles (admins always pass)."""
    allowed = {Role.ADMIN, *roles}

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in allowed:
            raise HTTPException(
                403,
                detail={
                    "code": "forbidden",
                    "message": "Tài khoản không có quyền thực hiện thao tác này / Your role may not do this",
                },
            )
        return user

    return check


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
ProducerUser = Annotated[User, Depends(require_roles(Role.PRODUCER))]
SchedulerUser = Annotated[User, Depends(require_roles(Role.SCHEDULER))]
