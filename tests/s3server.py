"""A real S3-protocol server (moto's standalone server) on loopback, shared by every test folder.

Use it from any conftest with `from tests.s3server import s3_server  # noqa: F401`, then ask for the
`s3_server` fixture (an `S3Server` with the endpoint and credentials); `new_bucket_name()` gives a
fresh bucket name so tests never see each other's objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import pytest
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["S3Server", "new_bucket_name", "s3_server"]


@dataclass(frozen=True, slots=True)
class S3Server:
    """Where the test S3 server listens and the (dummy) credentials it accepts."""

    endpoint_url: str
    region: str = "us-east-1"
    access_key_id: str = "testing"
    secret_access_key: str = "testing"

    def client(self) -> S3Client:
        """A boto3 S3 client of this server, signed with its credentials."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


def new_bucket_name() -> str:
    """A unique, valid bucket name."""
    return f"test-{uuid.uuid4().hex[:20]}"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """Start moto's S3 server on a free loopback port for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()
