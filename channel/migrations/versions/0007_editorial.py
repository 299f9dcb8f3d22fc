"""editorial: reviews of exact revisions (four eyes), emergency takeovers, the cause of an as-run entry

- `reviews` holds every approval and rejection of a revision (its facts, fingerprint, and for an
  approval the media that airs), and the withdrawal or pull that ended an approval;
- `channel_takeovers` holds each emergency takeover of a channel, open until released;
- `as_run_entries.cause` says why an entry replaced the grid (takeover, withdrawal, pull).

Nothing existing is approved here: after this migration only programmes an editor approves air (see
docs/editorial.md, "Upgrading a channel that is on air").

Revision ID: 0007_editorial
Revises: 0006_staff
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0007_editorial"
down_revision: str | None = "0006_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=True),
        sa.Column("media_prefix", sa.String(length=512), nullable=True),
        sa.Column(
            "decision",
            sa.Enum("approved", "rejected", name="reviewdecision", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column(
            "withdrawal_kind",
            sa.Enum("withdrawn", "pulled", name="withdrawalkind", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("withdrawn_channel_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_reviews_decided_by_id_users")),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_reviews_withdrawn_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_channel_id"],
            ["channels.id"],
            name=op.f("fk_reviews_withdrawn_channel_id_channels"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(
        "ix_reviews_subject_type_subject_id_decided_at",
        "reviews",
        ["subject_type", "subject_id", "decided_at"],
        unique=False,
    )
    op.create_table(
        "channel_takeovers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("slate", "programme", name="takeoversource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by_id", sa.Uuid(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_channel_takeovers_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_channel_takeovers_programme_id_programmes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_channel_takeovers_started_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"], ["users.id"], name=op.f("fk_channel_takeovers_released_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_takeovers")),
    )
    op.create_index(
        "ix_channel_takeovers_channel_id_started_at",
        "channel_takeovers",
        ["channel_id", "started_at"],
        unique=False,
    )
    # not in batch mode: SQLite adds a nullable column in place (a batch would rebuild the table)
    op.add_column("as_run_entries", sa.Column("cause", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("as_run_entries", schema=None) as batch_op:
        batch_op.drop_column("cause")
    op.drop_index("ix_channel_takeovers_channel_id_started_at", table_name="channel_takeovers")
    op.drop_table("channel_takeovers")
    op.drop_index("ix_reviews_subject_type_subject_id_decided_at", table_name="reviews")
    op.drop_table("reviews")
