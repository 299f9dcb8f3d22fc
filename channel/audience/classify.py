"""Coarse classes of where a player sits and what it runs on; the raw headers are never kept.

Only the class (a few letters) leaves the request: the User-Agent and Referer are read once, in
memory, and dropped. Both functions are cached, since a fleet of players sends few distinct values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args
from urllib.parse import urlsplit

__all__ = [
    "DEVICES",
    "REFERRERS",
    "Device",
    "Hosts",
    "Referrer",
    "device_class",
    "hosts_of",
    "referrer_class",
]

Device = Literal["mobile", "desktop", "tv", "other"]
Referrer = Literal["portal", "site", "iptv", "other"]
DEVICES: tuple[Device, ...] = get_args(Device)
REFERRERS: tuple[Referrer, ...] = get_args(Referrer)

_TV = ("smart-tv", "smarttv", "tizen", "web0s", "webos", "appletv", "android tv", "googletv", "hbbtv",
       "crkey", "roku", "bravia", "aft", "netcast")  # fmt: skip
_MOBILE = ("mobi", "android", "iphone", "ipad", "ipod")
_DESKTOP = ("windows", "macintosh", "x11", "linux", "cros")
_APPS = ("vlc", "kodi", "tivimate", "iptv", "lavf", "exoplayer", "perfect player", "ott", "mpv", "gstreamer")


@lru_cache(maxsize=2048)
def device_class(user_agent: str) -> Device:
    """tv, mobile or desktop from the User-Agent's platform words; other when it names none."""
    ua = user_agent.lower()
    if any(word in ua for word in _TV):
        return "tv"
    if any(word in ua for word in _MOBILE):
        return "mobile"
    if any(word in ua for word in _DESKTOP):
        return "desktop"
    return "other"


@dataclass(frozen=True, slots=True)
class Hosts:
    """Host names (with port) of the channel's own pages, and of the portals allowed to embed it."""

    own: frozenset[str]
    portals: frozenset[str] = frozenset()


def hosts_of(base_url: str, cors_origins: list[str]) -> Hosts:
    """Our host from the base URL; the portals are the CORS origins, when they are named (not "*")."""
    portals = frozenset(urlsplit(o).netloc.lower() for o in cors_origins if o != "*")
    return Hosts(own=frozenset({urlsplit(base_url).netloc.lower()}), portals=portals)


@lru_cache(maxsize=2048)
def referrer_class(referer: str, user_agent: str, hosts: Hosts, host: str = "") -> Referrer:
    """portal: our embeddable player (framed by the national legal portal) or a page of a portal
    allowed to embed the stream; site: the channel's own pages (`host`: the request's Host, also
    ours); iptv: no page at all and a player app (an M3U/IPTV app, VLC, Kodi); other: the rest."""
    if referer:
        parts = urlsplit(referer)
        netloc = parts.netloc.lower()
        if netloc in hosts.own or (host and netloc == host.lower()):
            return "portal" if parts.path.startswith("/embed/") else "site"
        return "portal" if netloc in hosts.portals else "other"
    ua = user_agent.lower()
    if any(word in ua for word in _APPS) or not ua.startswith("mozilla/"):
        return "iptv"
    return "other"
