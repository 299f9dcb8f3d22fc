"""The chain head written to the log, so a copy outside the database can anchor the audit chain.

Every API replica logs the head (sequence number and hash) every LEGALTV_AUDIT_ANCHOR_SECONDS, and `legaltv audit verify` logs it after checking. Log lines go to
wherever the operator ships logs (journald, a SIEM): someone who can rewrite the database cannot
rewrite those, and `legaltv audit verify --anchor SEQ:HASH` then tells whether the chain still holds the
record that was anchored.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from channel.models import CHAIN_HEAD_ID, AuditChainHead

__all__ = ["ChainHead", "anchor_forever", "log_head", "read_head"]

log = logging.getLogger("legaltv.audit")


@dataclass(frozen=True, slots=True)
class ChainHead:
    seq: int
    hash: str

    @property
    def anchor(self) -> str:
        """The `SEQ:HASH` form `audit verify --anchor` takes."""
        return f"{self.seq}:{self.hash}"


def read_head(session: Session) -> ChainHead | None:
    """The chain's head as the database holds it (None when the row is missing)."""
    row = session.get(AuditChainHead, CHAIN_HEAD_ID)
    return None if row is None else ChainHead(row.seq, row.hash)


def log_head(session: Session, *, source: str) -> ChainHead | None:
    """Write the head to the log (logger `legaltv.audit`, INFO) and return it."""
    head = read_head(session)
    if head is None:
        log.warning("audit chain head missing", extra={"source": source})
        return None
    log.info(
        "audit chain head %s",
        head.anchor,
        extra={"audit_seq": head.seq, "audit_hash": head.hash, "source": source},
    )
    return head


def _log_once(engine: Engine) -> None:
    with Session(engine) as session:
        log_head(session, source="periodic")


async def anchor_forever(engine: Engine, *, interval_s: float) -> None:
    """Log the head every `interval_s` seconds until cancelled (the first after one interval: start-up
    stays free of it); a failure is logged, never raised."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(_log_once, engine)
        except Exception:
            log.warning("audit chain head could not be read now; retrying later", exc_info=True)
