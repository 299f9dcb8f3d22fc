"""library: programmes.search_text (folded title and description) and the default legal topics

Revision ID: 0002_library
Revises: 0001
Create Date: 2026-11-29 18:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0002_library"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_programmes = sa.table(
    "programmes",
    sa.column("id", sa.Uuid()),
    sa.column("title", sa.String()),
    sa.column("description", sa.Text()),
    sa.column("search_text", sa.Text()),
)


def upgrade() -> None:
    from channel.folding import fold
    from channel.library.topics import ensure_default_topics

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.alter_column("search_text", server_default=None)

    bind = op.get_bind()
    rows = bind.execute(sa.select(_programmes.c.id, _programmes.c.title, _programmes.c.description)).all()
    for row in rows:
        bind.execute(
            _programmes.update()
            .where(_programmes.c.id == row.id)
            .values(search_text=fold(f"{row.title} {row.description}"))
        )
    session = Session(bind=bind)
    ensure_default_topics(session)
    session.close()  # joined the migration's transaction: closing neither commits nor rolls back


def downgrade() -> None:
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_column("search_text")
