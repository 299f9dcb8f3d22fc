"""The audit log is one hash chain: numbered without gaps in commit order, each record hashing the one
before, on SQLite and on PostgreSQL, also with many writers at once (threads, separate connections)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from channel import audit
from channel.audit.verify import verify_chain
from channel.db import make_sessionmaker
from channel.migrate import upgrade_engine
from channel.models import CHAIN_HEAD_ID, GENESIS_HASH, AuditChainHead, AuditEvent
from tests.channel.audit.conftest import PgSchema
from tests.racing import all_at_once


@pytest.fixture
def sessions(db_engine: Engine) -> sessionmaker[Session]:
    upgrade_engine(db_engine)
    return make_sessionmaker(db_engine)


def record(session: Session, n: int, **changes: object) -> AuditEvent:
    return audit.record(
        session,
        actor_id=None,
        action="programme.update",
        entity_type="programme",
        entity_id=f"p-{n}",
        changes={"title": {"from": "Luật cũ", "to": f"Luật Đất đai số {n}"}, **changes},
        request_id=f"req-{n}",
    )


def test_records_join_the_chain_in_commit_order_without_gaps(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        record(session, 1)
        session.commit()
        record(session, 2)
        record(session, 3, ghi_chú="hai bản ghi trong một giao dịch")
        session.commit()
        record(session, 99)
        session.rollback()  # a rolled-back change leaves no record and no gap
        record(session, 4, số=1.5, danh_sách=[1, "hai", None])
        session.commit()
    with sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        head = session.get_one(AuditChainHead, CHAIN_HEAD_ID)
        verdict = verify_chain(session)
    assert [e.entity_id for e in events] == ["p-1", "p-2", "p-3", "p-4"]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert all(e.hash == audit.hash_of(e) for e in events)
    assert (head.seq, head.hash) == (4, events[-1].hash)
    assert verdict.ok, verdict.broken
    assert (verdict.checked, verdict.last_seq, verdict.last_hash) == (4, 4, events[-1].hash)


def test_the_hash_covers_every_field_and_the_previous_hash() -> None:
    base = {
        "seq": 7,
        "event_id": uuid.UUID(int=7),
        "at": datetime(2026, 12, 1, 1, 2, 3, 456789, tzinfo=UTC),
        "actor_id": None,
        "action": "user.update",
        "entity_type": "user",
        "entity_id": "u-1",
        "changes": {"roles": {"from": ["producer"], "to": ["editor", "producer"]}},
        "request_id": "r",
        "prev_hash": "a" * 64,
    }
    canonical = audit.canonical_json(**base)  # type: ignore[arg-type]
    assert canonical.startswith(b'{"action":"user.update","actor_id":null,"at":"2026-12-01T01:02:03.456789Z"')
    assert b'"prev_hash":"' + b"a" * 64 + b'"' in canonical
    digest = audit.event_hash(**base)
    for field, other in [
        ("seq", 8),
        ("at", base["at"].replace(microsecond=456788)),  # type: ignore[attr-defined]
        ("actor_id", uuid.UUID(int=1)),
        ("changes", {"roles": {"from": ["producer"], "to": ["producer"]}}),
        ("request_id", None),
        ("prev_hash", "b" * 64),
    ]:
        assert audit.event_hash(**{**base, field: other}) != digest, field


@pytest.mark.postgres
def test_concurrent_writers_on_postgresql_keep_one_valid_chain(pg: PgSchema) -> None:
    """Eight threads, each with its own connection, append 25 records each at once."""
    writers, each = 8, 25

    def write(worker: int) -> None:
        with pg.sessions() as session:
            for n in range(each):
                record(session, worker * 1000 + n)
                session.commit()

    all_at_once(write, writers, seconds=120)
    with pg.sessions() as session:
        seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        verdict = verify_chain(session)
    assert seqs == list(range(1, writers * each + 1))
    assert verdict.ok, verdict.broken
    assert verdict.checked == writers * each
