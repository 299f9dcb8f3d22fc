"""jobs: transcode_jobs.attempt and transcode_jobs.heartbeat_at (heartbeat and watchdog of transcodes)

Revision ID: 0005_jobs
Revises: 0004_uploads
Create Date: 2026-11-30 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0005_jobs"
down_revision: str | None = "0004_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transcode_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("transcode_jobs", schema=None) as batch_op:
        batch_op.alter_column("attempt", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("transcode_jobs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("attempt")
