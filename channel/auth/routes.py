"""Account endpoints: login and logout for everyone with an account, user management for admins."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from channel import audit
from channel.auth.deps import AdminUser, CurrentUser, bearer_token
from channel.auth.schemas import LoginIn, TokenOut, UserCreate, UserPublic, UserUpdate
from channel.auth.service import AuthError, create_user, login, revoke, revoke_all
from channel.deps import RequestIdDep, SessionDep, SettingsDep
from channel.models import User
from channel.security import RateLimiter, hash_password

__all__ = ["PER_USERNAME_FACTOR", "router"]

router = APIRouter(prefix="/api", tags=["accounts"])


#: attempts per minute on one account, from any number of clients, as a multiple of the per-client limit
PER_USERNAME_FACTOR = 3
_TOO_MANY = {
    "code": "too_many_logins",
    "message": "Đăng nhập quá nhiều lần, hãy thử lại sau / Too many login attempts",
}


def _limiter(request: Request, name: str, per_minute: int) -> RateLimiter:
    limiter: RateLimiter | None = getattr(request.app.state, name, None)
    if limiter is None:
        limiter = RateLimiter(limit=per_minute, window_seconds=60)
        setattr(request.app.state, name, limiter)
    return limiter


def _check_login_rate(request: Request, *, username: str, per_minute: int) -> None:
    """429 past `per_minute` attempts from one client, or past a few times that on one username from any
    number of clients (bounds distributed guessing of one account's password)."""
    client = request.client.host if request.client else "unknown"
    now = time.monotonic()
    wait = _limiter(request, "login_limiter", per_minute).hit(client, now=now)
    if wait is None:
        per_username = per_minute * PER_USERNAME_FACTOR
        wait = _limiter(request, "login_user_limiter", per_username).hit(username.casefold(), now=now)
    if wait is not None:
        raise HTTPException(429, detail=_TOO_MANY, headers={"Retry-After": str(int(wait) + 1)})


def _refuse(exc: AuthError, status: int) -> HTTPException:
    return HTTPException(status, detail={"code": exc.code, "message": exc.message})


@router.post("/auth/login", response_model=TokenOut)
def post_login(body: LoginIn, request: Request, session: SessionDep, settings: SettingsDep) -> TokenOut:
    """Exchange a username and password for a bearer token (rate limited per client and per username)."""
    _check_login_rate(request, username=body.username, per_minute=settings.login_rate_per_minute)
    try:
        result = login(
            session,
            username=body.username,
            password=body.password,
            secret_key=settings.secret_key,
            now=datetime.now(UTC),
            ttl_seconds=settings.token_ttl_seconds,
        )
    except AuthError as exc:
        raise _refuse(exc, 401) from None
    session.commit()
    return TokenOut(
        access_token=result.token.plain,
        expires_at=result.token.expires_at,
        user=UserPublic.model_validate(result.user),
    )


@router.post("/auth/logout", status_code=204, response_class=Response)
def post_logout(request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Revoke the token used for this request."""
    token = bearer_token(request)
    if token is not None:
        revoke(session, token=token, secret_key=settings.secret_key, now=datetime.now(UTC))
        session.commit()
    return Response(status_code=204)


@router.get("/auth/me", response_model=UserPublic)
def get_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.get("/users", response_model=list[UserPublic])
def list_users(_admin: AdminUser, session: SessionDep) -> list[UserPublic]:
    return [UserPublic.model_validate(u) for u in session.scalars(select(User).order_by(User.username))]


@router.post("/users", response_model=UserPublic, status_code=201)
def post_user(
    body: UserCreate, admin: AdminUser, session: SessionDep, request_id: RequestIdDep
) -> UserPublic:
    try:
        user = create_user(
            session,
            username=body.username,
            password=body.password,
            role=body.role,
            display_name=body.display_name,
        )
    except AuthError as exc:
        raise _refuse(exc, 409 if exc.code == "username_taken" else 422) from None
    audit.record(
        session,
        actor_id=admin.id,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        changes={"username": user.username, "role": user.role.value},
        request_id=request_id,
    )
    session.commit()
    return UserPublic.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserPublic)
def patch_user(
    user_id: uuid.UUID, body: UserUpdate, admin: AdminUser, session: SessionDep, request_id: RequestIdDep
) -> UserPublic:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404)
    before = {"display_name": user.display_name, "role": user.role.value, "active": user.active}
    if body.display_name is not None:
        user.display_name = body.display_name
    if body.role is not None:
        user.role = body.role
    if body.active is not None:
        user.active = body.active
    if body.password is not None:
        user.password_hash = hash_password(body.password)
    if body.password is not None or body.active is False:
        revoke_all(session, user=user, now=datetime.now(UTC))
    after = {"display_name": user.display_name, "role": user.role.value, "active": user.active}
    changes = audit.diff(before, after) | ({"password": "changed"} if body.password is not None else {})
    audit.record(
        session,
        actor_id=admin.id,
        action="user.update",
        entity_type="user",
        entity_id=user.id,
        changes=changes,
        request_id=request_id,
    )
    session.commit()
    return UserPublic.model_validate(user)
