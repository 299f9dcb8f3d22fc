"""The guide as the viewer's pages show it, from the compiled timeline the playlists come from.

The viewer page shows what is on now and what follows within a few hours, at most `COMING_LIMIT`
lines, and the last few programmes to watch again: the work and the page stay the same size however
full the day is (a bisection, then a bounded walk over the timeline's items). The whole day is the
guide page's (and, in the viewer page, the "More" control's, which fetches the JSON EPG).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from channel.web.i18n import Lang
from channel.web.times import clock_text, is_brief, span_text
from playlist import EpgEntry, Item, Timeline, from_us, programmes_between, to_us

__all__ = [
    "COMING_HOURS",
    "COMING_LIMIT",
    "RECENT_LIMIT",
    "DayGuide",
    "GuideLine",
    "LineState",
    "ViewerGuide",
    "day_guide",
    "today_in",
    "viewer_guide",
]

COMING_HOURS: Final = 3.0
COMING_LIMIT: Final = 12
RECENT_LIMIT: Final = 6
#: items looked at, at most, for the next hours' lines and for the recent programmes (bounds the work)
_MAX_ITEMS: Final = 256
_RECENT_WALK: Final = 64

LineState = Literal["aired", "on_air", "coming"]


@dataclass(frozen=True, slots=True)
class GuideLine:
    """One line of the guide as a page writes it (times already in the channel's zone)."""

    kind: Literal["programme", "filler", "emergency"]
    title: str
    description: str
    start: datetime
    stop: datetime
    programme_id: str | None
    state: LineState
    at: str  # the start, to the second when the programme is shorter than a minute
    when: str  # start–stop, likewise
    live: bool = False  # a live event ("Trực tiếp")

    @property
    def brief(self) -> bool:
        return is_brief(self.start, self.stop)


@dataclass(frozen=True, slots=True)
class ViewerGuide:
    """What the viewer page shows of the guide: on now, next, the next hours, the latest to watch again."""

    day: date
    on_air: GuideLine | None
    up_next: GuideLine | None
    coming: tuple[GuideLine, ...]  # on now first (when something is), then what follows
    recent: tuple[GuideLine, ...]  # aired programmes, newest first, one line per programme


def _state(start: datetime, stop: datetime, now: datetime) -> LineState:
    if stop <= now:
        return "aired"
    return "on_air" if start <= now else "coming"


def _line(entry: EpgEntry, *, zone: ZoneInfo, now: datetime) -> GuideLine:
    start, stop = entry.start.astimezone(zone), entry.stop.astimezone(zone)
    return GuideLine(
        kind=entry.kind,
        title=entry.title,
        description=entry.description,
        start=start,
        stop=stop,
        programme_id=entry.programme_id,
        state=_state(start, stop, now),
        at=clock_text(start, zone=zone, seconds=is_brief(start, stop)),
        when=span_text(start, stop, zone=zone),
        live=entry.live,
    )


def _programme_line(item: Item, *, zone: ZoneInfo, now: datetime) -> GuideLine:
    entry = EpgEntry(
        kind="programme",
        title=item.title,
        description=item.description,
        start=from_us(item.start_us),
        stop=from_us(item.end_us),
        programme_id=item.programme_id,
        entry_id=item.entry_id,
    )
    return _line(entry, zone=zone, now=now)


def today_in(timezone: str, now: datetime) -> date:
    """Today in the (channel's) timezone."""
    return now.astimezone(ZoneInfo(timezone)).date()


def _first_index(timeline: Timeline, at_us: int) -> int | None:
    """The item airing at `at_us`, the first item if the timeline starts later, None past its end."""
    if at_us >= timeline.end_us:
        return None
    return 0 if at_us < timeline.start_us else timeline.item_index_at(at_us)


def _coming(timeline: Timeline, *, now: datetime, lang: Lang, hours: float, limit: int) -> list[GuideLine]:
    """Lines from the one on at `now`, within `hours`, at most `limit`: read over as few items as will do
    (a line holds one item or a run of filler items, so `limit` items first, more only if runs merged)."""
    first = _first_index(timeline, to_us(now))
    if first is None:
        return []
    horizon = now + timedelta(hours=hours)
    zone = ZoneInfo(timeline.channel.timezone)
    span = limit
    while True:
        last = min(first + span, len(timeline.items) - 1)
        end = min(horizon, from_us(timeline.items[last].end_us))
        entries = programmes_between(timeline, start=now, end=end, lang=lang)
        if len(entries) >= limit or end == horizon or last == len(timeline.items) - 1 or span >= _MAX_ITEMS:
            return [_line(entry, zone=zone, now=now) for entry in entries[:limit]]
        span *= 2


def _recent(timeline: Timeline, *, now: datetime, reach: timedelta, limit: int) -> list[GuideLine]:
    """The latest airing of each of the last `limit` programmes that have aired in full within `reach`."""
    now_us, zone = to_us(now), ZoneInfo(timeline.channel.timezone)
    airing = _first_index(timeline, now_us)
    stop = len(timeline.items) if airing is None else airing  # the items before it have aired in full
    oldest_us = to_us(now - reach)
    lines: list[GuideLine] = []
    seen: set[str] = set()
    for item in reversed(timeline.items[max(0, stop - _RECENT_WALK) : stop]):
        if len(lines) >= limit or item.start_us < oldest_us:
            break
        pid = item.programme_id
        if item.kind == "programme" and pid is not None and pid not in seen and not item.source.is_live:
            seen.add(pid)
            lines.append(_programme_line(item, zone=zone, now=now))
    return lines


def viewer_guide(
    timeline: Timeline,
    *,
    now: datetime,
    lang: Lang,
    reach: timedelta,
    behind: timedelta = timedelta(0),
    hours: float = COMING_HOURS,
    limit: int = COMING_LIMIT,
    recent: int = RECENT_LIMIT,
) -> ViewerGuide:
    """On now, next, the next `hours` (at most `limit` lines) and the last `recent` programmes aired
    within `reach` (how far back start-over goes), in `lang`. With `behind`, the lines start with the one
    on air that long before `now`: a player plays a little behind the live edge, and its script shows
    what the player shows."""
    since = now - behind
    coming = _coming(timeline, now=since, lang=lang, hours=hours + behind.total_seconds() / 3600, limit=limit)
    coming = (
        [replace(line, state=_state(line.start, line.stop, now)) for line in coming] if behind else coming
    )
    on_air = next((line for line in coming if line.state == "on_air"), None)
    up_next = next((line for line in coming if line.state == "coming"), None)
    return ViewerGuide(
        day=today_in(timeline.channel.timezone, now),
        on_air=on_air,
        up_next=up_next,
        coming=tuple(coming),
        recent=tuple(_recent(timeline, now=now, reach=reach, limit=recent)),
    )


@dataclass(frozen=True, slots=True)
class DayGuide:
    """One local day of the channel's guide, every line (the guide page)."""

    day: date
    today: bool
    lines: tuple[GuideLine, ...]

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def following(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def on_air(self) -> bool:
        return any(line.state == "on_air" for line in self.lines)


def day_guide(timeline: Timeline, *, day: date, now: datetime, lang: Lang) -> DayGuide:
    """Every line of one local day of the channel."""
    zone = ZoneInfo(timeline.channel.timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    entries = programmes_between(timeline, start=start, end=end, lang=lang)
    lines = tuple(_line(entry, zone=zone, now=now) for entry in entries)
    return DayGuide(day=day, today=day == today_in(timeline.channel.timezone, now), lines=lines)
