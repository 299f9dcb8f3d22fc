"""search: legal_documents.key (the number as compared) and document numbers in programmes.search_text

Revision ID: 0003_search
Revises: 0002_library
Create Date: 2026-11-30 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["down_revision", "downgrade", "revision", "upgrade"]

revision: str = "0003_search"
down_revision: str | None = "0002_library"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_documents = sa.table(
    "legal_documents",
    sa.column("id", sa.Uuid()),
    sa.column("number", sa.String()),
    sa.column("key", sa.String()),
)
_programmes = sa.table(
    "programmes",
    sa.column("id", sa.Uuid()),
    sa.column("title", sa.String()),
    sa.column("description", sa.Text()),
    sa.column("search_text", sa.Text()),
)
_links = sa.table(
    "programme_legal_documents",
    sa.column("programme_id", sa.Uuid()),
    sa.column("legal_document_id", sa.Uuid()),
)


def upgrade() -> None:
    from channel.folding import document_key, programme_search_text

    with op.batch_alter_table("legal_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=100), nullable=False, server_default=""))
    with op.batch_alter_table("legal_documents", schema=None) as batch_op:
        batch_op.alter_column("key", server_default=None)
        batch_op.create_index(batch_op.f("ix_legal_documents_key"), ["key"], unique=False)

    bind = op.get_bind()
    numbers: dict[object, str] = {}
    for document in bind.execute(sa.select(_documents.c.id, _documents.c.number)).all():
        numbers[document.id] = document.number
        key = document_key(document.number)
        bind.execute(_documents.update().where(_documents.c.id == document.id).values(key=key))
    documents_of: dict[object, list[str]] = {}
    for link in bind.execute(sa.select(_links.c.programme_id, _links.c.legal_document_id)).all():
        documents_of.setdefault(link.programme_id, []).append(numbers[link.legal_document_id])
    query = sa.select(_programmes.c.id, _programmes.c.title, _programmes.c.description)
    for programme in bind.execute(query).all():
        text = programme_search_text(
            programme.title, programme.description, documents_of.get(programme.id, [])
        )
        bind.execute(_programmes.update().where(_programmes.c.id == programme.id).values(search_text=text))


def downgrade() -> None:
    with op.batch_alter_table("legal_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_documents_key"))
        batch_op.drop_column("key")
