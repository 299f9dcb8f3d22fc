"""The `legaltv` command: one-line configuration errors, migrate, check, and serve with its worker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from channel.cli import COMMANDS, build_parser
from channel.db import make_engine

LEGALTV = str(Path(sys.executable).parent / "legaltv")
ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEGALTV_")}
    return subprocess.run(
        [LEGALTV, *args], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_unknown_storage_backend_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    result = _run(["check"], {"LEGALTV_STORAGE_BACKEND": "ftp", "LEGALTV_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr == (
        "legaltv: bad configuration: LEGALTV_STORAGE_BACKEND: unknown storage backend 'ftp'; use 'local' or 's3'\n"
    )


def test_bad_number_names_the_setting(tmp_path: Path) -> None:
    result = _run(["migrate"], {"LEGALTV_PORT": "eighty", "LEGALTV_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.startswith("legaltv: bad configuration: LEGALTV_PORT: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"LEGALTV_LADDER": "1080p"}, "LEGALTV_LADDER: not valid JSON"),
        ({"LEGALTV_LADDER": "[1080, 7]"}, "LEGALTV_LADDER: rung heights"),
        ({"LEGALTV_SEGMENT_SECONDS": "5"}, "LEGALTV_SEGMENT_SECONDS: not a usable house format"),
        ({"LEGALTV_TIMEZONE": "Mars/Olympus"}, "LEGALTV_TIMEZONE: unknown timezone 'Mars/Olympus'"),
        ({"LEGALTV_PORT": "99999"}, "LEGALTV_PORT: "),
        (
            {"LEGALTV_STORAGE_BACKEND": "s3", "LEGALTV_S3_ENDPOINT_URL": "notaurl"},
            "LEGALTV_S3_ENDPOINT_URL: ",
        ),
        ({"LEGALTV_STORAGE_LOCAL_PATH": "/proc/legaltv-store"}, "LEGALTV_STORAGE_LOCAL_PATH: "),
    ],
)
def test_bad_settings_stop_with_one_line_naming_them(
    env: dict[str, str], setting: str, tmp_path: Path
) -> None:
    result = _run(["check"], {**env, "LEGALTV_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("legaltv: bad configuration: "), result.stderr
    assert setting in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_unreachable_database_is_one_line_with_the_password_redacted(command: str, tmp_path: Path) -> None:
    url = "postgresql+psycopg://u:p@127.0.0.1:1/x"
    result = _run([command], {"LEGALTV_DATABASE_URL": url, "LEGALTV_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr == (
        "legaltv: cannot reach the database "
        "(LEGALTV_DATABASE_URL=postgresql+psycopg://u:***@127.0.0.1:1/x): connection refused\n"
    )


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    result = _run(["migrate"], {"LEGALTV_DATA_DIR": str(tmp_path / "var")})
    assert result.returncode == 0, result.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'legaltv.sqlite3'}")
    assert {"users", "programmes", "schedule_entries", "alembic_version"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


@pytest.mark.slow
def test_check_prints_json_and_exits_by_health(tmp_path: Path) -> None:
    env = {"LEGALTV_DATA_DIR": str(tmp_path / "var")}
    assert _run(["migrate"], env).returncode == 0

    healthy = _run(["check"], env)
    assert healthy.returncode == 0, healthy.stderr
    assert json.loads(healthy.stdout)["status"] == "ok"

    degraded = _run(["check"], {**env, "LEGALTV_BROKER_URL": "redis://:topsecret@127.0.0.1:1/0"})
    assert degraded.returncode == 1
    report = json.loads(degraded.stdout)
    assert report["checks"]["broker"]["status"] == "down"
    assert "topsecret" not in degraded.stdout + degraded.stderr


def test_subcommands_are_a_registry() -> None:
    assert set(COMMANDS) >= {"migrate", "serve", "worker", "check"}
    args, extra = build_parser().parse_known_args(["worker", "--pool=solo", "-c", "1"])
    assert (args.command, extra) == ("worker", ["--pool=solo", "-c", "1"])
    assert COMMANDS["worker"].passthrough
    assert not COMMANDS["migrate"].passthrough


def test_unknown_option_is_refused(tmp_path: Path) -> None:
    result = _run(["migrate", "--bogus"], {"LEGALTV_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "unrecognized arguments: --bogus" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.mark.slow
def test_serve_answers_healthz_with_its_embedded_worker_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "LEGALTV_DATA_DIR": str(tmp_path / "var"), "LEGALTV_PORT": str(port)}
    env = {
        k: v
        for k, v in env.items()
        if k not in ("LEGALTV_BROKER_URL", "LEGALTV_RESULT_BACKEND", "LEGALTV_DATABASE_URL")
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([LEGALTV, "serve"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            body: dict[str, object] = {}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                    body = response.json()
                    if response.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.3)
            assert body.get("status") == "ok", f"{body}\n{log.read_text()[-3000:]}"
            assert {name: check["status"] for name, check in body["checks"].items()} == {  # type: ignore[attr-defined]
                "database": "ok",
                "broker": "ok",
                "storage": "ok",
            }
            # the embedded worker answers a task sent through the embedded broker
            from channel.settings import Settings
            from channel.worker import create_celery

            app = create_celery(Settings(data_dir=tmp_path / "var"))
            assert app.send_task("channel.ping").get(timeout=60)["pong"] is True
            app.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=40)
    text = log.read_text()
    started = [json.loads(line) for line in text.splitlines() if '"embedded worker started"' in line]
    assert started, text[-3000:]
    worker_pid = int(started[0]["worker_pid"])
    assert server.returncode == 0, text[-3000:]
    deadline = time.monotonic() + 10
    while _pid_alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _pid_alive(worker_pid), "the embedded worker outlived `legaltv serve`"
    assert '"embedded worker stopped"' in text
