"""Fixtures for the storage suite: each backend on a fresh, empty store."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storage import LocalStore, S3Store, Store
from tests.s3server import S3Server, new_bucket_name, s3_server

__all__ = ["make_s3_store", "s3_server", "s3_store", "store", "unused_port"]


def make_s3_store(server: S3Server, **overrides: object) -> S3Store:
    """An `S3Store` on a new bucket of the test server (created)."""
    options: dict[str, object] = {
        "bucket": new_bucket_name(),
        "endpoint_url": server.endpoint_url,
        "region": server.region,
        "access_key_id": server.access_key_id,
        "secret_access_key": server.secret_access_key,
    }
    options.update(overrides)
    store = S3Store(**options)  # type: ignore[arg-type]
    store.ensure_bucket()
    return store


@pytest.fixture
def s3_store(s3_server: S3Server) -> Iterator[S3Store]:
    store = make_s3_store(s3_server)
    yield store
    store.delete_prefix("")


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Every contract test runs against both backends."""
    factories: dict[str, Callable[[], Store]] = {
        "local": lambda: LocalStore(tmp_path / "store"),
        "s3": lambda: request.getfixturevalue("s3_store"),
    }
    return factories[request.param]()


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
