"""Account rules: who exists, how a password becomes a token, when a token stops working.

Routes call one function each; the functions named for a whole operation (`sign_in`, `sign_out`,
`add_user`, `change_user`) check, change, audit and commit once. `create_user` and `login` are the
building blocks (flush only) that the CLI, the demo and tests use inside their own transactions.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channel import audit
from channel.audit import Actor
from channel.auth.throttle import LoginLimits
from channel.models import ApiToken, Role, User
from channel.security import IssuedToken, hash_password, hash_token, new_token, verify_password
from channel.security.password_policy import PasswordRefused, check_new_password

__all__ = [
    "USERNAME_PATTERN",
    "AuthError",
    "LoginResult",
    "UserChanges",
    "add_user",
    "authenticate",
    "change_user",
    "create_user",
    "list_users",
    "login",
    "normalise_username",
    "revoke",
    "revoke_all",
    "sign_in",
    "sign_out",
]

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
ENTITY_USER: Final = "user"
# verifying against a real hash when the user is unknown keeps the timing of both failures alike
_DUMMY_HASH = hash_password("timing-equaliser-password")
_security_log = logging.getLogger("legaltv.security")


class AuthError(Exception):
    """A refused account operation: HTTP status, stable `code`, bilingual message, extra headers."""

    def __init__(
        self, code: str, message: str, *, status: int = 422, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    token: IssuedToken


@dataclass(frozen=True, slots=True)
class UserChanges:
    """What an admin may change on an account; None leaves a field as it is."""

    display_name: str | None = None
    role: Role | None = None
    active: bool | None = None
    password: str | None = None


def normalise_username(text: str) -> str:
    """The one form of a username: stored, looked up at login, and counted by the login limits."""
    return text.strip().lower()


def _checked_password_hash(password: str, *, username: str, display_name: str = "") -> str:
    try:
        check_new_password(password, username=username, other_inputs=(display_name,))
    except PasswordRefused as exc:
        raise AuthError(exc.code, exc.message) from None
    return hash_password(password)


def create_user(
    session: Session, *, username: str, password: str, role: Role, display_name: str = ""
) -> User:
    """Add a user (flushed, not committed); usernames are lower-case ASCII handles, unique."""
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise AuthError(
            "invalid_username",
            "Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_' hoặc '-' (2–64 ký tự) / "
            "Username must be 2-64 lower-case letters, digits, '.', '_' or '-'",
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AuthError("username_taken", "Tên đăng nhập đã tồn tại / Username already exists", status=409)
    password_hash = _checked_password_hash(password, username=username, display_name=display_name)
    user = User(username=username, password_hash=password_hash, role=role, display_name=display_name)
    session.add(user)
    session.flush()
    return user


def login(
    session: Session,
    *,
    username: str,
    password: str,
    secret_key: str,
    now: datetime,
    ttl_seconds: int,
) -> LoginResult:
    """Check the password and issue a fresh token (flushed); the same error whether the user exists or not."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        raise AuthError(
            "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu / Wrong username or password", status=401
        )
    token = new_token(secret_key=secret_key, now=now, ttl_seconds=ttl_seconds)
    session.add(
        ApiToken(token_hash=token.digest, user_id=user.id, created_at=now, expires_at=token.expires_at)
    )
    session.flush()
    return LoginResult(user=user, token=token)


def sign_in(
    session: Session,
    *,
    limits: LoginLimits,
    client: str,
    username: str,
    password: str,
    secret_key: str,
    now: datetime,
    ttl_seconds: int,
) -> LoginResult:
    """A login from `client`: counted against the limits first (429), then checked, committed and logged."""
    name = normalise_username(username)
    wait = limits.check(client=client, username=name, now=now.timestamp())
    if wait is not None:
        _security_log.warning("login refused: rate limited", extra={"username": name, "client": client})
        raise AuthError(
            "too_many_logins",
            "Đăng nhập quá nhiều lần, hãy thử lại sau / Too many login attempts",
            status=429,
            headers={"Retry-After": str(int(wait) + 1)},
        )
    try:
        result = login(
            session, username=name, password=password, secret_key=secret_key, now=now, ttl_seconds=ttl_seconds
        )
    except AuthError:
        _security_log.warning("login failed", extra={"username": name, "client": client})
        raise
    session.commit()
    _security_log.info("login", extra={"username": name, "client": client, "user_id": str(result.user.id)})
    return result


def authenticate(session: Session, *, token: str, secret_key: str, now: datetime) -> User | None:
    """The active user a live token belongs to, or None."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token, secret_key=secret_key))
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = row.user
    return user if user.active else None


def revoke(session: Session, *, token: str, secret_key: str, now: datetime) -> bool:
    """Revoke one token (flushed); True if it was live."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_token(token, secret_key=secret_key), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def sign_out(session: Session, *, token: str, secret_key: str, now: datetime) -> None:
    """Logout: the token used for the request stops working at once."""
    revoke(session, token=token, secret_key=secret_key, now=now)
    session.commit()


def revoke_all(session: Session, *, user: User, now: datetime) -> None:
    """Revoke every token of a user (deactivation, password change)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def add_user(
    session: Session, *, actor: Actor, username: str, password: str, role: Role, display_name: str = ""
) -> User:
    """An admin creates an account: created, audited and committed together."""
    user = create_user(session, username=username, password=password, role=role, display_name=display_name)
    audit.record(
        session,
        actor_id=actor.user_id,
        action="user.create",
        entity_type=ENTITY_USER,
        entity_id=user.id,
        changes={"username": user.username, "role": user.role.value},
        request_id=actor.request_id,
    )
    session.commit()
    return user


def _fields(user: User) -> dict[str, object]:
    return {"display_name": user.display_name, "role": user.role.value, "active": user.active}


def change_user(session: Session, *, actor: Actor, user_id: uuid.UUID, changes: UserChanges) -> User:
    """An admin changes an account; a new password or a deactivation revokes every token of it."""
    user = session.get(User, user_id)
    if user is None:
        raise AuthError("not_found", "Không tìm thấy người dùng / User not found", status=404)
    before = _fields(user)
    if changes.password is not None:
        user.password_hash = _checked_password_hash(
            changes.password, username=user.username, display_name=changes.display_name or user.display_name
        )
    if changes.display_name is not None:
        user.display_name = changes.display_name
    if changes.role is not None:
        user.role = changes.role
    if changes.active is not None:
        user.active = changes.active
    if changes.password is not None or changes.active is False:
        revoke_all(session, user=user, now=actor.now)
    diff = audit.diff(before, _fields(user)) | (
        {"password": "changed"} if changes.password is not None else {}
    )
    audit.record(
        session,
        actor_id=actor.user_id,
        action="user.update",
        entity_type=ENTITY_USER,
        entity_id=user.id,
        changes=diff,
        request_id=actor.request_id,
    )
    session.commit()
    return user
