"""audience: counts of viewing sessions per slot of air time (the embedded database, no Redis), and
campaigns grouping programmes under a theme and a period

Revision ID: 0008_audience
Revises: 0007_editorial
Create Date: 2026-11-30 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0008_audience"
down_revision: str | None = "0007_editorial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audience_slots",
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.Column("minute_us", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("airing_key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("programme_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("airing_start_us", sa.BigInteger(), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("referrer", sa.String(length=8), nullable=False),
        sa.Column("device", sa.String(length=8), nullable=False),
        sa.Column("watch_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slug", "token", "slot", name=op.f("pk_audience_slots")),
    )
    op.create_index("ix_audience_slots_slug_minute_us", "audience_slots", ["slug", "minute_us"])
    op.create_index("ix_audience_slots_slug_day", "audience_slots", ["slug", "day"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_programmes",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_programmes_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_campaign_programmes_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "programme_id", name=op.f("pk_campaign_programmes")),
    )
    op.create_index(op.f("ix_campaign_programmes_programme_id"), "campaign_programmes", ["programme_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_campaign_programmes_programme_id"), table_name="campaign_programmes")
    op.drop_table("campaign_programmes")
    op.drop_table("campaigns")
    op.drop_index("ix_audience_slots_slug_day", table_name="audience_slots")
    op.drop_index("ix_audience_slots_slug_minute_us", table_name="audience_slots")
    op.drop_table("audience_slots")
