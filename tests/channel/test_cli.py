"""The `legaltv` command: one-line configuration errors, migrate, check, and serve with its worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import inspect

from channel.cli import COMMANDS, build_parser
from channel.db import make_engine
from channel.settings import Settings
from channel.worker import create_celery
from tests.processes import answering, free_port

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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@contextmanager
def _serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`legaltv serve` on the embedded default, healthy and with its worker answering a task.

    It leads its own process group, as a command in a terminal does, so a test can press Ctrl-C.
    """
    port = free_port()
    env = {**os.environ, "LEGALTV_DATA_DIR": str(tmp_path / "var"), "LEGALTV_PORT": str(port)}
    env = {
        k: v
        for k, v in env.items()
        if k not in ("LEGALTV_BROKER_URL", "LEGALTV_RESULT_BACKEND", "LEGALTV_DATABASE_URL")
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [LEGALTV, "serve"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            response = answering(
                f"http://127.0.0.1:{port}",
                server,
                ok=lambda answer: answer.status_code == 200,
                log=lambda: log.read_text()[-3000:],
            )
            body = response.json()
            assert body["status"] == "ok"
            assert {name: check["status"] for name, check in body["checks"].items()} == {
                "database": "ok",
                "broker": "ok",
                "storage": "ok",
            }
            # the embedded worker answers a task sent through the embedded broker
            app = create_celery(Settings(data_dir=tmp_path / "var"))
            assert app.send_task("channel.ping").get(timeout=60)["pong"] is True
            app.close()
            yield server, log
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=40)


def _worker_pid(log: Path) -> int:
    text = log.read_text()
    started = [json.loads(line) for line in text.splitlines() if '"embedded worker started"' in line]
    assert started, text[-3000:]
    return int(started[0]["worker_pid"])


def _gone(pid: int, *, within: float) -> bool:
    deadline = time.monotonic() + within
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not _pid_alive(pid)


@pytest.mark.slow
def test_serve_answers_healthz_with_its_embedded_worker_and_stops_cleanly(tmp_path: Path) -> None:
    with _serving(tmp_path) as (server, log):
        worker_pid = _worker_pid(log)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    text = log.read_text()
    assert server.returncode == 0, text[-3000:]
    assert _gone(worker_pid, within=10), "the embedded worker outlived `legaltv serve`"
    assert '"embedded worker stopped"' in text


@pytest.mark.slow
def test_ctrl_c_stops_serve_and_its_idle_worker_at_once(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground group, API and worker; the worker took 4 to 6 s to go before
    (Celery's blocking loop waits 2 s between looks at its stop flag, the broker polls every second)."""
    with _serving(tmp_path) as (server, log):
        worker_pid = _worker_pid(log)
        pressed = time.monotonic()
        os.killpg(server.pid, signal.SIGINT)
        assert _gone(worker_pid, within=40)
        took = time.monotonic() - pressed
        server.wait(timeout=40)
    assert server.returncode == 0, log.read_text()[-3000:]
    assert '"embedded worker stopped"' in log.read_text()
    assert took < 3.0, f"the worker took {took:.2f} s to stop after Ctrl-C"
