"""Channels and the broadcast grid: what schedulers arrange, checked for conflicts, then published.

The playout (`channel.playout`) compiles what this package stores; nothing here renders playlists.
"""

from channel.grid.channels import create_channel, default_profile, ensure_channel, get_channel, update_channel
from channel.grid.conflicts import Conflict, Slot, detect_conflicts
from channel.grid.errors import GridError
from channel.grid.recurrence import expand_rule

__all__ = [
    "Conflict",
    "GridError",
    "Slot",
    "create_channel",
    "default_profile",
    "detect_conflicts",
    "ensure_channel",
    "expand_rule",
    "get_channel",
    "update_channel",
]
