"""The playout glue: publish the grid as a compiled timeline, and serve it to viewers.

`playlist/` does the pure work; this package loads from the database and the store, keeps each
channel's live timeline in memory, and answers players (a lean handler for the live reloads).
"""

from channel.playout.asrun import record_as_run
from channel.playout.cache import Live, PlayoutUnavailable, TimelineCache
from channel.playout.install import install_playout
from channel.playout.publish import PlayoutError, compile_channel, extend_if_needed, publish_channel
from channel.playout.routes import router
from channel.playout.slate import ensure_slate, expected_slate, slate_prefix, slate_probe
from channel.playout.versions import latest_playout

__all__ = [
    "Live",
    "PlayoutError",
    "PlayoutUnavailable",
    "TimelineCache",
    "compile_channel",
    "ensure_slate",
    "expected_slate",
    "extend_if_needed",
    "install_playout",
    "latest_playout",
    "publish_channel",
    "record_as_run",
    "router",
    "slate_prefix",
    "slate_probe",
]
