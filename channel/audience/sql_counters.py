"""Audience counters in the embedded database (SQLite or PostgreSQL) when there is no Redis.

Each counted slot is one `AudienceSlot` row, inserted with "on conflict do nothing", so the
primary key (channel, session, slot) counts a session once per slot across replicas; distinct
counts are exact (COUNT DISTINCT) instead of HyperLogLog estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from channel.audience.beats import Airing, Counted
from channel.audience.counters import MinutePoint, WatchRow
from channel.models import AudienceSlot

__all__ = ["SqlCounters"]


def _row(c: Counted) -> dict[str, Any]:
    b = c.beat
    return {
        "slug": b.slug,
        "token": b.token,
        "slot": c.slot,
        "minute_us": c.minute_us,
        "day": c.day,
        "airing_key": c.airing.key,
        "kind": c.airing.kind,
        "programme_id": c.airing.programme_id,
        "title": c.airing.title[:300],
        "airing_start_us": c.airing.start_us,
        "variant": b.variant,
        "referrer": b.referrer,
        "device": b.device,
        "watch_ms": c.watch_ms,
    }


class SqlCounters:
    """`Counters` in the service's database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def _insert(self, session: Session) -> Insert:
        if session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(AudienceSlot).on_conflict_do_nothing().returning(AudienceSlot.slot)
        return sqlite.insert(AudienceSlot).on_conflict_do_nothing().returning(AudienceSlot.slot)

    def record(self, counted: Sequence[Counted]) -> int:
        if not counted:
            return 0
        with self.sessions.begin() as session:  # batched; conflicts (counted already) are skipped
            inserted = session.connection().execute(self._insert(session), [_row(c) for c in counted])
            return len(inserted.all())  # RETURNING: the rows that were new

    def minutes(self, slug: str, *, start_us: int, end_us: int, days: Sequence[str]) -> list[MinutePoint]:
        query = (
            select(
                AudienceSlot.minute_us,
                func.count(func.distinct(AudienceSlot.token)),
                func.sum(AudienceSlot.watch_ms),
            )
            .where(AudienceSlot.slug == slug)
            .where(AudienceSlot.minute_us >= start_us, AudienceSlot.minute_us < end_us)
            .group_by(AudienceSlot.minute_us)
            .order_by(AudienceSlot.minute_us)
        )
        with self.sessions() as session:
            return [MinutePoint(int(m), int(n), int(ms)) for m, n, ms in session.execute(query)]

    def watch(self, slug: str, days: Sequence[str]) -> list[WatchRow]:
        s = AudienceSlot
        dims = (
            s.airing_key,
            s.kind,
            s.programme_id,
            s.title,
            s.airing_start_us,
            s.variant,
            s.referrer,
            s.device,
        )
        query = (
            select(*dims, func.sum(s.watch_ms))
            .where(s.slug == slug, s.day.in_(list(days)))
            .group_by(*dims)
            .order_by(s.airing_start_us, s.variant, s.referrer, s.device)
        )
        with self.sessions() as session:
            return [
                WatchRow(
                    airing=Airing(key=k, kind=kind, programme_id=pid, title=title, start_us=int(start)),
                    variant=variant,
                    referrer=ref,
                    device=dev,
                    watch_ms=int(ms),
                )
                for k, kind, pid, title, start, variant, ref, dev, ms in session.execute(query)
            ]

    def uniques(self, slug: str, days: Sequence[str]) -> int:
        query = select(func.count(func.distinct(AudienceSlot.token))).where(
            AudienceSlot.slug == slug, AudienceSlot.day.in_(list(days))
        )
        with self.sessions() as session:
            return int(session.execute(query).scalar_one())

    def airing_viewers(self, slug: str, keys: Sequence[str]) -> dict[str, int]:
        query = (
            select(AudienceSlot.airing_key, func.count(func.distinct(AudienceSlot.token)))
            .where(AudienceSlot.slug == slug, AudienceSlot.airing_key.in_(list(keys)))
            .group_by(AudienceSlot.airing_key)
        )
        with self.sessions() as session:
            found = {k: int(n) for k, n in session.execute(query)}
        return {key: found.get(key, 0) for key in keys}
