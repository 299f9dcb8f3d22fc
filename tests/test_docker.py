"""The compose file is valid and wires api and worker to PostgreSQL, Redis and MinIO."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker" / "compose.yaml"
SERVICES = {"api", "worker", "redis", "postgres", "minio", "createbuckets"}


def _compose(
    *args: str, secret: str | None = "test-secret-not-for-production"
) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not installed: install Debian's docker-compose package (apt-get install docker-compose)"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGALTV_")}
    if secret is not None:
        env["LEGALTV_SECRET_KEY"] = secret
    return subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = _compose("config")
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


def test_compose_file_is_valid() -> None:
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_secret_key_is_required() -> None:
    result = _compose("config", "-q", secret=None)
    assert result.returncode != 0
    assert "set it" in result.stderr


def test_all_services_present(config: dict[str, Any]) -> None:
    assert set(config["services"]) == SERVICES


@pytest.mark.parametrize("service", ["api", "worker"])
def test_app_services_point_at_the_stack(config: dict[str, Any], service: str) -> None:
    env = config["services"][service]["environment"]
    assert env["LEGALTV_ENV"] == "production"
    assert env["LEGALTV_SECRET_KEY"] == "test-secret-not-for-production"
    assert env["LEGALTV_DATABASE_URL"] == "postgresql+psycopg://legaltv:legaltv@postgres:5432/legaltv"
    assert env["LEGALTV_BROKER_URL"] == "redis://redis:6379/0"
    assert env["LEGALTV_RESULT_BACKEND"] == "redis://redis:6379/1"
    assert env["LEGALTV_STORAGE_BACKEND"] == "s3"
    assert env["LEGALTV_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["LEGALTV_S3_BUCKET"] == "legaltv"
    assert env["LEGALTV_S3_ACCESS_KEY_ID"]
    assert env["LEGALTV_S3_SECRET_ACCESS_KEY"]
    assert env["LEGALTV_HOST"] == "0.0.0.0"
    depends = config["services"][service]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["minio"]["condition"] == "service_healthy"
    assert depends["createbuckets"]["condition"] == "service_completed_successfully"


def test_commands(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["api"]["command"] == ["serve"]
    worker = [*services["worker"]["entrypoint"], *services["worker"]["command"]]
    assert worker[:4] == ["celery", "-A", "channel.worker", "worker"]
    assert "transcode,quick" in worker[worker.index("-Q") + 1]
    assert "--concurrency=2" in worker
    assert services["postgres"]["image"].startswith("postgres:16")
    assert "mc mb --ignore-existing local/legaltv" in " ".join(services["createbuckets"]["command"])


def test_minio_credentials_match_the_app(config: dict[str, Any]) -> None:
    services = config["services"]
    minio = services["minio"]["environment"]
    api = services["api"]["environment"]
    assert minio["MINIO_ROOT_USER"] == api["LEGALTV_S3_ACCESS_KEY_ID"]
    assert minio["MINIO_ROOT_PASSWORD"] == api["LEGALTV_S3_SECRET_ACCESS_KEY"]
    assert services["createbuckets"]["environment"] == minio


def test_long_running_services_have_healthchecks(config: dict[str, Any]) -> None:
    for name in SERVICES - {"createbuckets"}:
        assert config["services"][name].get("healthcheck", {}).get("test"), name


def test_dockerfile_basics() -> None:
    text = (ROOT / "docker" / "Dockerfile").read_text()
    assert "\nFROM python:3.11-slim-bookworm\n" in text
    assert "ffmpeg" in text
    assert "fonts-dejavu-core" in text
    assert "-c constraints.txt" in text
    assert "\nUSER legaltv\n" in text
    assert 'ENTRYPOINT ["legaltv"]' in text
