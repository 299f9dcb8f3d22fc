"""staff: several roles per user (editor added), sessions with idle timeout, TOTP second factor, hash-chained audit

- `users.role` becomes rows of `user_roles` (every existing user keeps their role);
- `api_tokens` (sessions) gain scope, factors, last use, client address, user agent and revocation reason;
- `mfa_credentials` and `mfa_recovery_codes` hold the second factor;
- `audit_events` gain `seq`, `prev_hash` and `hash`: existing records are chained here, in the order
  they happened, and `audit_chain_head` records the last one; `actor_id` loses ON DELETE SET NULL
  (an append-only row is never updated), and on PostgreSQL a trigger refuses UPDATE, DELETE and
  TRUNCATE of the audit log (and DELETE of its head).

The hash is computed here by a frozen copy of `channel.audit.chain.canonical_json` (version 1), so this
migration keeps producing what version 1 of the chain means even if the service's code moves on.

Revision ID: 0006_staff
Revises: 0005_jobs
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0006_staff"
down_revision: str | None = "0005_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES = ("admin", "producer", "scheduler", "editor")
_GENESIS = "0" * 64

_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""
_DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_chain_head_no_delete ON audit_chain_head;
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events;
DROP FUNCTION IF EXISTS audit_events_append_only();
"""


def _canonical_v1(row: Any, *, seq: int, prev_hash: str) -> bytes:
    at: datetime = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    fields = {
        "v": 1,
        "seq": seq,
        "id": str(row.id),
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": str(row.actor_id) if row.actor_id is not None else None,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "changes": row.changes,
        "request_id": row.request_id,
        "prev_hash": prev_hash,
    }
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def _roles_up() -> None:
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Enum(*_ROLES, name="role", native_enum=False, length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    op.execute("INSERT INTO user_roles (user_id, role) SELECT id, role FROM users")
    # not in batch mode: on SQLite a batch rebuilds the table, and dropping the old `users` would cascade
    # into every table that references it; SQLite >= 3.35 drops a plain column in place
    op.drop_column("users", "role")


def _sessions_up() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scope",
                sa.Enum("full", "mfa_enrolment", name="sessionscope", native_enum=False, length=32),
                server_default="full",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("factors", sa.String(length=32), server_default="password", nullable=False)
        )
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("client_address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("user_agent", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.String(length=32), nullable=True))
    op.execute("UPDATE api_tokens SET last_used_at = created_at")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("last_used_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def _mfa_up() -> None:
    op.create_table(
        "mfa_credentials",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_credentials_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mfa_credentials")),
    )
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_mfa_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("mfa_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mfa_recovery_codes_user_id"), ["user_id"], unique=False)


def _chain_existing() -> tuple[int, str]:
    """Number and hash the records already there, oldest first; the last one's (seq, hash)."""
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Uuid()),
        sa.column("actor_id", sa.Uuid()),
        sa.column("action", sa.String()),
        sa.column("entity_type", sa.String()),
        sa.column("entity_id", sa.String()),
        sa.column("changes", sa.JSON()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("request_id", sa.String()),
        sa.column("seq", sa.BigInteger()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(events).order_by(events.c.at, events.c.id)).all()
    seq, prev_hash, updates = 0, _GENESIS, []
    for row in rows:
        seq += 1
        digest = hashlib.sha256(_canonical_v1(row, seq=seq, prev_hash=prev_hash)).hexdigest()
        updates.append({"key": row.id, "n": seq, "previous": prev_hash, "digest": digest})
        prev_hash = digest
    if updates:
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("key"))
            .values(seq=sa.bindparam("n"), prev_hash=sa.bindparam("previous"), hash=sa.bindparam("digest")),
            updates,
        )
    return seq, prev_hash


def _audit_up() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    last_seq, last_hash = _chain_existing()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_seq"), ["seq"])
        batch_op.drop_constraint("fk_audit_events_actor_id_users", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_actor_id_users"), "users", ["actor_id"], ["id"]
        )
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": last_seq, "hash": last_hash}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY)


def upgrade() -> None:
    _roles_up()
    _sessions_up()
    _mfa_up()
    _audit_up()


def downgrade() -> None:
    """Back to one role per user (admin, else scheduler, else producer: editors become producers) and an
    unchained audit log; second factors and session details are dropped."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_DROP_APPEND_ONLY)
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_events_actor_id_users", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_actor_id_users"), "users", ["actor_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_constraint(batch_op.f("uq_audit_events_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    with op.batch_alter_table("mfa_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mfa_recovery_codes_user_id"))
    op.drop_table("mfa_recovery_codes")
    op.drop_table("mfa_credentials")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        for column in ("revoked_reason", "user_agent", "client_address", "last_used_at", "factors", "scope"):
            batch_op.drop_column(column)
    op.add_column(
        "users",
        sa.Column(
            "role",
            sa.Enum("admin", "producer", "scheduler", name="role", native_enum=False, length=32),
            nullable=True,
        ),
    )
    op.execute(
        "UPDATE users SET role = CASE"
        " WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'admin') THEN 'admin'"
        " WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'scheduler')"
        " THEN 'scheduler' ELSE 'producer' END"
    )
    if (
        op.get_bind().dialect.name != "sqlite"
    ):  # SQLite: left nullable rather than rebuild `users` (see above)
        op.alter_column("users", "role", existing_type=sa.String(length=32), nullable=False)
    op.drop_table("user_roles")
