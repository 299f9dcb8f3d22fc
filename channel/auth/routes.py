"""Account endpoints: signing in (password, then a code) and out for everyone, user management for admins.

Each route parses, calls one function of `channel.auth` (`signin`, `service`, `mfa`), and returns a
schema; `AuthRoute` turns their `AuthError` into the error envelope. The signed-in user's own account
(profile, sessions, second factor) is in `channel.auth.account_routes`.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from channel.auth import mfa, service, signin
from channel.auth.account_routes import router as account_router
from channel.auth.deps import (
    AccountPolicyDep,
    AdminActor,
    AdminUser,
    ClientInfoDep,
    CurrentSession,
    LoginLimitsDep,
)
from channel.auth.errors import AuthRoute
from channel.auth.schemas import (
    CodeNeededOut,
    LoginIn,
    LoginOut,
    SecondStepIn,
    TokenOut,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from channel.deps import NowDep, RequestIdDep, SessionDep

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["accounts"], route_class=AuthRoute)


def _token_out(result: signin.SignedIn) -> TokenOut:
    return TokenOut(
        access_token=result.token.plain,
        expires_at=result.token.expires_at,
        scope=result.scope,
        user=UserPublic.model_validate(result.user),
    )


@router.post("/auth/login", response_model=LoginOut)
def post_login(
    body: LoginIn,
    client: ClientInfoDep,
    limits: LoginLimitsDep,
    session: SessionDep,
    policy: AccountPolicyDep,
    now: NowDep,
) -> TokenOut | CodeNeededOut:
    """Step one: the password (rate limited per client and per username). An account with a second factor
    gets `step: mfa_required` and a challenge for step two; one that must enrol a second factor first gets
    a session limited to that (`scope: mfa_enrolment`); anyone else a session."""
    result = signin.sign_in(
        session,
        limits=limits,
        policy=policy,
        client=client,
        username=body.username,
        password=body.password,
        now=now,
    )
    if isinstance(result, signin.SecondFactorNeeded):
        return CodeNeededOut(challenge=result.challenge.token, expires_at=result.challenge.expires_at)
    return _token_out(result)


@router.post("/auth/login/mfa", response_model=TokenOut)
def post_login_code(
    body: SecondStepIn,
    client: ClientInfoDep,
    limits: LoginLimitsDep,
    session: SessionDep,
    policy: AccountPolicyDep,
    now: NowDep,
    request_id: RequestIdDep,
) -> TokenOut:
    """Step two: the challenge of step one and a code from the authenticator app, or a recovery code
    (each works once). Rate limited per account."""
    result = signin.complete_sign_in(
        session,
        limits=limits,
        policy=policy,
        client=client,
        challenge=body.challenge,
        code=body.code,
        now=now,
        request_id=request_id,
    )
    return _token_out(result)


@router.post("/auth/logout", status_code=204, response_class=Response)
def post_logout(auth: CurrentSession, session: SessionDep, now: NowDep) -> Response:
    """End the session used for this request."""
    signin.sign_out(session, auth=auth, now=now)
    return Response(status_code=204)


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
        roles=body.chosen_roles() or (),
        display_name=body.display_name,
    )
    return UserPublic.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserPublic)
def patch_user(user_id: uuid.UUID, body: UserUpdate, actor: AdminActor, session: SessionDep) -> UserPublic:
    """Change an account; a new password, other roles or a deactivation sign it out everywhere."""
    changes = service.UserChanges(
        display_name=body.display_name, roles=body.chosen_roles(), active=body.active, password=body.password
    )
    return UserPublic.model_validate(
        service.change_user(session, actor=actor, user_id=user_id, changes=changes)
    )


@router.post("/users/{user_id}/mfa/reset", response_model=UserPublic)
def post_mfa_reset(user_id: uuid.UUID, actor: AdminActor, session: SessionDep) -> UserPublic:
    """Remove another user's second factor (a lost phone): audited; every session of theirs ends, and
    they enrol again at their next sign-in if their role requires it."""
    return UserPublic.model_validate(mfa.reset_mfa(session, actor=actor, user_id=user_id))


router.include_router(account_router)
