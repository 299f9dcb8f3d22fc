"""The worker's broker consumer: Celery's, minus the crash that stops a worker when Redis goes away, and
minus the seconds an idle worker on the embedded broker takes to notice it should stop.

Root cause (celery 5.7.0, kombu 5.7.0, Redis transport). On a lost broker connection
`Consumer.on_connection_error_after_connected` first calls `connection.collect()` and then, new in 5.7.0
(celery/celery#10242, "close the broken connection before the reconnect"), `connection.close()`:

1. `collect()` closes the connection's default channel and detaches the transport
   (`transport.client = None`). Closing a Redis channel that has a BRPOP in flight first reads the
   BRPOP reply (`Channel._brpop_read`); with Redis gone that raises `ConnectionError` *before* the
   channel marks itself closed, and `Connection.maybe_close_channel` swallows it. The half-closed
   channel stays the connection's default channel.
2. `close()` closes that channel again. This time it disconnects its pools and restores the unacked
   messages, which needs a new pool built from `transport.client`, now `None`:
   `AttributeError: 'NoneType' object has no attribute 'hostname'` in `_connparams`.
3. `ignore_errors` forgives only connection and channel errors, so the AttributeError leaves the
   consumer and the worker logs "Unrecoverable error" and exits, with its running job half done.

celery 5.6.3 did not close after collecting (but could hang on a silent socket, celery/celery#9705), and
no later release fixes it, so instead of pinning we configure the consumer class (`worker_consumer`):
collect the broken connection once, under the same socket timeout, and hand Celery's handler nothing
left to close. The unacked message of a running job stays in Redis's unacked set (it could not be
restored while Redis was down); the job keeps running, and `tests/channel/test_broker_outage.py`
proves the worker lives on and the job finishes.

Stopping (`legaltv serve`/`demo` on Ctrl-C, or SIGTERM). Transports without an event loop, like the
embedded filesystem broker, run in Celery's `synloop`, which checks its stop flag between calls of
`drain_events(timeout=2.0)` (the 2 s are fixed in celery/worker/loops.py), and the filesystem transport
polls its folder every second inside it: an idle embedded worker needed 4 to 6 s to stop. The loop here
is Celery's with the drain cut into `DRAIN_SLICE_SECONDS` slices (the transport then polls that often),
so a stop is seen within a fifth of a second; Redis workers use Celery's event loop and are unchanged.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from celery.exceptions import CPendingDeprecationWarning
from celery.utils.threads import bound_open_broker_sockets
from celery.worker import loops
from celery.worker.consumer import Consumer as CeleryConsumer
from celery.worker.consumer.consumer import COLLECT_SOCKET_TIMEOUT

__all__ = [
    "CONSUMER_CLASS",
    "DRAIN_SLICE_SECONDS",
    "RecoveringConsumer",
    "SlicedDrain",
    "prompt_synloop",
    "release_broken_connection",
]

#: the `worker_consumer` setting naming the class below
CONSUMER_CLASS = "channel.consumer:RecoveringConsumer"
#: the longest a blocking worker loop waits for a message before it looks at its stop flag again
DRAIN_SLICE_SECONDS = 0.2


def release_broken_connection(connection: Any) -> None:
    """Release a connection the broker dropped, once; never raises (this is a clean-up path)."""
    bound_open_broker_sockets(connection, COLLECT_SOCKET_TIMEOUT)
    with contextlib.suppress(Exception):
        connection.collect(socket_timeout=COLLECT_SOCKET_TIMEOUT)


class SlicedDrain:
    """A broker connection whose `drain_events` waits at most `DRAIN_SLICE_SECONDS` per call."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def drain_events(self, timeout: float | None = None) -> Any:
        limit = DRAIN_SLICE_SECONDS if timeout is None else min(timeout, DRAIN_SLICE_SECONDS)
        return self._connection.drain_events(timeout=limit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def prompt_synloop(obj: Any, connection: Any, *args: Any, **kwargs: Any) -> Any:
    """Celery's blocking loop, draining in short slices so a stop is noticed at once."""
    return loops.synloop(obj, SlicedDrain(connection), *args, **kwargs)


class RecoveringConsumer(CeleryConsumer):  # type: ignore[misc]
    """Celery's consumer; a broker outage is survived by collecting the broken connection only once,
    and a blocking loop (the embedded broker) notices a stop within `DRAIN_SLICE_SECONDS`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen: Any = self.loop  # type: ignore[has-type]
        if chosen is loops.synloop:
            self.loop = prompt_synloop

    def on_connection_error_after_connected(self, exc: BaseException) -> None:
        connection: Any = getattr(self, "connection", None)
        self.connection = None
        if connection is not None:
            release_broken_connection(connection)
        # with no connection left, Celery's handler only warns and settles prefetch and running tasks;
        # its reminder that 6.0 will cancel running tasks is answered by our explicit setting
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CPendingDeprecationWarning)
            super().on_connection_error_after_connected(exc)
