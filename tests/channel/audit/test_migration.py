"""Migration 0005 on a database with history: every user keeps their role, and the audit records already
there become a valid chain in the order they happened (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text

from channel.audit.verify import verify_chain
from channel.db import make_sessionmaker
from channel.migrate import upgrade_engine
from channel.models import ApiToken, AuditEvent, Role, User


def test_existing_users_and_audit_records_survive_and_are_chained(db_engine: Engine) -> None:
    upgrade_engine(db_engine, "0004_uploads")
    admin, producer = uuid.uuid4(), uuid.uuid4()
    start = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    with db_engine.begin() as conn:
        for user_id, name, role in ((admin, "quantri", "admin"), (producer, "sanxuat", "producer")):
            conn.execute(
                text(
                    "INSERT INTO users (id, username, display_name, password_hash, role, active, created_at)"
                    " VALUES (:id, :name, :name, 'x', :role, :active, :at)"
                ),
                {"id": user_id.hex if db_engine.dialect.name == "sqlite" else user_id, "name": name,
                 "role": role, "active": True, "at": start},
            )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO api_tokens (id, token_hash, user_id, created_at, expires_at)"
                " VALUES (:id, 'h', :user, :at, :until)"
            ),
            {"id": uuid.uuid4().hex if db_engine.dialect.name == "sqlite" else uuid.uuid4(),
             "user": producer.hex if db_engine.dialect.name == "sqlite" else producer,
             "at": start, "until": start + timedelta(hours=12)},
        )  # fmt: skip
        for n in (3, 1, 2):  # inserted out of order: the chain follows time
            conn.execute(
                text(
                    "INSERT INTO audit_events (id, actor_id, action, entity_type, entity_id, changes, at, request_id)"
                    " VALUES (:id, :actor, 'programme.update', 'programme', :entity, :changes, :at, NULL)"
                ),
                {"id": uuid.uuid4().hex if db_engine.dialect.name == "sqlite" else uuid.uuid4(),
                 "actor": admin.hex if db_engine.dialect.name == "sqlite" else admin, "entity": f"p-{n}",
                 "changes": f'{{"title": {{"from": "Luật {n}", "to": "Luật số {n}"}}}}',
                 "at": start + timedelta(minutes=n)},
            )  # fmt: skip

    upgrade_engine(db_engine)

    with make_sessionmaker(db_engine)() as session:
        roles = {user.username: user.roles for user in session.scalars(select(User))}
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        token = session.scalars(select(ApiToken)).one()
        verdict = verify_chain(session)
    assert roles == {"quantri": {Role.ADMIN}, "sanxuat": {Role.PRODUCER}}
    assert [(e.seq, e.entity_id) for e in events] == [(1, "p-1"), (2, "p-2"), (3, "p-3")]
    assert events[0].changes == {"title": {"from": "Luật 1", "to": "Luật số 1"}}
    assert verdict.ok, verdict.broken
    assert verdict.checked == 3
    assert (token.scope.value, token.factors, token.last_used_at) == ("full", "password", start)
