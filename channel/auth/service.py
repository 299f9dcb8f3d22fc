"""Account rules: who exists, how a password becomes a token, when a token stops working."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channel.models import ApiToken, Role, User
from channel.security import IssuedToken, hash_password, hash_token, new_token, verify_password

__all__ = [
    "USERNAME_PATTERN",
    "AuthError",
    "LoginResult",
    "authenticate",
    "create_user",
    "login",
    "revoke",
    "revoke_all",
]

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# verifying against a real hash when the user is unknown keeps the timing of both failures alike
_DUMMY_HASH = hash_password("timing-equaliser-password")


class AuthError(Exception):
    """A refused account operation; `code` is stable, the message bilingual."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    token: IssuedToken


def create_user(
    session: Session, *, username: str, password: str, role: Role, display_name: str = ""
) -> User:
    """Add a user; usernames are lower-case ASCII handles, unique."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise AuthError(
            "invalid_username",
            "Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_' hoặc '-' (2–64 ký tự) / "
            "Username must be 2-64 lower-case letters, digits, '.', '_' or '-'",
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AuthError("username_taken", "Tên đăng nhập đã tồn tại / Username already exists")
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise AuthError("weak_password", str(exc)) from None
    user = User(username=username, password_hash=password_hash, role=role, display_name=display_name)
    session.add(user)
    session.flush()
    return user


def login(
    session: Session, *, username: str, password: str, secret_key: str, now: datetime, ttl_seconds: int
) -> LoginResult:
    """Check the password and issue a fresh token; the same error whether the user exists or not."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        raise AuthError("invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu / Wrong username or password")
    token = new_token(secret_key=secret_key, now=now, ttl_seconds=ttl_seconds)
    session.add(
        ApiToken(token_hash=token.digest, user_id=user.id, created_at=now, expires_at=token.expires_at)
    )
    session.flush()
    return LoginResult(user=user, token=token)


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
    """Revoke one token (logout); True if it was live."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_token(token, secret_key=secret_key), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_all(session: Session, *, user: User, now: datetime) -> None:
    """Revoke every token of a user (deactivation, password change)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
