"""The audit trail: every change to programmes, the grid and accounts is recorded with who and when.

Records join the tamper-evident hash chain (`channel.audit.chain`) when the change they describe commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from channel.audit.chain import queue
from channel.models import AuditEvent, Role, new_id, utcnow

__all__ = ["Actor", "diff", "record", "record_by"]


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that changed, as {field: {"from": old, "to": new}}."""
    return {
        key: {"from": before.get(key), "to": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    entity_id: object,
    changes: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session; it joins the chain when the change it describes commits."""
    event = AuditEvent(
        id=new_id(),
        at=utcnow(),
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=_json_safe(changes or {}),
        request_id=request_id,
    )
    queue(session, event)
    return event


def record_by(
    session: Session,
    actor: Actor,
    action: str,
    *,
    entity_type: str,
    entity_id: object,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """`record` a change `actor` made: the acting user and the request come from the one `Actor`."""
    return record(
        session,
        actor_id=actor.user_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=changes,
        request_id=actor.request_id,
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, under which request, at which instant: what an audited change records about itself.

    Routes get it from one dependency (`channel.auth.deps`), so the acting user, the request id and the
    clock are not read again at every call site.
    """

    user_id: uuid.UUID | None
    request_id: str | None
    now: datetime
    #: every role the acting user holds (an admin may do everything the others may)
    roles: frozenset[Role] = frozenset()
