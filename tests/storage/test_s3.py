"""What only `S3Store` has to guarantee: presigning for a public endpoint, bucket set-up, errors."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from storage import NotFound, S3Store, StorageError
from tests.s3server import S3Server, new_bucket_name

from .conftest import make_s3_store


def test_ensure_bucket_is_idempotent(s3_server: S3Server) -> None:
    store = make_s3_store(s3_server)
    store.ensure_bucket()
    store.ping()


def test_missing_bucket_is_a_clear_error(s3_server: S3Server) -> None:
    store = S3Store(
        bucket=new_bucket_name(),
        endpoint_url=s3_server.endpoint_url,
        access_key_id=s3_server.access_key_id,
        secret_access_key=s3_server.secret_access_key,
    )
    with pytest.raises(StorageError, match="does not exist"):
        store.ping()
    with pytest.raises(StorageError, match="does not exist"):
        store.put_bytes("k", b"v")


def test_bucket_name_required() -> None:
    with pytest.raises(StorageError, match="LEGALTV_S3_BUCKET"):
        S3Store(bucket="")


def test_content_type_guessed_and_overridable(s3_store: S3Store) -> None:
    s3_store.put_bytes("a/index.m3u8", b"#EXTM3U\n")
    s3_store.put_bytes("a/data.bin", b"x", content_type="text/plain")
    assert httpx.get(s3_store.url("a/index.m3u8")).headers["content-type"] == "application/vnd.apple.mpegurl"
    assert httpx.get(s3_store.url("a/data.bin")).headers["content-type"] == "text/plain"


def test_presigned_url_for_public_endpoint(s3_server: S3Server, s3_store: S3Store) -> None:
    public = S3Store(
        bucket=s3_store.bucket,
        endpoint_url=s3_server.endpoint_url,
        access_key_id=s3_server.access_key_id,
        secret_access_key=s3_server.secret_access_key,
        public_endpoint_url="https://cdn.legaltv.example",
    )
    url = public.url("p/seg_00000.ts", expires_seconds=60)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "cdn.legaltv.example")
    assert parts.path == f"/{s3_store.bucket}/p/seg_00000.ts"
    assert "X-Amz-Expires=60" in parts.query


def test_small_file_is_not_multipart(s3_store: S3Store, tmp_path: Path) -> None:
    source = tmp_path / "small.ts"
    source.write_bytes(b"x" * 1000)
    s3_store.put_file("small.ts", source)
    assert "-" not in (s3_store.stat("small.ts").etag or "")


def test_open_missing_after_delete(s3_store: S3Store) -> None:
    s3_store.put_bytes("gone.txt", b"x")
    s3_store.delete("gone.txt")
    with pytest.raises(NotFound):
        s3_store.open("gone.txt")
