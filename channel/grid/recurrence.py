"""RFC 5545 recurrence rules expanded in a channel's local time ("every weekday at 20:00" stays 20:00).

Pure: no database. The expansion is always bounded (the rule's UNTIL/COUNT, else a horizon) and capped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from channel.grid.errors import invalid

__all__ = ["DEFAULT_HORIZON", "MAX_OCCURRENCES", "MAX_SPAN", "Expansion", "expand_rule", "normalise_rule"]

#: how far a rule with neither UNTIL nor COUNT is expanded
DEFAULT_HORIZON = timedelta(weeks=8)
#: the most concrete entries one rule may create
MAX_OCCURRENCES = 500
#: no rule reaches further than this from its start (dateutil scans period by period)
MAX_SPAN = timedelta(days=3653)
_ALLOWED_FREQ = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_FAST_FREQ = ("MONTHLY", "YEARLY")


@dataclass(frozen=True, slots=True)
class Expansion:
    """The occurrences of a rule, as UTC instants in order, and the normalised rule text."""

    rule: str
    starts: tuple[datetime, ...]


def _bad_rule(rule: str, reason_vi: str, reason_en: str) -> Exception:
    return invalid(
        "invalid_rrule",
        f"Quy tắc lặp (RRULE) không hợp lệ: {rule!r} — {reason_vi}"
        f" / Invalid recurrence rule (RRULE) {rule!r}: {reason_en}",
    )


def normalise_rule(text: str) -> str:
    """One RRULE line without its `RRULE:` prefix, upper-case; other iCalendar lines are refused."""
    rule = text.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    rule = rule.strip().upper()
    if not rule or any(c in rule for c in "\r\n:") or len(rule) > 500:
        raise _bad_rule(text, "chỉ nhận một dòng RRULE", "give a single RRULE line")
    parts = dict(p.partition("=")[::2] for p in rule.split(";") if p)
    if parts.get("FREQ") not in _ALLOWED_FREQ:
        raise _bad_rule(
            text, "FREQ phải là HOURLY, DAILY, WEEKLY, MONTHLY hoặc YEARLY", "FREQ must be HOURLY to YEARLY"
        )
    if "DTSTART" in parts:
        raise _bad_rule(
            text, "không đặt DTSTART trong quy tắc, hãy dùng trường 'start'", "use 'start', not DTSTART"
        )
    until = parts.get("UNTIL", "")
    if len(until) == 8 and until.isdigit():  # a bare date includes that whole local day
        rule = rule.replace(f"UNTIL={until}", f"UNTIL={until}T235959")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _bad_rule(text, "không dùng cùng lúc COUNT và UNTIL", "COUNT and UNTIL are exclusive")
    return rule


def _parse(rule: str, start: datetime) -> rrule:
    """Parse against an aware local start; a naive UNTIL is retried against a naive start (wall clock)."""
    try:
        try:
            parsed = rrulestr(rule, dtstart=start)
        except ValueError as exc:
            if "UNTIL" not in str(exc):
                raise
            parsed = rrulestr(rule, dtstart=start.replace(tzinfo=None))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise _bad_rule(rule, "không đọc được", str(exc) or "cannot be parsed") from None
    if not isinstance(parsed, rrule):
        raise _bad_rule(rule, "không đọc được", "cannot be parsed")
    return parsed


def _probe(rule: str) -> str:
    """A yearly rule whose occurrences include the rule's (filters only loosened), cheap to scan."""
    parts = [
        p
        for p in rule.split(";")
        if p.partition("=")[0] not in ("FREQ", "INTERVAL", "BYSETPOS", "COUNT", "UNTIL")
    ]
    loosened = []
    for part in parts:
        key, _, value = part.partition("=")
        if key == "BYDAY":
            value = ",".join(day.lstrip("+-0123456789") for day in value.split(","))
        loosened.append(f"{key}={value}")
    return ";".join(["FREQ=YEARLY", *loosened])


def _reachable(rule: str, start: datetime) -> None:
    """Refuse a rule with no occurrence within MAX_SPAN before scanning it hour by hour or day by day."""
    if rule.partition("FREQ=")[2].partition(";")[0] in _FAST_FREQ:
        return
    probe = _parse(_probe(rule), start)
    first = next(iter(probe), None)
    if first is None or first.replace(tzinfo=start.tzinfo) > start + MAX_SPAN:
        raise _bad_rule(
            rule, "không có lần phát nào trong 10 năm tới", "it yields no occurrence within 10 years"
        )


def expand_rule(
    text: str,
    *,
    start: datetime,
    tz: ZoneInfo,
    limit: int | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
    not_before: datetime | None = None,
) -> Expansion:
    """The rule's occurrences from `start` (aware), at wall-clock times of `tz`, returned in UTC.

    Occurrences before `not_before` (the frozen past) are skipped and do not count. `limit` asks for
    exactly that many occurrences (a series of episodes); otherwise the rule's own UNTIL/COUNT bounds
    it, or `horizon` after `start` (or `not_before`, if later). More than MAX_OCCURRENCES is refused.
    """
    rule = normalise_rule(text)
    local_start = start.astimezone(tz)
    parsed = _parse(rule, local_start)
    _reachable(rule, local_start)
    bounded = "COUNT=" in rule or "UNTIL=" in rule
    cap = min(limit, MAX_OCCURRENCES) if limit is not None else MAX_OCCURRENCES
    first = max(local_start, not_before or local_start)
    end = None if bounded or limit is not None else first + horizon
    starts: list[datetime] = []
    skipped = 0
    try:
        for occurrence in parsed:
            local = occurrence if occurrence.tzinfo is not None else occurrence.replace(tzinfo=tz)
            if (end is not None and local > end) or local > local_start + MAX_SPAN:
                break
            if len(starts) == cap:
                if limit is None:
                    raise _bad_rule(
                        rule,
                        f"tạo quá {MAX_OCCURRENCES} lần phát, hãy thêm UNTIL hoặc COUNT",
                        f"more than {MAX_OCCURRENCES} occurrences; add UNTIL or COUNT",
                    )
                break
            if local < first:
                skipped += 1
                continue
            starts.append(local.replace(tzinfo=tz).astimezone(UTC))
    except (ValueError, OverflowError) as exc:
        raise _bad_rule(rule, "không mở rộng được", str(exc) or "cannot be expanded") from None
    if not starts and skipped:
        raise _bad_rule(rule, "mọi lần phát đều đã qua", "every occurrence is already in the past")
    if not starts:
        raise _bad_rule(rule, "không có lần phát nào", "it yields no occurrence")
    return Expansion(rule=rule, starts=tuple(starts))
