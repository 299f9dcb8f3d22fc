"""Build the configured store from primitive settings, so this package never imports settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storage.base import Store
from storage.errors import StorageError
from storage.local import LocalStore
from storage.s3 import S3Store

__all__ = ["BACKENDS", "store_from_config"]


def _local(
    *,
    local_path: Path | str | None,
    public_base_url: str,
    s3_endpoint_url: str | None,
    s3_bucket: str,
    s3_region: str,
    s3_access_key_id: str | None,
    s3_secret_access_key: str | None,
    s3_path_style: bool,
    s3_public_endpoint_url: str | None,
) -> Store:
    if local_path is None or str(local_path) == "":
        raise StorageError("a folder is required for the local store (LEGALTV_STORAGE_LOCAL_PATH)")
    return LocalStore(Path(local_path), public_base_url=public_base_url)


def _s3(
    *,
    local_path: Path | str | None,
    public_base_url: str,
    s3_endpoint_url: str | None,
    s3_bucket: str,
    s3_region: str,
    s3_access_key_id: str | None,
    s3_secret_access_key: str | None,
    s3_path_style: bool,
    s3_public_endpoint_url: str | None,
) -> Store:
    return S3Store(
        bucket=s3_bucket,
        endpoint_url=s3_endpoint_url or None,
        region=s3_region,
        access_key_id=s3_access_key_id or None,
        secret_access_key=s3_secret_access_key or None,
        path_style=s3_path_style,
        public_endpoint_url=s3_public_endpoint_url or None,
    )


BACKENDS: dict[str, Callable[..., Store]] = {"local": _local, "s3": _s3}


def store_from_config(
    *,
    backend: str,
    local_path: Path | str | None,
    public_base_url: str = "/media",
    s3_endpoint_url: str | None = None,
    s3_bucket: str = "legaltv",
    s3_region: str = "us-east-1",
    s3_access_key_id: str | None = None,
    s3_secret_access_key: str | None = None,
    s3_path_style: bool = True,
    s3_public_endpoint_url: str | None = None,
) -> Store:
    """The `Store` for `backend` ('local' or 's3'); anything else is a clear configuration error."""
    build = BACKENDS.get(backend)
    if build is None:
        raise StorageError(
            f"unknown storage backend {backend!r} (LEGALTV_STORAGE_BACKEND): use 'local' or 's3'"
        )
    return build(
        local_path=local_path,
        public_base_url=public_base_url,
        s3_endpoint_url=s3_endpoint_url,
        s3_bucket=s3_bucket,
        s3_region=s3_region,
        s3_access_key_id=s3_access_key_id,
        s3_secret_access_key=s3_secret_access_key,
        s3_path_style=s3_path_style,
        s3_public_endpoint_url=s3_public_endpoint_url,
    )
