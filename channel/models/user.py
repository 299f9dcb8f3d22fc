"""Accounts, the roles each holds, and their sessions (bearer tokens); roles decide what each person may do."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channel.models.base import Base, str_enum, utcnow, uuid_pk

if TYPE_CHECKING:
    from channel.models.mfa import MfaCredential

__all__ = ["ApiToken", "Role", "SessionScope", "User", "UserRole"]


class Role(StrEnum):
    """What a user may do: run everything, upload programmes, arrange the grid, or approve programmes."""

    ADMIN = "admin"
    PRODUCER = "producer"
    SCHEDULER = "scheduler"
    EDITOR = "editor"


class SessionScope(StrEnum):
    """What a session may reach: everything its roles allow, or only the enrolment of a second factor."""

    FULL = "full"
    MFA_ENROLMENT = "mfa_enrolment"


class User(Base):
    """A person who signs in; the password is stored only as an argon2 hash.

    A person may hold several roles (a producer who is also an editor); `roles` is that set, and an
    admin may do everything whatever else they hold.
    """

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")
    mfa_credential: Mapped[MfaCredential | None] = relationship(cascade="all, delete-orphan")

    def __init__(self, *, roles: Iterable[Role] = (), **fields: object) -> None:
        super().__init__(**fields)
        self.set_roles(roles)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this person holds (never empty for an account made through the service)."""
        return frozenset(row.role for row in self.role_rows)

    @property
    def mfa_enrolled(self) -> bool:
        """True once an authenticator app is confirmed: sign-in then asks for a code."""
        return self.mfa_credential is not None and self.mfa_credential.confirmed_at is not None

    def has_role(self, role: Role) -> bool:
        """True when the person holds `role` itself (an admin is not thereby a producer)."""
        return role in self.roles

    def set_roles(self, roles: Iterable[Role]) -> None:
        """Replace the set of roles (rows kept for roles that stay, added or removed for the others)."""
        wanted = frozenset(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - self.roles)
        ]


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    """A session: a bearer token, only its keyed hash stored so a database leak does not leak sessions.

    It ends at `expires_at` (the absolute lifetime), after the idle timeout since `last_used_at`, or when
    revoked (`revoked_reason` says why: logout, password or role change, MFA reset, deactivation, …).
    """

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    scope: Mapped[SessionScope] = mapped_column(
        str_enum(SessionScope), default=SessionScope.FULL, server_default=SessionScope.FULL.value
    )
    #: how the person proved who they are: "password", "password+totp", "password+recovery_code"
    factors: Mapped[str] = mapped_column(String(32), default="password", server_default="password")
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="tokens")
