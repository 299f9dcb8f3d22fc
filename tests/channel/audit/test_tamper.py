"""Tampering with the audit log on PostgreSQL, as someone with database rights would: the trigger refuses
edits and deletions; with the trigger dropped, `legaltv audit verify` (the real command) names the first
broken record and exits non-zero; a chain rewritten from the edit onwards is caught by an anchor."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from channel import audit
from channel.audit.verify import Anchor, Break, verify_chain
from channel.models import AuditEvent
from tests.channel.audit.conftest import PgSchema
from tests.legaltv_cli import cli_env, run_cli

pytestmark = pytest.mark.postgres


def _fill(pg: PgSchema, count: int = 6) -> None:
    with pg.sessions() as session:
        for n in range(1, count + 1):
            audit.record(
                session,
                actor_id=None,
                action="entry.create",
                entity_type="entry",
                entity_id=f"e-{n}",
                changes={"programme": f"Hỏi đáp pháp luật số {n}", "start": f"2026-12-0{n}T20:00:00+07:00"},
                request_id=f"r-{n}",
            )
            session.commit()


def _sql(pg: PgSchema, statement: str) -> None:
    with pg.engine.begin() as conn:
        conn.execute(text(statement))


def _drop_trigger(pg: PgSchema) -> None:
    _sql(pg, "DROP TRIGGER audit_events_no_update_delete ON audit_events")


def _break(pg: PgSchema, anchors: Iterable[Anchor] = ()) -> Break:
    """Where verification finds the chain broken; the test fails if it finds the chain intact."""
    with pg.sessions() as session:
        broken = verify_chain(session, anchors=anchors).broken
    assert broken is not None
    return broken


def _verify_cli(pg: PgSchema, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(tmp_path / "var", LEGALTV_DATABASE_URL=pg.url, LEGALTV_LOG_LEVEL="INFO")
    return run_cli("audit", "verify", *extra, env=env)


def test_the_trigger_refuses_update_delete_and_truncate(pg: PgSchema) -> None:
    _fill(pg, 2)
    for statement in (
        "UPDATE audit_events SET entity_id = 'x' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 2",
        "TRUNCATE audit_events",
        "DELETE FROM audit_chain_head",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            _sql(pg, statement)
    with pg.sessions() as session:
        assert verify_chain(session).checked == 2


def test_an_intact_chain_verifies_and_the_head_is_logged(pg: PgSchema, tmp_path: Path) -> None:
    _fill(pg)
    done = _verify_cli(pg, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: 6 records, chain intact" in done.stdout
    with pg.sessions() as session:
        last = session.scalar(text("SELECT hash FROM audit_events WHERE seq = 6"))
    assert f"head 6:{last}" in done.stdout
    assert '"msg": "audit chain head 6:' in done.stderr  # the log line an outside copy keeps
    assert '"source": "verify"' in done.stderr


@pytest.mark.parametrize(
    ("tampering", "reported"),
    [
        pytest.param(
            'UPDATE audit_events SET changes = \'{"programme": "Chương trình khác"}\' WHERE seq = 3',
            ("BROKEN at record #3", "edited", "2 records checked before it"),
            id="edited",
        ),
        pytest.param(
            "DELETE FROM audit_events WHERE seq = 4",
            ("BROKEN at record #5", "deleted: record #4 is missing"),
            id="deleted",
        ),
    ],
)
def test_an_edited_or_deleted_record_is_found(
    pg: PgSchema, tmp_path: Path, tampering: str, reported: tuple[str, ...]
) -> None:
    _fill(pg)
    _drop_trigger(pg)
    _sql(pg, tampering)
    done = _verify_cli(pg, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    for words in reported:
        assert words in done.stdout


def test_records_deleted_from_the_end_are_found(pg: PgSchema) -> None:
    _fill(pg)
    _drop_trigger(pg)
    _sql(pg, "DELETE FROM audit_events WHERE seq >= 5")
    broken = _break(pg)
    assert (broken.kind, broken.seq) == ("deleted", 5)
    assert "#5–#6 are missing (deleted from the end)" in broken.message


def test_an_inserted_or_reordered_record_is_found(pg: PgSchema) -> None:
    _fill(pg)
    _drop_trigger(pg)
    # reordered: two records swap places (their numbers are hashed, so each no longer matches)
    _sql(pg, "UPDATE audit_events SET seq = -seq WHERE seq IN (2, 3)")
    _sql(pg, "UPDATE audit_events SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq IN (-2, -3)")
    broken = _break(pg)
    assert (broken.kind, broken.seq) == ("edited", 2)


def test_a_record_forged_with_a_correct_hash_is_found(pg: PgSchema) -> None:
    """An attacker who knows the hashing appends a well-formed record behind the service's back."""
    _fill(pg, 3)
    with pg.sessions() as session:
        last = session.scalar(text("SELECT hash FROM audit_events WHERE seq = 3"))
        forged = AuditEvent(
            id=uuid.uuid4(),
            seq=4,
            at=datetime.now(UTC),
            action="user.update",
            entity_type="user",
            entity_id="ke-gian",
            changes={},
            prev_hash=last,
        )
        forged.hash = audit.hash_of(forged)
        session.add(forged)  # straight in: not through audit.record
        session.flush()
        session.commit()
    broken = _break(pg)
    assert (broken.kind, broken.seq) == ("inserted", 4)  # past the head the service recorded


def test_a_chain_rewritten_after_the_edit_is_caught_by_an_anchor(pg: PgSchema, tmp_path: Path) -> None:
    """Someone who edits a record and recomputes every hash after it (and the head) leaves a chain that is
    consistent in itself; the head logged earlier, kept outside, still tells."""
    _fill(pg)
    with pg.sessions() as session:
        anchored = verify_chain(session)
    anchor = f"{anchored.last_seq}:{anchored.last_hash}"
    _drop_trigger(pg)
    _sql(pg, "UPDATE audit_events SET entity_id = 'e-khac' WHERE seq = 2")
    with pg.sessions() as session:
        events = session.query(AuditEvent).order_by(AuditEvent.seq).all()
        previous = events[0].hash
        for event in events[1:]:
            event.prev_hash = previous
            event.hash = previous = audit.hash_of(event)
        session.flush()
        session.execute(text("UPDATE audit_chain_head SET hash = :h"), {"h": previous})
        session.commit()
        assert verify_chain(session).ok  # consistent in itself
    broken = _break(pg, anchors=[Anchor(anchored.last_seq, anchored.last_hash)])
    assert (broken.kind, broken.seq) == ("anchor", 6)
    done = _verify_cli(pg, tmp_path, "--anchor", anchor)
    assert done.returncode == 1
    assert "the chain was rewritten" in done.stdout
    bad = _verify_cli(pg, tmp_path, "--anchor", "6:nothex")
    assert bad.returncode == 2
    assert "SEQ:HASH" in bad.stderr
