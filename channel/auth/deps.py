"""Dependencies that turn a bearer token into a user and refuse the wrong role (401 vs 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from channel.audit import Actor
from channel.auth.service import authenticate
from channel.auth.throttle import LoginLimits
from channel.deps import NowDep, RequestIdDep, SessionDep, SettingsDep
from channel.models import Role, User

__all__ = [
    "AdminActor",
    "AdminUser",
    "CurrentActor",
    "CurrentUser",
    "LoginLimitsDep",
    "OptionalUser",
    "ProducerActor",
    "ProducerUser",
    "SchedulerActor",
    "SchedulerUser",
    "admin_actor",
    "bearer_token",
    "current_actor",
    "current_user",
    "optional_user",
    "producer_actor",
    "require_roles",
    "scheduler_actor",
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


def optional_user(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep) -> User | None:
    token = bearer_token(request)
    if token is None:
        return None
    return authenticate(session, token=token, secret_key=settings.secret_key, now=now)


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


def get_login_limits(request: Request) -> LoginLimits:
    limits: LoginLimits = request.app.state.login_limits
    return limits


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
ProducerUser = Annotated[User, Depends(require_roles(Role.PRODUCER))]
SchedulerUser = Annotated[User, Depends(require_roles(Role.SCHEDULER))]


# the acting user with the request id and the clock, one dependency per role alias above
def current_actor(user: CurrentUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return Actor(user_id=user.id, request_id=request_id, now=now)


def admin_actor(user: AdminUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return Actor(user_id=user.id, request_id=request_id, now=now)


def producer_actor(user: ProducerUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return Actor(user_id=user.id, request_id=request_id, now=now)


def scheduler_actor(user: SchedulerUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return Actor(user_id=user.id, request_id=request_id, now=now)


CurrentActor = Annotated[Actor, Depends(current_actor)]
AdminActor = Annotated[Actor, Depends(admin_actor)]
ProducerActor = Annotated[Actor, Depends(producer_actor)]
SchedulerActor = Annotated[Actor, Depends(scheduler_actor)]
LoginLimitsDep = Annotated[LoginLimits, Depends(get_login_limits)]
