"""The grid's domain functions and queries on SQLite and on real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from channel.grid.audit_log import list_audit_events
from channel.grid.channels import create_channel, ensure_channel
from channel.grid.copying import copy_span, delete_series
from channel.grid.entries import add_entries, list_entries, move_entry
from channel.grid.errors import GridError
from channel.grid.review import channel_conflicts
from channel.grid.schemas import ChannelCreate, CopyCreate, EntryCreate, EntryUpdate
from channel.migrate import upgrade_engine
from channel.models import Programme, ProgrammeStatus, Role, User
from channel.settings import Settings
from tests.channel.grid.conftest import HCM, media_for

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Ho Chi Minh City, a Tuesday


def test_grid_round_trip(db_engine: Engine) -> None:
    upgrade_engine(db_engine)
    settings = Settings(env="test")
    with Session(db_engine) as session:
        law = Programme(title="Luật Phòng cháy, chữa cháy", status=ProgrammeStatus.READY, duration=1800.0)
        law.media = media_for(1800.0)
        session.add(law)
        session.commit()
        create_channel(
            session,
            body=ChannelCreate(slug="kenh-chinh", name="Kênh Chính"),
            settings=settings,
            actor_id=None,
            request_id="r-1",
            now=NOW,
        )
        assert ensure_channel(session, slug="kenh-chinh", name="x", settings=settings).name == "Kênh Chính"
        with pytest.raises(GridError) as taken:
            create_channel(
                session,
                body=ChannelCreate(slug="kenh-chinh", name="y"),
                settings=settings,
                actor_id=None,
                request_id=None,
                now=NOW,
            )
        assert taken.value.status == 409

        rule = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=20;BYMINUTE=0"
        body = EntryCreate(programme_id=law.id, start="2026-12-01T00:00", rrule=rule)
        channel, series = add_entries(
            session, slug="kenh-chinh", body=body, actor_id=None, request_id=None, now=NOW
        )
        assert len(series) == 40
        assert {(e.start_at.hour, e.start_at.minute) for e in series} == {(13, 0)}
        assert all(e.start_at.astimezone(HCM).weekday() < 5 for e in series)

        _, week = list_entries(
            session, slug="kenh-chinh", start_text="2026-12-01", end_text="2026-12-08", now=NOW
        )
        assert [e.start_at.astimezone(HCM).day for e in week] == [1, 2, 3, 4, 7]
        assert all(e.programme.title == "Luật Phòng cháy, chữa cháy" for e in week)

        moved_channel, moved = move_entry(
            session,
            entry_id=week[0].id,
            body=EntryUpdate(start="2026-12-01T20:15"),
            actor_id=None,
            request_id=None,
            now=NOW,
        )
        assert moved.start_at == datetime(2026, 12, 1, 13, 15, tzinfo=UTC)
        conflicts = channel_conflicts(
            session, slug="kenh-chinh", start_text="2026-12-01", end_text="2026-12-02", now=NOW
        )
        assert conflicts == []

        _, copies, removed = copy_span(
            session,
            slug="kenh-chinh",
            body=CopyCreate(source="2026-12-01", target="2026-12-06"),
            actor_id=None,
            request_id=None,
            now=NOW,
        )
        assert removed == 0
        assert [c.start_at.astimezone(HCM).isoformat() for c in copies] == ["2026-12-06T20:15:00+07:00"]

        series_id = series[0].series_id
        assert series_id is not None
        deleted, kept = delete_series(
            session,
            series_id=series_id,
            from_text="2026-12-03",
            actor_id=None,
            request_id=None,
            now=NOW,
        )
        assert (deleted, kept) == (38, 0)

        admin = User(username="quan.tri", display_name="Quản trị", roles=[Role.ADMIN], password_hash="x")
        scheduler = User(
            username="lap.lich", display_name="Lập lịch", roles=[Role.SCHEDULER], password_hash="x"
        )
        session.add_all([admin, scheduler])
        session.commit()
        actions = [e.action for e in list_audit_events(session, viewer=admin, entity_type=None)]
        assert actions[0] == "series.delete"
        assert actions.count("channel.create") == 1
        window = list_audit_events(
            session, viewer=scheduler, start=datetime.now(UTC) - timedelta(hours=1), limit=2
        )
        assert len(window) == 2
        assert list_audit_events(session, viewer=admin, entity_id=str(uuid.uuid4())) == []
        assert moved_channel.slug == channel.slug
