"""A user's second factor: the TOTP secret (encrypted) and the one-time recovery codes (hashed)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, utcnow, uuid_pk

__all__ = ["MfaCredential", "RecoveryCode"]


class MfaCredential(Base):
    """One authenticator app per user: pending until a first code confirms it, then required at sign-in.

    `secret` is the RFC 6238 key encrypted with a key derived from LEGALTV_SECRET_KEY (never stored
    plain); `last_step` is the time step of the last accepted code, so a code is never accepted twice.
    """

    __tablename__ = "mfa_credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(Base):
    """A one-time code for a lost phone; only its keyed hash is stored, `used_at` marks it spent."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
