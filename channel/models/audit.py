"""The audit trail: who changed what, when, and from which request, as one hash chain.

Each event carries its place in the chain (`seq`, from 1 without gaps), the hash of the event before it
and its own hash (SHA-256 over its canonical JSON, see `channel.audit.chain`); `AuditChainHead` is the one
row every append locks and moves, so appends from any number of replicas form one chain.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from channel.models.base import Base, utcnow, uuid_pk

__all__ = ["CHAIN_HEAD_ID", "GENESIS_HASH", "AuditChainHead", "AuditEvent"]

#: the `prev_hash` of the first event
GENESIS_HASH = "0" * 64
CHAIN_HEAD_ID = 1


class AuditEvent(Base):
    """One change to an entity; `changes` holds the before/after of the fields that moved.

    Append-only: never updated or deleted (a trigger refuses it), so a user with history cannot be
    deleted either (`actor_id` has no ON DELETE action): accounts are deactivated instead.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity_type_entity_id_at", "entity_type", "entity_id", "at"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The chain's last event (sequence and hash): the lock row that serialises appends.

    It also lets `audit verify` see events deleted from the end of the chain, which links alone cannot.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
