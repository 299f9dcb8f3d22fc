"""The HTTP server of `legaltv serve`: granian, embedded in this process and its event loop.

Granian is chosen for delivery (issue 13, docs/delivery.md): it implements the ASGI
`http.response.pathsend` extension, so media files of the local store are sent by the server's own
threads without a byte passing through Python (`channel.playout.sendfile`), and its HTTP handling is
cheaper than uvicorn's (measured in docs/benchmarks.md). Running it embedded keeps the app in the
process that `legaltv serve` started: one pid to signal, watch or kill, as before.
"""

from __future__ import annotations

import asyncio
import signal

from granian.constants import HTTPModes, Interfaces
from granian.log import LogLevels
from granian.server.embed import Server
from starlette.types import ASGIApp

__all__ = ["BACKLOG", "BACKPRESSURE", "serve_http"]

#: connections waiting to be accepted
BACKLOG = 2048
#: requests handled at once; granian holds a keep-alive connection's slot between its requests, so its
#: default (the backlog) capped viewers at 2048 per process: bench-viewers saw a third of 3,200 starve
BACKPRESSURE = 32768

# granian's own lines go through our JSON logging (the root logger), errors only: its start-up banner
# and the "embedded server is experimental" notice would be noise on every start
_LOGGING = {
    "handlers": {},
    "loggers": {
        "_granian": {"handlers": [], "level": "ERROR", "propagate": True},
        "granian.access": {"handlers": [], "level": "ERROR", "propagate": True},
    },
}


async def _serve(app: ASGIApp, *, host: str, port: int) -> None:
    server = Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        websockets=False,
        backlog=BACKLOG,
        backpressure=BACKPRESSURE,
        log_level=LogLevels.error,
        log_dictconfig=_LOGGING,
        log_access=False,
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.stop)
    try:
        await server.serve()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def serve_http(app: ASGIApp, *, host: str, port: int) -> None:
    """Serve `app` until SIGTERM or SIGINT, then return once the lifespan has shut down."""
    import uvloop

    uvloop.run(_serve(app, host=host, port=port))
