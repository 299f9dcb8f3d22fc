"""The security officer's download: a period of the audit log as CSV, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import StreamingResponse

from channel.audit.export import csv_lines, export_filename, period_of_days
from channel.auth.deps import AdminUser
from channel.deps import SessionFactoryDep
from channel.timeparams import DAY_HELP, parse_day

__all__ = ["CsvStream", "router"]

router = APIRouter(prefix="/api", tags=["audit"])

_DAY = r"^\d{4}-\d{2}-\d{2}$"


class CsvStream(StreamingResponse):
    media_type = "text/csv"


@router.get("/audit/export.csv", response_class=CsvStream)
def get_audit_export(
    _admin: AdminUser,
    factory: SessionFactoryDep,
    first: Annotated[str, Query(alias="from", pattern=_DAY, description="first day (YYYY-MM-DD)")],
    last: Annotated[str, Query(alias="to", pattern=_DAY, description="last day, included (YYYY-MM-DD)")],
) -> CsvStream:
    """The audit records of whole days in Vietnam's time, in chain order (UTF-8 with BOM, for Excel)."""
    try:
        period = period_of_days(parse_day(first), parse_day(last))
    except ValueError:
        raise HTTPException(
            422,
            detail={
                "code": "invalid_period",
                "message": f"{DAY_HELP}; ngày đầu không sau ngày cuối / the first day not after the last",
            },
        ) from None
    return CsvStream(
        csv_lines(factory, period),
        headers={"Content-Disposition": f'attachment; filename="{export_filename(period)}"'},
    )
