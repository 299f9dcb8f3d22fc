"""A real Celery worker process answers `channel.ping` through Redis and through the embedded broker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from channel.celery_config import QUEUES
from channel.settings import Settings
from channel.worker import TASK_MODULES, create_celery
from channel.worker_state import worker_resources
from tests.processes import running_worker

ROOT = Path(__file__).resolve().parents[2]


def _ping_through(settings: Settings, env: dict[str, str], log: Path) -> dict[str, object]:
    app = create_celery(settings)
    with running_worker(env, log, must_stop=True) as worker:
        result = app.send_task("channel.ping")
        try:
            reply = result.get(timeout=90)
        except Exception as exc:
            pytest.fail(f"no answer from the worker ({exc!r}); log:\n{log.read_text()[-3000:]}")
        assert worker.poll() is None, "worker died while answering"
    assert worker.returncode == 0, log.read_text()[-3000:]
    app.close()
    return dict(reply)


@pytest.mark.slow
@pytest.mark.redis
def test_ping_round_trip_through_redis(tmp_path: Path, redis_db: str) -> None:
    url = redis_db
    env = {
        "LEGALTV_BROKER_URL": url,
        "LEGALTV_RESULT_BACKEND": url,
        "LEGALTV_DATA_DIR": str(tmp_path / "var"),
    }
    settings = Settings(broker_url=url, result_backend=url, data_dir=tmp_path / "var")
    reply = _ping_through(settings, env, tmp_path / "worker.log")
    assert reply["pong"] is True
    assert str(reply["worker"]).startswith("celery@")


@pytest.mark.slow
def test_ping_round_trip_through_the_embedded_filesystem_broker(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {"LEGALTV_DATA_DIR": str(data_dir), "LEGALTV_BROKER_URL": "", "LEGALTV_RESULT_BACKEND": ""}
    settings = Settings(data_dir=data_dir)
    reply = _ping_through(settings, env, tmp_path / "worker.log")
    assert reply["pong"] is True
    assert (data_dir / "celery-results.sqlite3").is_file()
    assert not list((data_dir / "broker" / "queue").glob("*.msg")), "message left in the queue folder"


def test_create_celery_registers_ping_and_existing_task_modules(tmp_path: Path) -> None:
    app = create_celery(Settings(data_dir=tmp_path / "var"))
    app.loader.import_default_modules()
    assert "channel.ping" in app.tasks
    assert "playout.ensure_slate" in app.tasks  # the slate asked for at channel creation, rename, publish
    assert "channel.worker" in app.conf.imports
    assert set(app.conf.imports) <= set(TASK_MODULES)
    assert [queue.name for queue in app.conf.task_queues] == list(QUEUES)
    assert (tmp_path / "var" / "broker" / "queue").is_dir()
    app.close()


def test_worker_app_is_built_lazily_from_the_environment(tmp_path: Path) -> None:
    code = (
        "import sys, channel.worker as w\n"
        "assert 'app' not in vars(w)\n"
        "print(w.app.conf.broker_url, w.app.conf.task_acks_late)\n"
    )
    env = {**os.environ, "LEGALTV_DATA_DIR": str(tmp_path), "LEGALTV_BROKER_URL": "redis://127.0.0.1:6379/9"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["redis://127.0.0.1:6379/9", "True"]


def test_worker_resources_are_built_once_per_process(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    app = create_celery(settings)
    resources = worker_resources(app)
    assert worker_resources(app) is resources
    assert resources.settings is settings
    assert resources.pid == os.getpid()
    resources.store.ping()
    with resources.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    resources.engine.dispose()
    app.close()
