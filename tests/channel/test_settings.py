"""Settings: embedded defaults, environment overrides, and one-line messages for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from channel.settings import Settings
from channel.startup import ConfigError, check_database, describe_validation_error, load_settings


def test_embedded_defaults_need_no_external_service(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'legaltv.sqlite3'}"
    assert settings.resolved_broker_url == "filesystem://localhost/"
    assert settings.resolved_result_backend.startswith("db+sqlite:///")
    assert settings.resolved_storage_path == (tmp_path / "store").resolve()
    assert settings.run_embedded_worker is True


def test_environment_switches_to_production_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGALTV_DATABASE_URL", "postgresql+psycopg://app@db/legaltv")
    monkeypatch.setenv("LEGALTV_BROKER_URL", "redis://redis:6379/0")
    monkeypatch.setenv("LEGALTV_STORAGE_BACKEND", "s3")
    monkeypatch.setenv("LEGALTV_S3_ENDPOINT_URL", "http://minio:9000")
    settings = load_settings()
    assert settings.resolved_database_url == "postgresql+psycopg://app@db/legaltv"
    assert settings.storage_backend == "s3"
    assert settings.run_embedded_worker is False


def test_unknown_storage_backend_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGALTV_STORAGE_BACKEND", "ftp")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == (
        "bad configuration: LEGALTV_STORAGE_BACKEND: unknown storage backend 'ftp'; use 'local' or 's3'"
    )


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(env="production")
    assert "LEGALTV_SECRET_KEY must be set" in describe_validation_error(caught.value)


def test_several_bad_values_stay_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGALTV_PORT", "x")
    monkeypatch.setenv("LEGALTV_FPS", "y")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert "LEGALTV_PORT: " in message
    assert "LEGALTV_FPS: " in message


def test_check_database_redacts_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        check_database("postgresql+psycopg://bob:hunter2@127.0.0.1:1/x", timeout=2)
    assert str(caught.value) == (
        "cannot reach the database (LEGALTV_DATABASE_URL=postgresql+psycopg://bob:***@127.0.0.1:1/x): "
        "connection refused"
    )


def test_check_database_accepts_a_reachable_sqlite(tmp_path: Path) -> None:
    check_database(f"sqlite:///{tmp_path / 'db' / 'x.sqlite3'}")
    assert (tmp_path / "db" / "x.sqlite3").is_file()
