"""What the ingest asks the database: is this key good now (RTMP), which event may an SRT encoder feed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.ingest.encoder import EventFeed
from channel.live.keys import judge_key, srt_passphrase
from channel.live.service import check_key, window_of
from channel.models import Channel, LiveEvent, LiveStatus
from channel.settings import Settings
from playlist import to_us

__all__ = ["Admitted", "Feeds"]


@dataclass(frozen=True, slots=True)
class Admitted:
    """An event a contribution may feed now; ``passphrase`` is its SRT passphrase."""

    feed: EventFeed
    passphrase: str
    key_hash: str = ""


class Feeds:
    """Database questions of the ingest, each one short transaction."""

    def __init__(self, sessions: Callable[[], Session], settings: Settings) -> None:
        self._sessions = sessions
        self.sessions = sessions
        self._secret = settings.secret_key
        self._lead = timedelta(seconds=settings.live_key_lead_seconds)

    def by_key(self, plain: str) -> tuple[Admitted | None, str]:
        """The event of an RTMP stream key if it may publish now, and the verdict ("unknown" …)."""
        with self._sessions() as session:
            found = check_key(
                session, plain=plain, secret_key=self._secret, lead=self._lead, now=datetime.now(UTC)
            )
            if found is None:
                return None, "unknown"
            if found.verdict != "ok":
                return None, found.verdict
            return self._admitted(found.event, found.channel), "ok"

    def srt_event(self) -> Admitted | None:
        """The earliest event whose key is open now (one SRT listener serves one event at a time)."""
        now = datetime.now(UTC)
        with self._sessions() as session:
            event = session.scalar(
                select(LiveEvent)
                .where(
                    LiveEvent.status == LiveStatus.SCHEDULED,
                    LiveEvent.key_revoked_at.is_(None),
                    LiveEvent.start_at <= now + self._lead,
                    LiveEvent.end_at > now,
                )
                .order_by(LiveEvent.start_at)
                .limit(1)
            )
            if event is None:
                return None
            channel = session.get(Channel, event.channel_id)
            assert channel is not None
            return self._admitted(event, channel)

    def _admitted(self, event: LiveEvent, channel: Channel) -> Admitted:
        feed = EventFeed(
            event_id=str(event.id),
            start_us=to_us(event.start_at),
            end_us=to_us(event.end_at),
            house=channel.house_format,
        )
        return Admitted(
            feed=feed,
            passphrase=srt_passphrase(event.key_hash, secret_key=self._secret),
            key_hash=event.key_hash,
        )

    def still_admitted(self, admitted: Admitted) -> bool:
        """Whether the key a feed was admitted with still opens its event now (not revoked, remade,
        cancelled or expired): a feed whose key is revoked mid-stream is cut off."""
        with self._sessions() as session:
            event = session.get(LiveEvent, uuid.UUID(admitted.feed.event_id))
            if event is None or event.key_hash != admitted.key_hash:
                return False
            return judge_key(window_of(event, lead=self._lead), now=datetime.now(UTC)) == "ok"
