"""Worker side of the playout: `playout.ensure_slate` makes a channel's filler slate (once), and its
live gap slate when it has live events (then publishes it again, so the events join the timeline).

Thin, per Celery's guidance: a channel id in, reload the channel, call `ensure_slate`; idempotent
(the slate's keys are derived from its format and name, and an existing slate is reused).
Registered through `channel.worker.TASK_MODULES`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from celery import Celery, Task, shared_task
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channel.models import Channel, LiveEvent, LiveStatus
from channel.playout.publish import publish_channel
from channel.playout.slate import ensure_live_slate, ensure_slate, live_slate_prefix, slate_prefix
from channel.playout.versions import latest_playout
from channel.worker_state import worker_resources

__all__ = ["ENSURE_SLATE_TASK", "ensure_channel_slate", "request_slate"]

ENSURE_SLATE_TASK = "playout.ensure_slate"
_log = logging.getLogger(__name__)


@shared_task(bind=True, name=ENSURE_SLATE_TASK, acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def ensure_channel_slate(self: Task, channel_id: str) -> str | None:
    """Generate the slate of channel ``channel_id`` if its store has none; returns its prefix."""
    resources = worker_resources(self.app)
    with resources.sessionmaker() as session:
        channel = session.get(Channel, uuid.UUID(channel_id))
        if channel is None:
            return None
        house, name = channel.house_format, channel.name
        has_live = session.scalar(
            select(LiveEvent.id)
            .where(LiveEvent.channel_id == channel.id, LiveEvent.status == LiveStatus.SCHEDULED)
            .limit(1)
        )
    workdir = resources.settings.data_dir / "work" / "slates"
    ensure_slate(store=resources.store, house=house, channel_name=name, workdir=workdir)
    gap = live_slate_prefix(house, channel_name=name)
    if has_live is not None and not resources.store.exists(f"{gap}master.m3u8"):
        ensure_live_slate(store=resources.store, house=house, channel_name=name, workdir=workdir)
        _republish(resources.sessionmaker, uuid.UUID(channel_id))
    return slate_prefix(house, channel_name=name)


def _republish(sessions: Callable[[], Session], channel_id: uuid.UUID) -> None:
    """Publish a channel that is on air again, now that its live events can air (another publish
    winning the version number is as good)."""
    with sessions() as session:
        if latest_playout(session, channel_id) is None:
            return
        try:
            publish_channel(session, channel_id=channel_id, now=datetime.now(UTC))
            session.commit()
        except IntegrityError:
            session.rollback()


def request_slate(celery: Celery, channel_id: uuid.UUID) -> None:
    """Ask a worker for the channel's slate (after the commit that made the channel); never fails the caller.

    Publishing does not need the slate to exist (its layout is predictable); viewers need its segments
    by the time a gap airs, which the worker provides within seconds to a minute.
    """
    try:
        celery.send_task(ENSURE_SLATE_TASK, args=[str(channel_id)])
    except Exception:
        _log.exception(
            "could not queue the slate of channel %s; it is queued again at the next publish", channel_id
        )
