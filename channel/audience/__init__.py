"""Audience measurement (issue 14): viewing sessions without personal data, counted from the live
playlists' reloads, kept in Redis or the database, read back as reports (docs/audience.md)."""

from channel.audience.beats import Airing, Beat, Counted, attribute
from channel.audience.classify import Hosts, device_class, hosts_of, referrer_class
from channel.audience.counters import Counters, MinutePoint, WatchRow
from channel.audience.recorder import AUDIENCE, AudienceRecorder
from channel.audience.sessions import SESSION_PARAM, mint_token, session_query, token_of

__all__ = [
    "AUDIENCE",
    "SESSION_PARAM",
    "Airing",
    "AudienceRecorder",
    "Beat",
    "Counted",
    "Counters",
    "Hosts",
    "MinutePoint",
    "WatchRow",
    "attribute",
    "device_class",
    "hosts_of",
    "mint_token",
    "referrer_class",
    "session_query",
    "token_of",
]
