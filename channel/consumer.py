"""The worker's broker consumer: Celery's, minus the crash that stops a worker when Redis goes away.

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
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from celery.exceptions import CPendingDeprecationWarning
from celery.utils.threads import bound_open_broker_sockets
from celery.worker.consumer import Consumer as CeleryConsumer
from celery.worker.consumer.consumer import COLLECT_SOCKET_TIMEOUT

__all__ = ["CONSUMER_CLASS", "RecoveringConsumer", "release_broken_connection"]

#: the `worker_consumer` setting naming the class below
CONSUMER_CLASS = "channel.consumer:RecoveringConsumer"


def release_broken_connection(connection: Any) -> None:
    """Release a connection the broker dropped, once; never raises (this is a clean-up path)."""
    bound_open_broker_sockets(connection, COLLECT_SOCKET_TIMEOUT)
    with contextlib.suppress(Exception):
        connection.collect(socket_timeout=COLLECT_SOCKET_TIMEOUT)


class RecoveringConsumer(CeleryConsumer):  # type: ignore[misc]
    """Celery's consumer; a broker outage is survived by collecting the broken connection only once."""

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
