"""Worker side of the playout: `playout.ensure_slate` makes a channel's filler slate (once).

Thin, per Celery's guidance: a channel id in, reload the channel, call `ensure_slate`; idempotent
(the slate's keys are derived from its format and name, and an existing slate is reused).
Registered through `channel.worker.TASK_MODULES`.
"""

from __future__ import annotations

import logging
import uuid

from celery import Celery, Task, shared_task

from channel.models import Channel
from channel.playout.slate import ensure_slate, slate_prefix
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
    ensure_slate(
        store=resources.store,
        house=house,
        channel_name=name,
        workdir=resources.settings.data_dir / "work" / "slates",
    )
    return slate_prefix(house, channel_name=name)


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
