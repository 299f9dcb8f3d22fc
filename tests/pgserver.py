"""A throwaway PostgreSQL server for fault tests: its own cluster on a free port, stopped at will.

The shared server on 127.0.0.1:5432 is never touched. initdb refuses to run as root, so as root the
cluster belongs to the `postgres` system user (the server package creates it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["ThrowawayPostgres", "throwaway_postgres"]


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL server binaries ({name}) are missing: apt-get install postgresql")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ThrowawayPostgres:
    """A running cluster: its SQLAlchemy URL, and how to stop or restart it."""

    folder: Path
    port: int
    user: str | None  # the system user running it (None: ourselves)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = list(args) if self.user is None else ["runuser", "-u", self.user, "--", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        log = self.folder / "server.log"
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _bin("pg_ctl"), "-D", str(self.folder / "data"), "-l", str(log), "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        """An abrupt stop (`immediate`): what a crashed or unplugged database looks like to clients."""
        self._run(_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A fresh cluster (trust auth, loopback only) on a free port; stopped and deleted afterwards."""
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="legaltv-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = ThrowawayPostgres(folder=folder, port=_free_port(), user=user)
    try:
        server._run(
            _bin("initdb"), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by the test
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
