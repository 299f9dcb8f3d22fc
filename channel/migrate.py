"""Apply the Alembic migrations programmatically (`legaltv migrate`, `legaltv serve`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from channel.settings import Settings
from channel.startup import check_database

__all__ = ["MIGRATIONS_DIR", "alembic_config", "migrate_database", "upgrade", "upgrade_engine"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """The packaged Alembic config; the URL or connection travels in `attributes`, never in the file."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (normally the latest)."""
    command.upgrade(alembic_config(url=url), revision)


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Same as `upgrade` on an existing engine (keeps its connect arguments, e.g. a search_path)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), revision)


def migrate_database(settings: Settings) -> None:
    """The configured database, reachable (or one line naming the setting) and at the latest schema."""
    url = settings.resolved_database_url
    check_database(url)
    upgrade(url)
