"""Fixtures of the audit tests: a migrated PostgreSQL schema reachable by URL (for the real CLI too)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel.db import make_engine, make_sessionmaker
from channel.migrate import upgrade_engine
from tests.pgschema import pg_schema_url


@dataclass(frozen=True)
class PgSchema:
    """A fresh schema at the latest migration: its URL (search_path in it), an engine and sessions."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PgSchema]:
    with pg_schema_url(postgres_url) as url:
        engine = make_engine(url)
        try:
            upgrade_engine(engine)
            yield PgSchema(url=url, engine=engine, sessions=make_sessionmaker(engine))
        finally:
            engine.dispose()
