"""The one migration chain builds exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from channel.db import make_engine
from channel.migrate import MIGRATIONS_DIR, alembic_config, upgrade, upgrade_engine
from channel.models import Base


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_head_matches_models(db_engine: Engine) -> None:
    upgrade_engine(db_engine)

    tables = set(inspect(db_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert _diff(db_engine) == []


def test_upgrade_is_idempotent_and_records_head(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    upgrade(sqlite_url)

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert head is not None
        assert MigrationContext.configure(conn).get_current_revision() == head
    engine.dispose()


def test_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS_DIR / "alembic.ini").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()


def test_the_comparison_notices_a_schema_drift(db_engine: Engine) -> None:
    upgrade_engine(db_engine)
    with db_engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_schedule_entries_channel_id_start_at"))
    diff = _diff(db_engine)
    assert [(op[0], op[1].name) for op in diff] == [("add_index", "ix_schedule_entries_channel_id_start_at")]  # type: ignore[index, attr-defined]
