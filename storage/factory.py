"""Build the configured store from primitive settings, so this package never imports settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storage.base import Store
from storage.errors import StorageError
from storage.local import LocalStore
from storage.s3 import S3Store

__all__ = ["BACKENDS", "StoreConfig", "store_from_config"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreConfig:
    """Where a store keeps its objects: a local folder, or an S3 bucket and how to reach it."""

    local_path: Path | str | None
    public_base_url: str = "/media"
    s3_endpoint_url: str | None = None
    s3_bucket: str = "legaltv"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_path_style: bool = True
    s3_public_endpoint_url: str | None = None


def _local(config: StoreConfig) -> Store:
    if config.local_path is None or str(config.local_path) == "":
        raise StorageError("a folder is required for the local store (LEGALTV_STORAGE_LOCAL_PATH)")
    return LocalStore(Path(config.local_path), public_base_url=config.public_base_url)


def _s3(config: StoreConfig) -> Store:
    return S3Store(
        bucket=config.s3_bucket,
        endpoint_url=config.s3_endpoint_url or None,
        region=config.s3_region,
        access_key_id=config.s3_access_key_id or None,
        secret_access_key=config.s3_secret_access_key or None,
        path_style=config.s3_path_style,
        public_endpoint_url=config.s3_public_endpoint_url or None,
    )


BACKENDS: dict[str, Callable[[StoreConfig], Store]] = {"local": _local, "s3": _s3}


def store_from_config(backend: str, config: StoreConfig) -> Store:
    """The `Store` for `backend` ('local' or 's3'); anything else is a clear configuration error."""
    build = BACKENDS.get(backend)
    if build is None:
        raise StorageError(
            f"unknown storage backend {backend!r} (LEGALTV_STORAGE_BACKEND): use 'local' or 's3'"
        )
    return build(config)
