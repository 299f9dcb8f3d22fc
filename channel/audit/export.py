"""A period of the audit log as CSV for the security officer: opens in Excel with Vietnamese intact.

UTF-8 with a byte-order mark (Excel reads BOM-less CSV in the local ANSI code page and mangles "Quản
trị"), times in Vietnam's time (Asia/Ho_Chi_Minh) beside the exact UTC instant, and every field the
chain hashes, so a copy can be checked record by record (`docs/security-staff.md` says how). A cell
that would start a spreadsheet formula (`=`, `+`, `-`, `@`) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channel.models import AuditEvent, User

__all__ = ["EXPORT_TIMEZONE", "HEADER", "Period", "csv_lines", "export_filename", "period_of_days"]

EXPORT_TIMEZONE: Final = ZoneInfo("Asia/Ho_Chi_Minh")
BOM: Final = "\ufeff"
HEADER: Final = (
    "seq",
    "id",
    "thời gian (giờ Việt Nam) / time (Asia/Ho_Chi_Minh)",
    "UTC",
    "người thực hiện / actor",
    "actor_id",
    "hành động / action",
    "loại đối tượng / entity_type",
    "mã đối tượng / entity_id",
    "thay đổi / changes",
    "request_id",
    "prev_hash",
    "hash",
)
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_BATCH: Final = 1000


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in UTC, and the local days it was asked as (for the file name)."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date


def period_of_days(first: date, last: date) -> Period:
    """Whole days in Vietnam's time, both included; ValueError when `last` is before `first`."""
    if last < first:
        raise ValueError("the last day is before the first")
    start = datetime.combine(first, time(), EXPORT_TIMEZONE).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), EXPORT_TIMEZONE).astimezone(UTC)
    return Period(start, end, first, last)


def export_filename(period: Period) -> str:
    return f"nhat-ky-kiem-toan_{period.first_day.isoformat()}_{period.last_day.isoformat()}.csv"


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _row(event: AuditEvent, username: str | None) -> list[str]:
    at = event.at.astimezone(UTC)
    return [
        str(event.seq),
        str(event.id),
        at.astimezone(EXPORT_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S"),
        at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        _cell(username or ""),
        str(event.actor_id or ""),
        _cell(event.action),
        _cell(event.entity_type),
        _cell(event.entity_id),
        json.dumps(event.changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        _cell(event.request_id or ""),
        event.prev_hash,
        event.hash,
    ]


def _line(values: list[str] | tuple[str, ...]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def csv_lines(factory: sessionmaker[Session], period: Period) -> Iterator[str]:
    """The BOM and header, then one line per record of the period in chain order (streamed).

    Opens its own session, so a web response can stream it after the request's session is gone.
    """
    yield BOM + _line(HEADER)
    query = (
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.at >= period.start, AuditEvent.at < period.end)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=_BATCH)
    )
    with factory() as session:
        for event, username in session.execute(query):
            yield _line(_row(event, username))
