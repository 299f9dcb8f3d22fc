"""Engines, the UTC column type and a full model round-trip on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import selectinload

from channel import audit
from channel.db import make_engine, make_sessionmaker, redact_url, session_scope
from channel.migrate import upgrade_engine
from channel.models import (
    AuditEvent,
    Channel,
    LegalDocument,
    Programme,
    ProgrammeStatus,
    Role,
    ScheduleEntry,
    ScheduleMode,
    Topic,
    User,
)

ICT = timezone(timedelta(hours=7))


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    engine.dispose()


def test_redact_url_hides_the_password() -> None:
    assert redact_url("postgresql+psycopg://bob:s3cret@db:5432/x") == "postgresql+psycopg://bob:***@db:5432/x"
    assert "s3cret" not in redact_url("redis://:s3cret@h:6379/0")


def test_naive_datetimes_are_refused(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    factory = make_sessionmaker(engine)
    with pytest.raises(StatementError, match="naive datetime"), session_scope(factory) as session:
        session.add(Channel(slug="x", name="X", epoch=datetime(2026, 1, 1)))
    engine.dispose()


def test_foreign_keys_are_enforced(db_engine: Engine) -> None:
    upgrade_engine(db_engine)
    factory = make_sessionmaker(db_engine)
    with pytest.raises(IntegrityError), session_scope(factory) as session:
        session.add(Programme(title="mồ côi", owner_id=uuid.uuid4()))


def test_model_round_trip(db_engine: Engine) -> None:
    upgrade_engine(db_engine)
    factory = make_sessionmaker(db_engine)
    epoch = datetime(2026, 1, 1, 0, 0, tzinfo=ICT)
    start = datetime(2026, 11, 30, 20, 0, tzinfo=ICT)
    with session_scope(factory) as session:
        user = User(
            username="lan", display_name="Nguyễn Thị Lan", password_hash="$argon2id$x", roles=[Role.PRODUCER]
        )
        traffic = Topic(name="Luật Giao thông đường bộ", name_en="Road traffic law", slug="giao-thong")
        family = Topic(name="Hôn nhân và gia đình", name_en="Marriage and family", slug="hon-nhan")
        decision = LegalDocument(
            number="471/QĐ-TTg",
            title="Quyết định phê duyệt Đề án “Tăng cường phổ biến, giáo dục pháp luật”",
            issuing_body="Thủ tướng Chính phủ",
            issued_date=date(2024, 6, 5),
        )
        programme = Programme(
            title="Hỏi đáp pháp luật: Xử phạt vi phạm giao thông",
            description="Chương trình giải thích Nghị định 168/2024/NĐ-CP.",
            audience="Người tham gia giao thông",
            tags=["giao thông", "xử phạt"],
            status=ProgrammeStatus.READY,
            duration=1805.5,
            media={"renditions": [{"name": "720p", "height": 720}], "ghi_chú": "đã chuẩn hoá"},
            owner=user,
            topics=[traffic, family],
            legal_documents=[decision],
        )
        channel = Channel(slug="phap-luat", name="Kênh Pháp luật", epoch=epoch, profile={"fps": 25})
        session.add_all([user, programme, channel])
        session.flush()
        session.add_all(
            [
                ScheduleEntry(
                    channel_id=channel.id, programme_id=programme.id, start_at=start, created_by_id=user.id
                ),
                ScheduleEntry(
                    channel_id=channel.id,
                    programme_id=programme.id,
                    start_at=start + timedelta(days=1),
                    mode=ScheduleMode.SOFT,
                    rrule="FREQ=DAILY;COUNT=5",
                    series_id=uuid.uuid4(),
                ),
            ]
        )
        audit.record(
            session,
            actor_id=user.id,
            action="programme.create",
            entity_type="programme",
            entity_id=programme.id,
            changes={"title": [None, programme.title]},
            request_id="req-1",
        )
        ids = (user.id, programme.id, channel.id)

    with factory() as session:
        user = session.get_one(User, ids[0])
        programme = session.scalars(
            select(Programme).options(selectinload(Programme.topics), selectinload(Programme.legal_documents))
        ).one()
        channel = session.get_one(Channel, ids[2])
        entries = session.scalars(select(ScheduleEntry).order_by(ScheduleEntry.start_at)).all()
        event = session.scalars(select(AuditEvent)).one()

        assert (user.username, user.display_name, user.roles, user.active) == (
            "lan",
            "Nguyễn Thị Lan",
            frozenset({Role.PRODUCER}),
            True,
        )
        assert user.created_at.tzinfo is not None
        assert programme.id == ids[1]
        assert programme.title == "Hỏi đáp pháp luật: Xử phạt vi phạm giao thông"
        assert programme.language == "vi"
        assert programme.tags == ["giao thông", "xử phạt"]
        assert programme.status is ProgrammeStatus.READY
        assert programme.media == {"renditions": [{"name": "720p", "height": 720}], "ghi_chú": "đã chuẩn hoá"}
        assert [t.slug for t in programme.topics] == ["giao-thong", "hon-nhan"]
        assert programme.topics[0].name == "Luật Giao thông đường bộ"
        [document] = programme.legal_documents
        assert (document.number, document.issuing_body, document.issued_date) == (
            "471/QĐ-TTg",
            "Thủ tướng Chính phủ",
            date(2024, 6, 5),
        )
        assert programme.owner_id == user.id
        assert channel.timezone == "Asia/Ho_Chi_Minh"
        assert channel.epoch == epoch
        assert channel.epoch.tzinfo == UTC
        assert [e.start_at for e in entries] == [start, start + timedelta(days=1)]
        assert all(e.start_at.utcoffset() == timedelta(0) for e in entries)
        assert [e.mode for e in entries] == [ScheduleMode.HARD, ScheduleMode.SOFT]
        assert entries[1].rrule == "FREQ=DAILY;COUNT=5"
        assert event.changes == {"title": [None, programme.title]}
        assert event.entity_id == str(programme.id)
        assert (event.seq, event.prev_hash) == (1, "0" * 64)
        assert event.hash == audit.hash_of(event)
