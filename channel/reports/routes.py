"""The report API: a channel's audience and airtime over a period as JSON (the console's «Báo cáo»
page and the national legal portal read the same), and each table as CSV or XLSX.

Who may read: staff with the admin, editor or scheduler role, or whoever presents the read-only
report token (`LEGALTV_AUDIENCE_REPORT_TOKEN`, given to the portal; it opens these routes only).
"""

from __future__ import annotations

import hmac
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from channel.audience import AUDIENCE
from channel.auth.deps import OptionalUser, bearer_token, forbidden
from channel.deps import SessionDep, SettingsDep, StateDep
from channel.grid.channels import get_channel
from channel.grid.errors import GridRoute
from channel.models import Role
from channel.playout.asrun import record_as_run
from channel.reports.export import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from channel.reports.periods import Period, span_of
from channel.reports.present import report_out
from channel.reports.report import Report, build_report
from channel.reports.schemas import ReportOut
from channel.reports.tables import TABLES, table_of

__all__ = ["READERS", "router"]

router = APIRouter(
    prefix="/api/reports", tags=["reports"], route_class=GridRoute
)  # 404 for an unknown channel

#: the roles that may read reports (admins always may)
READERS = frozenset({Role.ADMIN, Role.EDITOR, Role.SCHEDULER})
_FORMATS = {"csv": (CSV_TYPE, to_csv), "xlsx": (XLSX_TYPE, to_xlsx)}


def report_reader(request: Request, settings: SettingsDep, user: OptionalUser) -> None:
    """Staff who may read reports, or the portal's read-only token; 401/403 in the error envelope."""
    token = settings.audience_report_token
    presented = bearer_token(request)
    if token and presented and hmac.compare_digest(presented.encode(), token.encode()):
        return
    if user is None:
        raise HTTPException(
            401,
            detail={"code": "unauthenticated", "message": "Cần đăng nhập / Sign in first"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not user.roles & READERS:
        raise forbidden("Tài khoản không có quyền xem báo cáo / Your role may not read reports")


Reader = Annotated[None, Depends(report_reader)]
PeriodQuery = Annotated[Period, Query(description="day, week (Monday first), month, quarter or custom")]
DateQuery = Annotated[
    date | None, Query(alias="date", description="A day of the period (local; default: today)")
]
EndQuery = Annotated[date | None, Query(description="Last day of a custom period (inclusive)")]


def _report(
    session: SessionDep, state: StateDep, *, slug: str, period: Period, on: date | None, end: date | None
) -> Report:
    settings = state.settings
    zone = ZoneInfo(settings.timezone)
    now = datetime.now(UTC)
    try:
        span = span_of(period, on or now.astimezone(zone).date(), zone, last=end)
    except ValueError as exc:
        raise HTTPException(
            422, detail={"code": "bad_period", "message": f"Khoảng thời gian không hợp lệ / {exc}"}
        ) from None
    channel = get_channel(session, slug)
    record_as_run(session, channel_id=channel.id, until=now)  # the log is complete up to now
    session.commit()
    return build_report(session, state.part(AUDIENCE).counters, channel=channel, period=period, span=span)


def _query(period: Period, on: date | None, end: date | None) -> str:
    params = {
        "period": period,
        "date": on.isoformat() if on else None,
        "end": end.isoformat() if end else None,
    }
    return urlencode({k: v for k, v in params.items() if v})


@router.get("/{slug}", response_model=ReportOut)
def get_report(
    slug: str,
    session: SessionDep,
    state: StateDep,
    _reader: Reader,
    period: PeriodQuery = "day",
    on: DateQuery = None,
    end: EndQuery = None,
) -> ReportOut:
    """Viewers over time, watch time by legal topic, top programmes, watch time by variant, referrer and
    device, airtime by topic and legal document planned against aired, for one period (local days)."""
    report = _report(session, state, slug=slug, period=period, on=on, end=end)
    return report_out(report, export_path=f"/api/reports/{slug}", query=_query(period, on, end))


@router.get(
    "/{slug}/{name}",
    responses={200: {"content": {CSV_TYPE: {}, XLSX_TYPE: {}}, "description": "The table as a file"}},
    response_class=Response,
)
def get_export(
    slug: str,
    name: str,
    session: SessionDep,
    state: StateDep,
    _reader: Reader,
    period: PeriodQuery = "day",
    on: DateQuery = None,
    end: EndQuery = None,
) -> Response:
    """One table (`viewers`, `topics`, `programmes`, `airtime-topics`, `airtime-documents`,
    `breakdown`) as `<table>.csv` (UTF-8 with BOM) or `<table>.xlsx`, Vietnamese headers."""
    table, _, fmt = name.rpartition(".")
    if table not in TABLES or fmt not in _FORMATS:
        raise HTTPException(404, detail={"code": "not_found", "message": "Không có bảng này / No such table"})
    report = _report(session, state, slug=slug, period=period, on=on, end=end)
    media_type, write = _FORMATS[fmt]
    filename = f"bao-cao-{slug}-{report.span.first.isoformat()}-{report.span.last.isoformat()}-{table}.{fmt}"
    return Response(
        write(table_of(report, table)),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
