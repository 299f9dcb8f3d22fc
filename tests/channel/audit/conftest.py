"""Fixtures of the audit tests: a migrated PostgreSQL schema reachable by URL (for the real CLI too)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from channel.db import make_engine, make_sessionmaker
from channel.migrate import upgrade_engine


@dataclass(frozen=True)
class PgSchema:
    """A fresh schema at the latest migration: its URL (search_path in it), an engine and sessions."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PgSchema]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url, connect_timeout=3)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {postgres_url} is not reachable: {exc.orig}")
    separator = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{separator}options={quote(f'-csearch_path={schema}')}"
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
        yield PgSchema(url=url, engine=engine, sessions=make_sessionmaker(engine))
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
