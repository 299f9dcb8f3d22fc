"""The signed-in person's own account: who they are, their sessions, and enrolling their second factor.

Enrolment and `me` take any live session, including one limited to enrolment (a new admin's first
sign-in); the session list needs a full one.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from channel.auth import mfa, sessions
from channel.auth.deps import (
    AccountPolicyDep,
    CurrentActor,
    CurrentSession,
    CurrentUser,
    LoginLimitsDep,
)
from channel.auth.errors import AuthRoute
from channel.auth.schemas import CodeIn, EnrolmentOut, MeOut, RecoveryCodesOut, SessionOut, UserPublic
from channel.deps import NowDep, RequestIdDep, SessionDep

__all__ = ["router"]

router = APIRouter(tags=["accounts"], route_class=AuthRoute)


@router.get("/auth/me", response_model=MeOut)
def get_me(auth: CurrentSession, session: SessionDep, policy: AccountPolicyDep) -> MeOut:
    """The signed-in user, their second factor and this session (also while it may only enrol)."""
    status = mfa.mfa_status(session, user=auth.user, policy=policy)
    return MeOut(
        **UserPublic.model_validate(auth.user).model_dump(),
        mfa_required=status.required,
        recovery_codes_left=status.recovery_codes_left,
        session_id=auth.session.id,
        session_scope=auth.scope,
    )


@router.get("/auth/sessions", response_model=list[SessionOut])
def get_sessions(
    auth: CurrentSession, _user: CurrentUser, session: SessionDep, policy: AccountPolicyDep, now: NowDep
) -> list[SessionOut]:
    """One's own sessions that still work, most recently used first."""
    return [
        SessionOut(
            id=row.id,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            idle_expires_at=sessions.idle_deadline(row, policy=policy),
            client_address=row.client_address,
            user_agent=row.user_agent,
            factors=row.factors,
            scope=row.scope,
            current=row.id == auth.session.id,
        )
        for row in sessions.live_sessions(session, user_id=auth.user.id, policy=policy, now=now)
    ]


@router.delete("/auth/sessions/{session_id}", status_code=204, response_class=Response)
def delete_session(session_id: uuid.UUID, actor: CurrentActor, session: SessionDep) -> Response:
    """End one of one's own sessions (another device); audited."""
    sessions.revoke_own_session(session, actor=actor, session_id=session_id)
    return Response(status_code=204)


@router.post("/auth/mfa/enrolment", response_model=EnrolmentOut)
def post_enrolment(
    auth: CurrentSession, session: SessionDep, policy: AccountPolicyDep, now: NowDep
) -> EnrolmentOut:
    """Start enrolling an authenticator app: a new secret as an otpauth URI and its QR code (until
    confirmed, starting again replaces it)."""
    enrolment = mfa.start_enrolment(session, user=auth.user, policy=policy, now=now)
    return EnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.uri, qr_svg=enrolment.qr_svg)


@router.post("/auth/mfa/enrolment/confirm", response_model=RecoveryCodesOut)
def post_enrolment_confirm(
    body: CodeIn,
    auth: CurrentSession,
    session: SessionDep,
    policy: AccountPolicyDep,
    limits: LoginLimitsDep,
    now: NowDep,
    request_id: RequestIdDep,
) -> RecoveryCodesOut:
    """Confirm with the first code the app shows: the second factor is on, this session becomes a full
    one, the other sessions end, and ten one-time recovery codes are returned (shown only now)."""
    codes = mfa.confirm_enrolment(
        session, auth=auth, code=body.code, policy=policy, limits=limits, now=now, request_id=request_id
    )
    return RecoveryCodesOut(recovery_codes=codes)
