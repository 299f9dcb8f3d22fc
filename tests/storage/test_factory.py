"""Building the configured store from primitive settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import LocalStore, S3Store, StorageError, StoreConfig, store_from_config
from tests.s3server import S3Server


def test_local_backend(tmp_path: Path) -> None:
    store = store_from_config(
        "local", StoreConfig(local_path=tmp_path / "s", public_base_url="https://tv.example/m/")
    )
    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "s").resolve()
    assert store.url("a b.ts") == "https://tv.example/m/a%20b.ts"


def test_local_backend_needs_a_folder() -> None:
    with pytest.raises(StorageError, match="LEGALTV_STORAGE_LOCAL_PATH"):
        store_from_config("local", StoreConfig(local_path=None))


def test_s3_backend(s3_server: S3Server) -> None:
    store = store_from_config(
        "s3",
        StoreConfig(
            local_path=None,
            public_base_url="/media",
            s3_endpoint_url=s3_server.endpoint_url,
            s3_bucket="factory-bucket",
            s3_region="us-east-1",
            s3_access_key_id=s3_server.access_key_id,
            s3_secret_access_key=s3_server.secret_access_key,
            s3_path_style=True,
        ),
    )
    assert isinstance(store, S3Store)
    store.ensure_bucket()
    store.put_bytes("k", b"v")
    assert store.read_bytes("k") == b"v"
    store.delete_prefix("")


def test_unknown_backend_names_the_setting() -> None:
    with pytest.raises(StorageError) as caught:
        store_from_config("ftp", StoreConfig(local_path="/tmp/x"))
    assert str(caught.value) == "unknown storage backend 'ftp' (LEGALTV_STORAGE_BACKEND): use 'local' or 's3'"
