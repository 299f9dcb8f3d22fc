"""An isolated PostgreSQL schema per test: created fresh, dropped afterwards (the one way tests get one)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from channel.db import make_engine

__all__ = ["pg_schema_url"]


@contextmanager
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards.

    A context manager for the test body (not a fixture), so an unreachable server FAILS the test.
    """
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url, connect_timeout=3)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {postgres_url} is not reachable: {exc.orig}")
    try:
        separator = "&" if "?" in postgres_url else "?"
        yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
