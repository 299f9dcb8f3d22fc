"""Account rules: who exists, with which roles, and how a password is checked.

Routes call one function each; the functions named for a whole operation (`add_user`, `change_user`)
check, change, audit and commit once. `create_user` and `login` are the building blocks (flush only)
that the CLI, the demo and tests use inside their own transactions: `login` opens a full session on
the password alone, for code that already has the database in hand; people sign in over HTTP through
`channel.auth.signin`, which asks for the second factor.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from channel import audit
from channel.audit import Actor
from channel.auth.errors import AuthError
from channel.auth.sessions import RevokeReason, open_session, revoke_sessions
from channel.models import Role, User
from channel.security import IssuedToken, hash_password, verify_password
from channel.security.password_policy import PasswordRefused, check_new_password

__all__ = [
    "USERNAME_PATTERN",
    "AuthError",
    "LoginResult",
    "UserChanges",
    "add_user",
    "change_user",
    "check_password",
    "create_user",
    "list_users",
    "login",
    "normalise_username",
    "roles_of",
]

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
ENTITY_USER: Final = "user"
# verifying against a real hash when the user is unknown keeps the timing of both failures alike
_DUMMY_HASH = hash_password("timing-equaliser-password")


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    token: IssuedToken


@dataclass(frozen=True, slots=True)
class UserChanges:
    """What an admin may change on an account; None leaves a field as it is."""

    display_name: str | None = None
    roles: frozenset[Role] | None = None
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


def roles_of(role: Role | None = None, roles: Iterable[Role] = ()) -> frozenset[Role]:
    """One role, several, or both given together, as the set an account holds; at least one."""
    chosen = frozenset(roles) | ({role} if role is not None else set())
    if not chosen:
        raise AuthError("roles_required", "Cần chọn ít nhất một vai trò / Choose at least one role")
    return chosen


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role | None = None,
    roles: Iterable[Role] = (),
    display_name: str = "",
) -> User:
    """Add a user (flushed, not committed) holding `role` and/or `roles`; usernames are lower-case ASCII."""
    held = roles_of(role, roles)
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
    user = User(username=username, password_hash=password_hash, roles=held, display_name=display_name)
    session.add(user)
    session.flush()
    return user


def check_password(session: Session, *, username: str, password: str) -> User:
    """The active user with this name and password; the same 401 whether the user exists or not."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        raise AuthError(
            "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu / Wrong username or password", status=401
        )
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
    """Check the password and open a full session (flushed), without a second factor: for trusted code only."""
    user = check_password(session, username=username, password=password)
    token = open_session(session, user=user, secret_key=secret_key, now=now, ttl_seconds=ttl_seconds)
    return LoginResult(user=user, token=token)


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(
        select(User).options(selectinload(User.mfa_credential)).order_by(User.username)
    ).all()


def add_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    roles: Iterable[Role],
    display_name: str = "",
) -> User:
    """An admin creates an account: created, audited and committed together."""
    user = create_user(session, username=username, password=password, roles=roles, display_name=display_name)
    audit.record_by(
        session,
        actor,
        "user.create",
        entity_type=ENTITY_USER,
        entity_id=user.id,
        changes={"username": user.username, "roles": sorted(user.roles)},
    )
    session.commit()
    return user


def _fields(user: User) -> dict[str, object]:
    return {"display_name": user.display_name, "roles": sorted(user.roles), "active": user.active}


def _revocation(changes: UserChanges, old_roles: frozenset[Role]) -> RevokeReason | None:
    """Why every session of the account must end with these changes (None: they may go on)."""
    if changes.active is False:
        return "deactivated"
    if changes.password is not None:
        return "password_change"
    if changes.roles is not None and changes.roles != old_roles:
        return "role_change"
    return None


def change_user(session: Session, *, actor: Actor, user_id: uuid.UUID, changes: UserChanges) -> User:
    """An admin changes an account; a new password, other roles or a deactivation end all its sessions."""
    user = session.get(User, user_id)
    if user is None:
        raise AuthError("not_found", "Không tìm thấy người dùng / User not found", status=404)
    before, old_roles = _fields(user), user.roles
    if changes.roles is not None:
        roles_of(roles=changes.roles)
    if changes.password is not None:
        user.password_hash = _checked_password_hash(
            changes.password, username=user.username, display_name=changes.display_name or user.display_name
        )
    if changes.display_name is not None:
        user.display_name = changes.display_name
    if changes.roles is not None:
        user.set_roles(changes.roles)
    if changes.active is not None:
        user.active = changes.active
    reason = _revocation(changes, old_roles)
    revoked = revoke_sessions(session, user_id=user.id, now=actor.now, reason=reason) if reason else 0
    diff = audit.diff(before, _fields(user)) | (
        {"password": "changed"} if changes.password is not None else {}
    )
    if revoked:
        diff["sessions_revoked"] = revoked
    audit.record_by(session, actor, "user.update", entity_type=ENTITY_USER, entity_id=user.id, changes=diff)
    session.commit()
    return user
