"""The compose file is valid and wires the edge, two API replicas and the worker to PostgreSQL, Redis and MinIO."""

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
SERVICES = {"edge", "api", "api2", "ingest", "worker", "redis", "postgres", "minio", "createbuckets"}


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


@pytest.mark.parametrize("service", ["api", "api2", "worker"])
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
    assert services["api"]["command"] == services["api2"]["command"] == ["serve"]
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


def test_the_edge_is_the_only_way_in_and_fronts_both_replicas(config: dict[str, Any]) -> None:
    services = config["services"]
    assert [p["target"] for p in services["edge"]["ports"]] == [8080]
    assert not services["api"].get("ports")
    assert not services["api2"].get("ports")
    edge = services["edge"]
    assert (
        edge["environment"]["LEGALTV_EDGE_UPSTREAMS"]
        == "server api:8000 max_fails=0; server api2:8000 max_fails=0;"
    )
    assert {name: d["condition"] for name, d in edge["depends_on"].items()} == {
        "api": "service_healthy",
        "api2": "service_healthy",
    }
    assert any(
        v.endswith(":/etc/nginx/templates:ro")
        for v in (f"{x['source']}:{x['target']}:ro" if isinstance(x, dict) else x for x in edge["volumes"])
    )
    # segments come from the bucket through the edge: only the public prefixes are readable by anyone
    script = " ".join(services["createbuckets"]["command"])
    assert "mc anonymous set download local/legaltv/programmes" in script
    assert "mc anonymous set download local/legaltv/slates" in script
    assert "mc anonymous set download local/legaltv/live" in script
    assert "mc anonymous set download local/legaltv " not in script + " "
    # the replicas believe the edge's X-Forwarded-For: it comes from the stack's own network
    subnet = config["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert services["api"]["environment"]["LEGALTV_TRUSTED_PROXIES"] == f'["{subnet}"]'


def test_the_edge_configuration_of_the_compose_file_is_accepted_by_nginx(
    config: dict[str, Any], tmp_path: Path
) -> None:
    """Every name the templates use has a value in the compose file, and nginx accepts the result (the
    stack's host names swapped for loopback: `nginx -t` resolves them)."""
    from tests.edgeserver import TEMPLATES, render
    from tests.processes import free_port

    env = dict(config["services"]["edge"]["environment"])
    env["LEGALTV_EDGE_CONF_DIR"] = str(tmp_path / "conf.d")
    env["LEGALTV_EDGE_CACHE_DIR"] = str(tmp_path / "cache")
    env["LEGALTV_EDGE_LISTEN"] = f"127.0.0.1:{free_port()}"
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "cache").mkdir()  # the compose file mounts a volume there
    for template in TEMPLATES.glob("*.template"):
        text = render(template.read_text(), env)
        for host in ("server api2:", "server api:", "//minio:"):
            text = text.replace(host, host.replace(host.strip("/ ").removeprefix("server "), "127.0.0.1:"))
        (tmp_path / "conf.d" / template.name.removesuffix(".template")).write_text(text)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ proxy_temp_path {tmp_path}/proxy; client_body_temp_path {tmp_path}/body; "
        f"include {tmp_path}/conf.d/legaltv-edge.conf; }}\n"
    )
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_ingest_service_runs_the_live_listeners(config: dict[str, Any]) -> None:
    ingest = config["services"]["ingest"]
    assert ingest["command"] == ["ingest"]
    assert ingest["environment"]["LEGALTV_STORAGE_BACKEND"] == "s3"
    published = {(p["target"], p.get("protocol", "tcp")) for p in ingest["ports"]}
    assert published == {(1935, "tcp"), (9000, "udp")}
    assert "libnginx-mod-rtmp" in (ROOT / "docker" / "Dockerfile").read_text()
