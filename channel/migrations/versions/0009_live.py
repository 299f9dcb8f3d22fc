"""live: live events on a channel's grid, with a hashed per-event stream key

Revision ID: 0009_live
Revises: 0008_audience
Create Date: 2026-11-30 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0009_live"
down_revision: str | None = "0008_audience"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("legal_documents", sa.JSON(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("scheduled", "cancelled", name="livestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_programme_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_live_events_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_live_events_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_events")),
    )
    op.create_index(
        "ix_live_events_channel_id_start_at", "live_events", ["channel_id", "start_at"], unique=False
    )
    op.create_index(op.f("ix_live_events_key_hash"), "live_events", ["key_hash"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_live_events_key_hash"), table_name="live_events")
    op.drop_index("ix_live_events_channel_id_start_at", table_name="live_events")
    op.drop_table("live_events")
