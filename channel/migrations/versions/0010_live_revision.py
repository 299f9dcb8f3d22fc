"""live revision: a live event counts the revisions of its editorial facts (what an editor approves)

Revision ID: 0010_live_revision
Revises: 0009_live
Create Date: 2026-11-30 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0010_live_revision"
down_revision: str | None = "0009_live"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("live_events", sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("live_events", "revision")
