"""The distributed setup as real processes, for tests that pull plugs: a throwaway redis-server on a port of
its own (stopped and started again at will, its data kept on disk like production's), API replicas
(`legaltv serve`), Celery workers (`celery -A channel.worker worker`, SIGKILLable with their pool and
ffmpeg), all on one PostgreSQL schema and one local store folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

from channel.db import make_engine, make_sessionmaker
from channel.migrate import upgrade
from channel.models import Role
from channel.settings import Settings
from tests.channel.api_fixtures import sign_in
from tests.processes import free_port
from tests.waiting import wait_for

__all__ = ["RedisServer", "Stack", "redis_server", "stack"]

ROOT = Path(__file__).resolve().parents[3]
BIN = ROOT / ".venv" / "bin"


@dataclass
class RedisServer:
    """redis-server on its own port, with an append-only file so a restart keeps queues (as in compose)."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--save", "", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._answers, seconds=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        """A clean stop (SIGTERM flushes the append-only file), as an operator restarting Redis does."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def _answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Stack:
    """Environment and processes of one distributed channel under test."""

    tmp: Path
    database_url: str
    redis: RedisServer
    token: str = ""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "LEGALTV_ENV": "test",
            "LEGALTV_DATA_DIR": str(self.tmp / "var"),
            "LEGALTV_DATABASE_URL": self.database_url,
            "LEGALTV_BROKER_URL": self.redis.url(0),
            "LEGALTV_RESULT_BACKEND": self.redis.url(1),
            "LEGALTV_STORAGE_BACKEND": "local",
            "LEGALTV_STORAGE_LOCAL_PATH": str(self.tmp / "store"),
            "LEGALTV_LADDER": "[360,240,180]",
            "LEGALTV_SEGMENT_SECONDS": "2",
            "LEGALTV_GOP_SECONDS": "1",
            "LEGALTV_JOB_HEARTBEAT_SECONDS": "0.5",
            "LEGALTV_JOB_STALL_SECONDS": "5",
            "LEGALTV_JOB_WATCHDOG_SECONDS": "1",
            "LEGALTV_LOG_LEVEL": "INFO",
        }

    @property
    def settings(self) -> Settings:
        return Settings(
            env="test",
            data_dir=self.tmp / "var",
            database_url=self.database_url,
            storage_local_path=self.tmp / "store",
            broker_url=self.redis.url(0),
            result_backend=self.redis.url(1),
        )

    def _spawn(self, name: str, command: list[str], extra: dict[str, str]) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{name}-{len(self.logs)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env={**self.env, **extra}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL takes the pool and ffmpeg too
            )  # fmt: skip
        self.processes.append(process)
        self.logs.append(log)
        return process

    def api(self) -> str:
        """A new API replica (`legaltv serve`); its base URL once it answers."""
        port = free_port()
        self._spawn("api", [str(BIN / "legaltv"), "serve"], {"LEGALTV_PORT": str(port)})
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503)
            return False

        wait_for(healthy, seconds=60, what=f"API replica on {port}", log=self.tail)
        return base

    def worker(self, *extra_args: str) -> subprocess.Popen[bytes]:
        """A Celery worker as docker/compose.yaml runs it (prefork, two processes, gossip, mingle, heartbeats)."""
        return self._spawn(
            "worker",
            [str(BIN / "celery"), "-A", "channel.worker", "worker", "-Q", "transcode,quick",
             "--pool=prefork", "--concurrency=2", "--loglevel=INFO", *extra_args],
            {},
        )  # fmt: skip

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL a process and its whole group, as the OOM killer or a pulled plug would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def tail(self, chars: int = 3000) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}" for log in self.logs)

    def call(self, base: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{base}{path}", headers=headers, timeout=30, **kwargs)

    def close(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.kill(process)


def _producer_token(database_url: str, secret_key: str) -> str:
    engine = make_engine(database_url)
    try:
        sessions = make_sessionmaker(engine)
        return sign_in(sessions, Role.PRODUCER, "nsx", secret_key=secret_key, display_name="NSX").token
    finally:
        engine.dispose()


@contextmanager
def stack(tmp: Path, postgres_url: str) -> Iterator[Stack]:
    """A stack on a fresh PostgreSQL schema (dropped afterwards) and a throwaway Redis."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin: Engine = make_engine(postgres_url, connect_timeout=3)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    database_url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    try:
        upgrade(database_url)
        with redis_server(tmp / "redis") as redis:
            running = Stack(tmp=tmp, database_url=database_url, redis=redis)
            running.token = _producer_token(database_url, running.settings.secret_key)
            try:
                yield running
            finally:
                running.close()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
