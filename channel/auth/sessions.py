"""Sessions: a bearer token that ends at an absolute lifetime, after an idle timeout, or when revoked.

The database row is the session, so every replica sees the same state. "Last used" is written at
most once per `session_touch` (a conditional UPDATE: whichever replica gets there first writes, the
others match no row), so a busy console costs one small write a minute, not one per request; the idle
check reads that value, so a session may end up to `session_touch` early, never late.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channel import audit
from channel.audit import Actor
from channel.auth.errors import AuthError
from channel.auth.policy import AccountPolicy
from channel.models import ApiToken, SessionScope, User
from channel.security import IssuedToken, hash_token, new_token

__all__ = [
    "ENROLMENT_SESSION_SECONDS",
    "Authenticated",
    "ClientInfo",
    "RevokeReason",
    "authenticate",
    "idle_deadline",
    "live_sessions",
    "open_session",
    "revoke_own_session",
    "revoke_sessions",
]

#: a session that may only enrol a second factor lives this long at most
ENROLMENT_SESSION_SECONDS: Final = 15 * 60
USER_AGENT_LENGTH: Final = 200
RevokeReason = Literal[
    "logout",
    "revoked",
    "password_change",
    "role_change",
    "mfa_reset",
    "mfa_enrolled",
    "deactivated",
    "idle_timeout",
    "expired",
]
_security_log = logging.getLogger("legaltv.security")


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Where a sign-in comes from, as recorded on its session (the user agent truncated)."""

    address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A live session and its user."""

    user: User
    session: ApiToken

    @property
    def scope(self) -> SessionScope:
        return self.session.scope


def open_session(
    db: Session,
    *,
    user: User,
    secret_key: str,
    now: datetime,
    ttl_seconds: int,
    scope: SessionScope = SessionScope.FULL,
    factors: str = "password",
    client: ClientInfo = ClientInfo(),
) -> IssuedToken:
    """A new session for `user` (flushed, not committed); the plain token is returned once, never stored."""
    if scope is SessionScope.MFA_ENROLMENT:
        ttl_seconds = min(ttl_seconds, ENROLMENT_SESSION_SECONDS)
    token = new_token(secret_key=secret_key, now=now, ttl_seconds=ttl_seconds)
    agent = client.user_agent[:USER_AGENT_LENGTH] if client.user_agent else None
    address = client.address[:64] if client.address else None
    db.add(
        ApiToken(
            token_hash=token.digest,
            user_id=user.id,
            created_at=now,
            expires_at=token.expires_at,
            last_used_at=now,
            scope=scope,
            factors=factors,
            client_address=address,
            user_agent=agent,
        )
    )
    db.flush()
    return token


def _ended(row: ApiToken, *, policy: AccountPolicy, now: datetime) -> RevokeReason | None:
    """Why a session that was never revoked has ended by now (None: it is live)."""
    if now >= row.expires_at:
        return "expired"
    if now >= row.last_used_at + policy.session_idle:
        return "idle_timeout"
    return None


def authenticate(db: Session, *, token: str, policy: AccountPolicy, now: datetime) -> Authenticated | None:
    """The live session `token` opens, and its active user; None otherwise. Records the use (throttled).

    A session found past its idle timeout or lifetime is marked revoked there and then, so it stays dead
    for every replica whatever their clocks say later.
    """
    digest = hash_token(token, secret_key=policy.keys.token)
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or row.revoked_at is not None:
        return None
    ended = _ended(row, policy=policy, now=now)
    if ended is not None:
        row.revoked_at, row.revoked_reason = now, ended
        db.commit()
        return None
    if not row.user.active:
        return None
    if now - row.last_used_at >= policy.session_touch:
        db.execute(
            update(ApiToken)
            .where(ApiToken.id == row.id, ApiToken.last_used_at <= now - policy.session_touch)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        row.last_used_at = max(row.last_used_at, now)
    return Authenticated(user=row.user, session=row)


def revoke_sessions(
    db: Session, *, user_id: uuid.UUID, now: datetime, reason: RevokeReason, keep: uuid.UUID | None = None
) -> int:
    """Revoke every session of a user (but `keep`); how many were open."""
    query = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if keep is not None:
        query = query.where(ApiToken.id != keep)
    result = db.execute(
        query.values(revoked_at=now, revoked_reason=reason).execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        _security_log.info(
            "sessions revoked", extra={"user_id": str(user_id), "reason": reason, "sessions": count}
        )
    return count


def live_sessions(
    db: Session, *, user_id: uuid.UUID, policy: AccountPolicy, now: datetime
) -> Sequence[ApiToken]:
    """The user's sessions that still work, most recently used first."""
    return db.scalars(
        select(ApiToken)
        .where(
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            ApiToken.last_used_at > now - policy.session_idle,
        )
        .order_by(ApiToken.last_used_at.desc(), ApiToken.created_at.desc())
    ).all()


def idle_deadline(row: ApiToken, *, policy: AccountPolicy) -> datetime:
    """When the session ends if it is not used again (never after its absolute end)."""
    return min(row.last_used_at + policy.session_idle, row.expires_at)


def revoke_own_session(db: Session, *, actor: Actor, session_id: uuid.UUID) -> None:
    """A user ends one of their own sessions (audited); another user's session is not found."""
    row = db.get(ApiToken, session_id)
    if row is None or row.user_id != actor.user_id:
        raise AuthError("not_found", "Không tìm thấy phiên đăng nhập / Session not found", status=404)
    if row.revoked_at is None:
        row.revoked_at, row.revoked_reason = actor.now, "revoked"
        audit.record_by(
            db,
            actor,
            "user.session_revoke",
            entity_type="user",
            entity_id=row.user_id,
            changes={"session_id": str(row.id)},
        )
    db.commit()
