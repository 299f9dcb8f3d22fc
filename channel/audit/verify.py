"""Checking the audit chain end to end: the first record that was edited, deleted, inserted or reordered.

Every record must hash to its stored hash (else it was edited, or renumbered: the sequence number is
hashed too), carry the hash of the record before it (else something was inserted before it, or its
predecessor rewritten with a recomputed hash), and follow it without a gap in numbering (else records
were deleted). The last record must be the head row's (else records were deleted from the end, or
appended behind the service's back), and every anchor given (a sequence number and hash copied out of
the log earlier) must still match: that catches even a chain recomputed from the edit onwards by
someone with write access to the database, which no check inside the database alone can.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.audit.chain import hash_of
from channel.models import CHAIN_HEAD_ID, GENESIS_HASH, AuditChainHead, AuditEvent

__all__ = ["Anchor", "Break", "BreakKind", "Verdict", "parse_anchor", "verify_chain"]

BreakKind = Literal["edited", "deleted", "inserted", "head", "anchor"]
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Anchor:
    """A chain position copied out of the service's log: record `seq` had hash `hash`."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class Break:
    """The first place the chain is broken, and what happened there (English: an operator's report)."""

    kind: BreakKind
    seq: int
    message: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """How many records were checked, the chain's last record, and the first break (None: intact)."""

    checked: int
    last_seq: int
    last_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def parse_anchor(text: str) -> Anchor:
    """`SEQ:HASH` (as the log prints the head) to an Anchor; ValueError when malformed."""
    seq, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not seq.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"an anchor is SEQ:HASH (a number and 64 hex digits), not {text!r}")
    return Anchor(int(seq), digest)


def _check(record: AuditEvent, *, expected_seq: int, prev_hash: str) -> Break | None:
    seq, event_id = record.seq, str(record.id)
    if record.seq > expected_seq:
        missing = (
            f"#{expected_seq}" if record.seq == expected_seq + 1 else f"#{expected_seq}–#{record.seq - 1}"
        )
        return Break("deleted", seq, f"record {missing} is missing (deleted) before #{record.seq}", event_id)
    if hash_of(record) != record.hash:
        return Break(
            "edited",
            seq,
            f"record #{record.seq} ({record.action} {record.entity_type} {record.entity_id}) was"
            " changed after it was written: its content no longer matches its hash",
            event_id,
        )
    if record.prev_hash != prev_hash:
        return Break(
            "inserted",
            seq,
            f"record #{record.seq} does not follow record #{record.seq - 1}: a record was inserted or"
            f" reordered here, or #{record.seq - 1} was rewritten with a recomputed hash",
            event_id,
        )
    return None


def _check_end(head: AuditChainHead | None, *, last_seq: int, last_hash: str) -> Break | None:
    if head is None:
        return Break("head", last_seq, "the chain head row is missing (deleted)")
    if head.seq > last_seq:
        return Break(
            "deleted", last_seq + 1, f"records #{last_seq + 1}–#{head.seq} are missing (deleted from the end)"
        )
    if head.seq < last_seq:
        return Break(
            "inserted", head.seq + 1, f"records after #{head.seq} were added behind the service's back"
        )
    if head.hash != last_hash:
        return Break("edited", last_seq, f"record #{last_seq} or the chain head was rewritten")
    return None


def verify_chain(session: Session, *, anchors: Iterable[Anchor] = ()) -> Verdict:
    """Walk the whole chain in order (streamed, bounded memory) and report the first break."""
    wanted = {anchor.seq: anchor.hash for anchor in anchors}
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=_BATCH))
    broken: Break | None = None
    for record in rows:
        broken = _check(record, expected_seq=expected_seq, prev_hash=prev_hash)
        if broken is None and record.seq in wanted and wanted.pop(record.seq) != record.hash:
            broken = Break(
                "anchor",
                record.seq,
                f"record #{record.seq} no longer has the hash anchored earlier: the chain was rewritten",
                str(record.id),
            )
        if broken is not None:
            rows.close()
            break
        checked += 1
        expected_seq, prev_hash = record.seq + 1, record.hash
        session.expunge(record)  # keep memory bounded on a long chain
    last_seq = expected_seq - 1
    if broken is None:
        head = session.get(AuditChainHead, CHAIN_HEAD_ID)
        broken = _check_end(head, last_seq=last_seq, last_hash=prev_hash)
    if broken is None and wanted:
        seq = min(wanted)
        broken = Break("anchor", seq, f"anchored record #{seq} is not in the chain any more")
    return Verdict(checked=checked, last_seq=last_seq, last_hash=prev_hash, broken=broken)
