"""The real channel for browser tests: `legaltv serve` (API + embedded Celery worker) in a tmp folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.legaltv_cli import LEGALTV, run_cli
from tests.processes import answering, free_port, running
from tests.waiting import wait_for

__all__ = ["SMALL_MEDIA", "Service", "running_service"]


@dataclass(frozen=True)
class Service:
    base_url: str
    env: dict[str, str]
    log: Path
    pid: int = 0  # of the `legaltv serve` process (the API itself runs in it)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def create_user(self, username: str, password: str, role: str) -> None:
        args = ("users", "create", username, "--role", role, "--password-stdin")
        done = run_cli(*args, env=self.env, stdin=password + "\n", timeout=60)
        assert done.returncode == 0, f"`legaltv users create` failed: {done.stderr}"


#: a service with tiny media for browser tests: two small rungs, 2 s segments, whole-file encodes, and no
#: second factor (these tests are about media and pages; test_console_account.py signs in with one)
SMALL_MEDIA: dict[str, str] = {
    "ladder": "[180,144]",
    "segment_seconds": "2",
    "gop_seconds": "1",
    "chunk_seconds": "0",
    "mfa_required_roles": "[]",
}


@contextmanager
def running_service(data_dir: Path, *, log_name: str = "service.log", **settings: str) -> Iterator[Service]:
    """`legaltv serve` on a free loopback port with the embedded broker; stopped (and its worker) afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LEGALTV_ENV": "test",
        "LEGALTV_DATA_DIR": str(data_dir),
        "LEGALTV_HOST": "127.0.0.1",
        "LEGALTV_PORT": str(port),
        "LEGALTV_BASE_URL": base_url,
        "LEGALTV_LOG_LEVEL": "WARNING",
        **{f"LEGALTV_{key.upper()}": value for key, value in settings.items()},
    }
    log = data_dir.parent / log_name
    data_dir.mkdir(parents=True, exist_ok=True)
    with running([LEGALTV, "serve"], env=env, log=log) as process:
        service = Service(base_url=base_url, env=env, log=log, pid=process.pid)
        answering(base_url, process, log=service.log_tail)
        yield service


def missing_slate_segments(service: Service, slug: str) -> list[str]:
    """Media URIs of the live playlist's head that the server cannot serve (the slate not generated)."""
    master = httpx.get(f"{service.base_url}/live/{slug}/master.m3u8", timeout=10)
    variant = next(line for line in master.text.splitlines() if line and not line.startswith("#"))
    media = httpx.get(f"{service.base_url}/live/{slug}/{variant}", timeout=10)
    uris = [line for line in media.text.splitlines() if line and not line.startswith("#")]
    return [uri for uri in uris[:2] if httpx.get(f"{service.base_url}{uri}", timeout=10).status_code >= 400]


def wait_for_slate(service: Service, slug: str, *, timeout: float = 90.0) -> None:
    """Wait until the service's own worker has stored the channel's filler slate (read-only here)."""
    from channel.db import make_engine, make_sessionmaker
    from channel.grid.channels import get_channel
    from channel.playout.slate import slate_prefix
    from channel.settings import Settings
    from channel.stores import store_from_settings

    settings = Settings(data_dir=Path(service.env["LEGALTV_DATA_DIR"]), env="test")
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            channel = get_channel(session, slug)
            prefix = slate_prefix(channel.house_format, channel_name=channel.name)
    finally:
        engine.dispose()
    store = store_from_settings(settings)
    wait_for(
        lambda: store.exists(f"{prefix}master.m3u8"),
        seconds=timeout,
        every=0.5,
        what=f"the worker making the slate {prefix}master.m3u8",
        log=service.log_tail,
    )
