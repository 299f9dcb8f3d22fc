"""Reading the audit trail: admins see everything, schedulers the events of channels and the grid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.grid.channels import ENTITY_CHANNEL
from channel.grid.entries import ENTITY_ENTRY, ENTITY_SERIES
from channel.grid.errors import GridError
from channel.models import AuditEvent, Role, User

__all__ = ["GRID_ENTITY_TYPES", "MAX_AUDIT_LIMIT", "list_audit_events"]

#: entity types a scheduler may read
GRID_ENTITY_TYPES = frozenset({ENTITY_CHANNEL, ENTITY_ENTRY, ENTITY_SERIES})
MAX_AUDIT_LIMIT = 1000


def list_audit_events(
    session: Session,
    *,
    viewer: User,
    entity_type: str | None = None,
    entity_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
) -> Sequence[AuditEvent]:
    """The newest audit events matching the filters, newest first; schedulers only see grid types."""
    query = select(AuditEvent)
    if not viewer.has_role(Role.ADMIN):
        if entity_type is not None and entity_type not in GRID_ENTITY_TYPES:
            raise GridError(
                status=403,
                code="forbidden",
                message="Người lập lịch chỉ được xem nhật ký của kênh và lịch phát"
                " / Schedulers may only read the audit log of channels and the grid",
            )
        query = query.where(AuditEvent.entity_type.in_(sorted(GRID_ENTITY_TYPES)))
    if entity_type is not None:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    limit = max(1, min(limit, MAX_AUDIT_LIMIT))
    return session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit)).all()
