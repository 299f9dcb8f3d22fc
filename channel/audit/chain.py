"""The hash chain of the audit log: how a record is hashed, and how records join the chain at commit.

A record's hash is SHA-256 over its canonical JSON: every field that describes it (sequence number,
id, instant, actor, action, entity, changes, request id) and the hash of the record before it, with
sorted keys, no spaces, UTF-8, instants as UTC ISO 8601 with microseconds. Anyone holding a copy of the
rows (or the CSV export) can recompute it without any secret.

`audit.record` does not write at once: it queues the record on the session, and just before the
session commits, `_seal` takes the chain head row (an UPDATE, so PostgreSQL locks it until the commit;
SQLite has one writer at a time anyway), numbers the queued records after it, hashes them in order and
moves the head. The head is the last lock a transaction takes and it is held only for the commit, so
appends from any number of API replicas and workers queue up briefly and form one chain in commit
order, and no transaction waits for another lock while holding it (no deadlock through the audit log).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import event, update
from sqlalchemy.orm import Session, SessionTransaction

from channel.models import CHAIN_HEAD_ID, AuditChainHead, AuditEvent

__all__ = ["CHAIN_VERSION", "ChainHeadMissing", "canonical_json", "event_hash", "hash_of", "queue"]

#: part of every hashed record, so a future change of the canonical form can be told apart
CHAIN_VERSION: Final = 1
_PENDING: Final = "legaltv.audit.pending"


class ChainHeadMissing(RuntimeError):
    """The head row is gone: the database was not migrated, or someone deleted it."""


def _instant(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # SQLite hands stored UTC instants back naive
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(
    *,
    seq: int,
    event_id: uuid.UUID | str,
    at: datetime,
    actor_id: uuid.UUID | str | None,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: Mapping[str, Any],
    request_id: str | None,
    prev_hash: str,
) -> bytes:
    """The exact bytes a record's hash covers."""
    fields = {
        "v": CHAIN_VERSION,
        "seq": seq,
        "id": str(event_id),
        "at": _instant(at),
        "actor_id": str(actor_id) if actor_id is not None else None,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "changes": changes,
        "request_id": request_id,
        "prev_hash": prev_hash,
    }
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def event_hash(**fields: Any) -> str:
    """SHA-256 (hex) of `canonical_json(**fields)`."""
    return hashlib.sha256(canonical_json(**fields)).hexdigest()


def hash_of(record: AuditEvent, *, prev_hash: str | None = None) -> str:
    """The hash `record` should carry, computed from its own fields (and its stored `prev_hash`)."""
    return event_hash(
        seq=record.seq,
        event_id=record.id,
        at=record.at,
        actor_id=record.actor_id,
        action=record.action,
        entity_type=record.entity_type,
        entity_id=record.entity_id,
        changes=record.changes,
        request_id=record.request_id,
        prev_hash=record.prev_hash if prev_hash is None else prev_hash,
    )


def queue(session: Session, record: AuditEvent) -> None:
    """Queue `record` to join the chain when `session` commits (dropped if it rolls back)."""
    if not session.in_transaction():
        session.begin()  # so the queue belongs to a transaction that ends in commit or rollback
    session.info.setdefault(_PENDING, []).append(record)


@event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    pending: list[AuditEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    row = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == CHAIN_HEAD_ID)
        .values(seq=AuditChainHead.seq + len(pending))
        .returning(AuditChainHead.seq, AuditChainHead.hash)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        raise ChainHeadMissing("the audit chain head row is missing; run `legaltv migrate` (or restore it)")
    last_seq, prev_hash = int(row[0]), str(row[1])
    for seq, record in enumerate(pending, start=last_seq - len(pending) + 1):
        record.seq, record.prev_hash = seq, prev_hash
        record.hash = prev_hash = hash_of(record)
    session.add_all(pending)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == CHAIN_HEAD_ID)
        .values(hash=prev_hash)
        .execution_options(synchronize_session=False)
    )


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if (
        transaction.parent is None
    ):  # the outermost transaction ended: commit consumed the queue, or it rolled back
        session.info.pop(_PENDING, None)
