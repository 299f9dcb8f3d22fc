"""Signing in: a password, then (for an enrolled account) a code; each step one call that commits once.

After the password, an account with a second factor gets a challenge (not a session) to trade for a
session with a code; an account whose roles require a second factor it does not have yet gets a
session that reaches nothing but enrolment; anyone else gets a full session.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from channel import audit
from channel.auth.errors import AuthError
from channel.auth.mfa import FACTOR_RECOVERY, check_second_factor, throttle_codes
from channel.auth.policy import AccountPolicy
from channel.auth.service import check_password, normalise_username
from channel.auth.sessions import Authenticated, ClientInfo, open_session
from channel.auth.throttle import LoginLimits
from channel.models import SessionScope, User
from channel.security import IssuedToken
from channel.security.challenge import Challenge, issue_challenge, read_challenge

__all__ = ["SecondFactorNeeded", "SignedIn", "complete_sign_in", "sign_in", "sign_out"]

_security_log = logging.getLogger("legaltv.security")


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: IssuedToken
    scope: SessionScope


@dataclass(frozen=True, slots=True)
class SecondFactorNeeded:
    user: User
    challenge: Challenge


def _limited(limits: LoginLimits, *, client: str, username: str, now: datetime) -> None:
    wait = limits.check(client=client, username=username, now=now.timestamp())
    if wait is not None:
        _security_log.warning("login refused: rate limited", extra={"username": username, "client": client})
        raise AuthError(
            "too_many_logins",
            "Đăng nhập quá nhiều lần, hãy thử lại sau / Too many login attempts",
            status=429,
            headers={"Retry-After": str(int(wait) + 1)},
        )


def sign_in(
    db: Session,
    *,
    limits: LoginLimits,
    policy: AccountPolicy,
    client: ClientInfo,
    username: str,
    password: str,
    now: datetime,
) -> SignedIn | SecondFactorNeeded:
    """The first step: counted against the limits (429), the password checked (401), then what follows."""
    name = normalise_username(username)
    address = client.address or "unknown"
    _limited(limits, client=address, username=name, now=now)
    try:
        user = check_password(db, username=name, password=password)
    except AuthError:
        _security_log.warning("login failed", extra={"username": name, "client": address})
        raise
    if user.mfa_enrolled:
        challenge = issue_challenge(
            user_id=user.id, password_hash=user.password_hash, key=policy.keys.challenge, now=now
        )
        _security_log.info(
            "login: password accepted, code asked", extra={"username": name, "client": address}
        )
        return SecondFactorNeeded(user=user, challenge=challenge)
    scope = SessionScope.MFA_ENROLMENT if policy.mfa_required(user) else SessionScope.FULL
    log = {"username": name, "client": address, "scope": scope.value}
    return _signed_in(db, user=user, policy=policy, client=client, now=now, scope=scope, log=log)


def _signed_in(
    db: Session,
    *,
    user: User,
    policy: AccountPolicy,
    client: ClientInfo,
    now: datetime,
    scope: SessionScope = SessionScope.FULL,
    factors: str = "password",
    log: Mapping[str, str | None],
) -> SignedIn:
    """Open the session either sign-in step ends with, commit, and log the login (``log``: what the
    step knows of who and where)."""
    token = open_session(
        db,
        user=user,
        secret_key=policy.keys.token,
        now=now,
        ttl_seconds=int(policy.session_absolute.total_seconds()),
        scope=scope,
        factors=factors,
        client=client,
    )
    db.commit()
    _security_log.info("login", extra={**log, "user_id": str(user.id)})
    return SignedIn(user=user, token=token, scope=scope)


_EXPIRED = (
    "Phiên đăng nhập đã hết hạn, hãy nhập lại mật khẩu / The sign-in has expired; enter your password again"
)


def complete_sign_in(
    db: Session,
    *,
    limits: LoginLimits,
    policy: AccountPolicy,
    client: ClientInfo,
    challenge: str,
    code: str,
    now: datetime,
    request_id: str | None,
) -> SignedIn:
    """The second step: a live challenge (401), the account's code limits (429), then the code (401)."""
    claims = read_challenge(challenge, key=policy.keys.challenge, now=now)
    if claims is None:
        raise AuthError("mfa_challenge_invalid", _EXPIRED, status=401)
    throttle_codes(limits, user_id=claims.user_id, now=now)
    user = db.get(User, claims.user_id)
    if user is None or not user.active or not claims.issued_under(user.password_hash):
        raise AuthError("mfa_challenge_invalid", _EXPIRED, status=401)
    try:
        factor = check_second_factor(db, user=user, code=code, policy=policy, now=now)
    except AuthError:
        _security_log.warning(
            "second factor failed", extra={"username": user.username, "client": client.address}
        )
        raise
    if factor == FACTOR_RECOVERY:
        audit.record(
            db,
            actor_id=user.id,
            action="user.mfa_recovery_code_used",
            entity_type="user",
            entity_id=user.id,
            request_id=request_id,
        )
    log = {"username": user.username, "client": client.address, "factors": factor}
    return _signed_in(db, user=user, policy=policy, client=client, now=now, factors=factor, log=log)


def sign_out(db: Session, *, auth: Authenticated, now: datetime) -> None:
    """Logout: the session used for the request stops working at once."""
    if auth.session.revoked_at is None:
        auth.session.revoked_at, auth.session.revoked_reason = now, "logout"
    db.commit()
