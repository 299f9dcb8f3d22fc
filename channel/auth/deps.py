"""Dependencies that turn a bearer token into a session and a user, and refuse the wrong role (401 vs 403).

`current_session` admits any live session, including one limited to enrolling a second factor;
`current_user`, and everything built on it, admits only full sessions, so a route is closed to a
half-signed-in account unless it asks for `CurrentSession` itself (only the enrolment routes do).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from channel.audit import Actor
from channel.auth.policy import AccountPolicy
from channel.auth.sessions import Authenticated, ClientInfo, authenticate
from channel.auth.throttle import LoginLimits
from channel.deps import ClientAddressDep, NowDep, RequestIdDep, SessionDep, StateDep
from channel.models import Role, SessionScope, User
from channel.state import StateKey

__all__ = [
    "ACCOUNT_POLICY",
    "LOGIN_LIMITS",
    "AccountPolicyDep",
    "AdminActor",
    "AdminUser",
    "ClientInfoDep",
    "CurrentActor",
    "CurrentSession",
    "CurrentUser",
    "EditorActor",
    "EditorUser",
    "LoginLimitsDep",
    "OptionalUser",
    "ProducerActor",
    "ProducerUser",
    "SchedulerActor",
    "SchedulerUser",
    "admin_actor",
    "bearer_token",
    "current_actor",
    "current_session",
    "current_user",
    "editor_actor",
    "forbidden",
    "optional_user",
    "producer_actor",
    "require_roles",
    "scheduler_actor",
]

_UNAUTHENTICATED = {
    "code": "not_authenticated",
    "message": "Cần đăng nhập (Authorization: Bearer <token>) / Authentication required",
}
_ENROL_FIRST = {
    "code": "mfa_enrolment_required",
    "message": "Cần đăng ký xác thực hai lớp (ứng dụng xác thực) trước khi làm việc"
    " / Set up two-factor sign-in (an authenticator app) before anything else",
}


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


#: the API's account policy (MFA roles, session lifetimes) in its `AppState`
ACCOUNT_POLICY: StateKey[AccountPolicy] = StateKey("account_policy", AccountPolicy)


def get_account_policy(state: StateDep) -> AccountPolicy:
    return state.part(ACCOUNT_POLICY)


AccountPolicyDep = Annotated[AccountPolicy, Depends(get_account_policy)]


def _authenticated(
    request: Request, session: SessionDep, policy: AccountPolicyDep, now: NowDep
) -> Authenticated | None:
    token = bearer_token(request)
    if token is None:
        return None
    return authenticate(session, token=token, policy=policy, now=now)


def current_session(auth: Annotated[Authenticated | None, Depends(_authenticated)]) -> Authenticated:
    """Any live session (401 otherwise), even one that may only enrol a second factor."""
    if auth is None:
        raise HTTPException(401, detail=_UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return auth


def optional_user(auth: Annotated[Authenticated | None, Depends(_authenticated)]) -> User | None:
    """The user of a full session, or None (no token, a dead one, or one limited to enrolment)."""
    return auth.user if auth is not None and auth.scope is SessionScope.FULL else None


def current_user(auth: Annotated[Authenticated, Depends(current_session)]) -> User:
    """The user of a full session: 401 without a live one, 403 while a second factor must be enrolled."""
    if auth.scope is not SessionScope.FULL:
        raise HTTPException(403, detail=_ENROL_FIRST)
    return auth.user


def forbidden(message: str) -> HTTPException:
    """The 403 of a signed-in user whose roles may not do this (`message`: "vi / en")."""
    return HTTPException(403, detail={"code": "forbidden", "message": message})


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting users holding any of the given roles (admins always pass)."""
    allowed = {Role.ADMIN, *roles}

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if not user.roles & allowed:
            raise forbidden("Tài khoản không có quyền thực hiện thao tác này / Your role may not do this")
        return user

    return check


#: the API's login rate limits in its `AppState`
LOGIN_LIMITS: StateKey[LoginLimits] = StateKey("login_limits", LoginLimits)


def get_login_limits(state: StateDep) -> LoginLimits:
    return state.part(LOGIN_LIMITS)


def get_client_info(request: Request, address: ClientAddressDep) -> ClientInfo:
    """The client's address (through trusted proxies only) and user agent, as a session records them."""
    return ClientInfo(address=address, user_agent=request.headers.get("user-agent"))


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentSession = Annotated[Authenticated, Depends(current_session)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
ProducerUser = Annotated[User, Depends(require_roles(Role.PRODUCER))]
SchedulerUser = Annotated[User, Depends(require_roles(Role.SCHEDULER))]
EditorUser = Annotated[User, Depends(require_roles(Role.EDITOR))]


def _actor(user: User, request_id: str, now: datetime) -> Actor:
    return Actor(user_id=user.id, request_id=request_id, now=now, roles=user.roles)


# the acting user with the request id, the clock and their roles, one dependency per role alias above
def current_actor(user: CurrentUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return _actor(user, request_id, now)


def admin_actor(user: AdminUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return _actor(user, request_id, now)


def producer_actor(user: ProducerUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return _actor(user, request_id, now)


def scheduler_actor(user: SchedulerUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return _actor(user, request_id, now)


def editor_actor(user: EditorUser, request_id: RequestIdDep, now: NowDep) -> Actor:
    return _actor(user, request_id, now)


CurrentActor = Annotated[Actor, Depends(current_actor)]
AdminActor = Annotated[Actor, Depends(admin_actor)]
ProducerActor = Annotated[Actor, Depends(producer_actor)]
SchedulerActor = Annotated[Actor, Depends(scheduler_actor)]
EditorActor = Annotated[Actor, Depends(editor_actor)]
LoginLimitsDep = Annotated[LoginLimits, Depends(get_login_limits)]
ClientInfoDep = Annotated[ClientInfo, Depends(get_client_info)]
