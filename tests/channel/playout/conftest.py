"""Fixtures of the playout tests: a migrated database session factory and a seeded channel."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel.db import make_sessionmaker
from channel.migrate import upgrade_engine
from channel.settings import Settings


@pytest.fixture
def factory(db_engine: Engine) -> sessionmaker[Session]:
    upgrade_engine(db_engine)
    return make_sessionmaker(db_engine)


@pytest.fixture
def settings(tmp_path: object) -> Settings:
    return Settings(env="test")
