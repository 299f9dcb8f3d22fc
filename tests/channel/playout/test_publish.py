"""Publishing the grid: versions, the freeze rule across publishes, extension, and the as-run log."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channel.models import AsRunEntry, Channel, ScheduleEntry, ScheduleMode
from channel.playout import extend_if_needed, latest_playout, publish_channel, record_as_run, slate_probe
from channel.playout.cache import slates_of
from channel.playout.slate import expected_slate, slate_prefix
from channel.settings import Settings
from playlist import Track, render_media, timeline_from_dict
from storage import LocalStore
from tests.channel.playout.helpers import seed_channel
from transcoder.house import HouseFormat


def _timeline(factory: sessionmaker[Session], air_id: object) -> tuple[int, object]:
    with factory() as session:
        compiled = latest_playout(session, air_id)  # type: ignore[arg-type]
        assert compiled is not None
        return compiled.version, timeline_from_dict(compiled.timeline)


def test_first_publish_compiles_from_the_epoch_two_days_past_the_grid(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    air = seed_channel(factory, settings)
    with factory() as session:
        compiled = latest_playout(session, air.channel_id)
        assert compiled is not None
        assert compiled.version == 1
        timeline = timeline_from_dict(compiled.timeline)
        assert compiled.published_until >= air.published_at + timedelta(days=2)
    assert timeline.channel.channel_id == air.slug
    assert [v.name for v in timeline.channel.variants] == ["1080p", "720p", "480p", "360p"]
    assert timeline.channel.variant("720p").codecs == "avc1.64001f,mp4a.40.2"
    aired = [i.programme_id for i in timeline.items if i.kind == "programme"]
    assert aired == [str(p) for p in air.programmes]
    slates = {i.source.segment_key("720p", 0) for i in timeline.items if i.kind == "slate"}
    assert slates == {slate_prefix(HouseFormat(), channel_name="Kênh Pháp luật") + "720p/seg_00000.ts"}


def test_publish_twice_keeps_what_was_published_and_bumps_the_version(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    air = seed_channel(factory, settings)
    now = datetime.now(UTC)
    with factory() as session:
        publish_channel(session, channel_id=air.channel_id, now=now)
        session.commit()
    v2, before = _timeline(factory, air.channel_id)
    with factory() as session:  # an urgent announcement "now", and the last programme removed
        last = session.scalars(select(ScheduleEntry).order_by(ScheduleEntry.start_at.desc())).first()
        assert last is not None
        session.delete(last)
        session.add(
            ScheduleEntry(
                channel_id=air.channel_id,
                programme_id=air.programmes[3],
                start_at=now,
                mode=ScheduleMode.HARD,
            )
        )
        session.commit()
        publish_channel(session, channel_id=air.channel_id, now=now)
        session.commit()
    v3, after = _timeline(factory, air.channel_id)
    assert (v2, v3) == (2, 3)
    track = Track.video("360p")
    for seconds in (-600, -30, 0, 5):  # everything aired or published keeps its bytes
        at = now + timedelta(seconds=seconds)
        assert render_media(after, track=track, at=at) == render_media(before, track=track, at=at)  # type: ignore[arg-type]
    later = now + timedelta(seconds=20)
    assert render_media(after, track=track, at=later) != render_media(before, track=track, at=later)  # type: ignore[arg-type]


def test_extend_only_when_less_than_a_day_is_compiled_ahead(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    air = seed_channel(factory, settings)
    with factory() as session:
        assert extend_if_needed(session, channel_id=air.channel_id, now=air.published_at) is None
        later = air.published_at + timedelta(days=1, hours=12)
        extended = extend_if_needed(session, channel_id=air.channel_id, now=later)
        assert extended is not None
        assert extended.version == 2
        assert extended.published_until >= later + timedelta(days=2)
        session.commit()


def test_as_run_records_what_aired_once(factory: sessionmaker[Session], settings: Settings) -> None:
    air = seed_channel(factory, settings)
    until = air.published_at + timedelta(minutes=6)
    with factory() as session:
        first = record_as_run(session, channel_id=air.channel_id, until=until)
        session.commit()
        assert record_as_run(session, channel_id=air.channel_id, until=until) == 0
        session.commit()
        rows = session.scalars(select(AsRunEntry).order_by(AsRunEntry.started_at)).all()
    assert first == len(rows) > 0
    assert all(r.ended_at <= until for r in rows)
    assert all(a.ended_at == b.started_at for a, b in itertools.pairwise(rows))
    assert [r.title for r in rows if r.kind == "programme"] == [
        "Luật Giao thông",
        "Luật Đất đai",
        "Bộ luật Dân sự",
        "Luật Hôn nhân",
    ]
    assert {r.title for r in rows if r.kind == "slate"} == {"Chương trình sẽ tiếp tục"}


def test_the_expected_slate_needs_no_store(settings: Settings) -> None:
    slate = expected_slate(HouseFormat.with_heights((180, 144)), channel_name="Kênh")
    assert slate.media.segment_count == 60
    assert slate.media.segment_key("144p", 3).endswith("/144p/seg_00003.ts")


def _as_run(factory: sessionmaker[Session], channel_id: object) -> list[AsRunEntry]:
    with factory() as session:
        rows = session.scalars(
            select(AsRunEntry).where(AsRunEntry.channel_id == channel_id).order_by(AsRunEntry.started_at)
        ).all()
        session.expunge_all()
        return list(rows)


def test_publishing_records_what_aired_without_anyone_reading_the_log(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    now = datetime.now(UTC)
    air = seed_channel(factory, settings, now=now)  # published 3 h ago: nothing had aired then
    assert _as_run(factory, air.channel_id) == []

    with factory() as session:
        publish_channel(session, channel_id=air.channel_id, now=now)
        session.commit()

    logged = _as_run(factory, air.channel_id)
    assert logged
    assert all(row.ended_at.replace(tzinfo=UTC) <= now for row in logged)
    assert air.programmes[0] in {row.programme_id for row in logged}  # aired from 3 to 2 minutes ago
    with factory() as session:  # idempotent with the log's own reader
        assert record_as_run(session, channel_id=air.channel_id, until=now) == 0


def test_extending_an_unedited_channel_records_what_aired(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    now = datetime.now(UTC)
    air = seed_channel(factory, settings, now=now - timedelta(days=1, hours=12))

    with factory() as session:
        assert extend_if_needed(session, channel_id=air.channel_id, now=now) is not None
        session.commit()

    logged = _as_run(factory, air.channel_id)
    assert set(air.programmes) <= {row.programme_id for row in logged}  # all aired a day and a half ago
    assert max(row.ended_at.replace(tzinfo=UTC) for row in logged) <= now


def test_a_renamed_channel_keeps_its_slate_on_air_until_the_new_card_is_stored(
    factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    air = seed_channel(factory, settings)
    store = LocalStore(tmp_path / "store")
    house = settings.house_format
    old, new = (slate_prefix(house, channel_name=n) for n in ("Kênh Pháp luật", "Kênh Pháp luật Mới"))
    store.put_bytes(f"{old}master.m3u8", b"#EXTM3U\n")  # the card on air
    with factory() as session:
        channel = session.get(Channel, air.channel_id)
        assert channel is not None
        channel.name = "Kênh Pháp luật Mới"  # a worker is making the new card meanwhile
        session.commit()

    def slates() -> frozenset[str]:
        _, timeline = _timeline(factory, air.channel_id)
        return slates_of(timeline)  # type: ignore[arg-type]

    now = datetime.now(UTC)
    with factory() as session:
        publish_channel(session, channel_id=air.channel_id, now=now, slate_stored=slate_probe(store))
        session.commit()
    assert slates() == {old}  # nothing names the card that is not stored yet
    store.put_bytes(f"{new}master.m3u8", b"#EXTM3U\n")
    with factory() as session:
        publish_channel(session, channel_id=air.channel_id, now=now, slate_stored=slate_probe(store))
        session.commit()
    assert slates() == {old, new}  # the new card from the first unpublished gap on
