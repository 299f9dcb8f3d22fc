"""Account endpoints: login and logout for everyone with an account, user management for admins.

Each route parses, calls one function of `channel.auth.service`, and returns a schema; `AuthRoute`
turns the service's `AuthError` into the error envelope.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.routing import APIRoute

from channel.auth import service
from channel.auth.deps import AdminActor, AdminUser, CurrentUser, LoginLimitsDep, bearer_token
from channel.auth.schemas import LoginIn, TokenOut, UserCreate, UserPublic, UserUpdate
from channel.deps import ClientAddressDep, NowDep, SessionDep, SettingsDep

__all__ = ["AuthRoute", "router"]


class AuthRoute(APIRoute):
    """An APIRoute whose handler maps `AuthError` to an HTTPException (rendered by the app's handlers)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except service.AuthError as exc:
                detail = {"code": exc.code, "message": exc.message}
                raise HTTPException(exc.status, detail=detail, headers=exc.headers or None) from None

        return guarded


router = APIRouter(prefix="/api", tags=["accounts"], route_class=AuthRoute)


@router.post("/auth/login", response_model=TokenOut)
def post_login(
    body: LoginIn,
    client: ClientAddressDep,
    limits: LoginLimitsDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> TokenOut:
    """Exchange a username and password for a bearer token (rate limited per client and per username)."""
    result = service.sign_in(
        session,
        limits=limits,
        client=client,
        username=body.username,
        password=body.password,
        secret_key=settings.secret_key,
        now=now,
        ttl_seconds=settings.token_ttl_seconds,
    )
    return TokenOut(
        access_token=result.token.plain,
        expires_at=result.token.expires_at,
        user=UserPublic.model_validate(result.user),
    )


@router.post("/auth/logout", status_code=204, response_class=Response)
def post_logout(
    request: Request, _user: CurrentUser, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Revoke the token used for this request."""
    token = bearer_token(request)
    if token is not None:
        service.sign_out(session, token=token, secret_key=settings.secret_key, now=now)
    return Response(status_code=204)


@router.get("/auth/me", response_model=UserPublic)
def get_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.get("/users", response_model=list[UserPublic])
def list_users(_admin: AdminUser, session: SessionDep) -> list[UserPublic]:
    return [UserPublic.model_validate(user) for user in service.list_users(session)]


@router.post("/users", response_model=UserPublic, status_code=201)
def post_user(body: UserCreate, actor: AdminActor, session: SessionDep) -> UserPublic:
    """Create an account (the password must pass the policy: length, not common or breached, not the name)."""
    user = service.add_user(
        session,
        actor=actor,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
    )
    return UserPublic.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserPublic)
def patch_user(user_id: uuid.UUID, body: UserUpdate, actor: AdminActor, session: SessionDep) -> UserPublic:
    """Change an account; a new password or a deactivation signs it out everywhere."""
    changes = service.UserChanges(
        display_name=body.display_name, role=body.role, active=body.active, password=body.password
    )
    return UserPublic.model_validate(
        service.change_user(session, actor=actor, user_id=user_id, changes=changes)
    )
