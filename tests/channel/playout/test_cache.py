"""The per-process timeline cache: refresh interval, new versions, extension of an unedited channel,
and going on air only once the slate is stored (a real LocalStore)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from channel.playout import (
    PlayoutUnavailable,
    TimelineCache,
    latest_playout,
    publish_channel,
    slate_probe,
)
from channel.playout.cache import slates_of
from channel.settings import Settings
from playlist import from_us
from storage import LocalStore
from tests.channel.playout.helpers import seed_channel


def stored(_prefix: str) -> bool:
    return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_new_version_is_picked_up_after_the_refresh_interval(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    air = seed_channel(factory, settings)
    clock = Clock()
    cache = TimelineCache(factory, slate_stored=stored, refresh_seconds=3.0, clock=clock)
    assert cache.get(air.slug).version == 1
    with factory() as session:
        publish_channel(session, channel_id=air.channel_id, now=datetime.now(UTC))
        session.commit()
    clock.now = 2.9
    assert cache.get(air.slug).version == 1  # within the interval: no database query
    clock.now = 3.1
    assert cache.get(air.slug).version == 2
    with pytest.raises(PlayoutUnavailable):
        cache.get("khong-co")


def test_loading_a_channel_compiled_less_than_a_day_ahead_extends_it(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    now = datetime.now(UTC)
    air = seed_channel(factory, settings, now=now - timedelta(days=1, hours=12))
    cache = TimelineCache(factory, slate_stored=stored)
    live = cache.get(air.slug)
    assert from_us(live.timeline.end_us) - now < timedelta(days=1)
    with factory() as session:
        extended = latest_playout(session, air.channel_id)
        assert extended is not None
        assert extended.version == 2
        assert extended.published_until - now >= timedelta(days=2)
    cache.refresh(air.slug)
    assert cache.get(air.slug).version == 2


def test_an_unknown_channel_is_remembered_for_a_few_seconds(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    opened: list[int] = []

    def counting() -> Session:
        opened.append(1)
        return factory()

    clock = Clock()
    cache = TimelineCache(counting, slate_stored=stored, refresh_seconds=3.0, miss_seconds=5.0, clock=clock)
    for _ in range(3):
        with pytest.raises(PlayoutUnavailable):
            cache.get("khong-co")
        with pytest.raises(PlayoutUnavailable):
            asyncio.run(cache.aget("khong-co"))
    assert len(opened) == 1  # one database query for six requests

    air = seed_channel(factory, settings, slug="khong-co")  # published meanwhile
    clock.now = 4.9
    with pytest.raises(PlayoutUnavailable):
        cache.get(air.slug)
    clock.now = 5.1
    assert cache.get(air.slug).version == 1  # seen within a few seconds
    assert len(opened) == 2


def test_a_channel_is_on_air_only_once_every_slate_it_names_is_stored(
    factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    air = seed_channel(factory, settings)
    store = LocalStore(tmp_path / "store")
    asked: list[str] = []
    probe = slate_probe(store)

    def counting(prefix: str) -> bool:
        asked.append(prefix)
        return probe(prefix)

    clock = Clock()
    cache = TimelineCache(factory, slate_stored=counting, refresh_seconds=3.0, clock=clock)
    live = cache.get(air.slug)
    (prefix,) = live.slates  # the seeded grid has gaps: the slate fills them
    assert slates_of(live.timeline) == {prefix}
    assert prefix.startswith("slates/")
    assert not live.on_air
    store.put_bytes(f"{prefix}master.m3u8", b"#EXTM3U\n")  # the worker writes it last
    clock.now = 2.9
    assert not cache.get(air.slug).on_air  # not asked again within the interval
    clock.now = 3.1
    assert cache.get(air.slug).on_air
    clock.now = 6.2
    assert cache.get(air.slug).on_air
    assert len(asked) == 3  # asked at each refresh; the store itself only until it was found
