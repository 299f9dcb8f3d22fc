"""The configured object store, built from settings (the storage package never sees settings)."""

from __future__ import annotations

from channel.settings import Settings
from channel.startup import ConfigError
from storage import StorageError, Store, StoreConfig, store_from_config

__all__ = ["MEDIA_ROUTE", "store_from_settings"]

MEDIA_ROUTE = "/media"


def store_from_settings(settings: Settings) -> Store:
    """The `Store` for these settings; local media is served by the API under `MEDIA_ROUTE`.

    Raises `ConfigError` naming the setting when the store cannot even be set up.
    """
    try:
        return _build(settings)
    except (StorageError, ValueError) as exc:
        setting = "LEGALTV_S3_ENDPOINT_URL" if settings.storage_backend == "s3" else "LEGALTV_STORAGE_BACKEND"
        raise ConfigError(f"bad configuration: {setting}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"bad configuration: LEGALTV_STORAGE_LOCAL_PATH: {exc.strerror or exc}") from None


def _build(settings: Settings) -> Store:
    return store_from_config(
        settings.storage_backend,
        StoreConfig(
            local_path=settings.resolved_storage_path,
            public_base_url=settings.base_url.rstrip("/") + MEDIA_ROUTE,
            s3_endpoint_url=settings.s3_endpoint_url,
            s3_bucket=settings.s3_bucket,
            s3_region=settings.s3_region,
            s3_access_key_id=settings.s3_access_key_id,
            s3_secret_access_key=settings.s3_secret_access_key,
            s3_path_style=settings.s3_path_style,
            s3_public_endpoint_url=settings.s3_public_endpoint_url,
        ),
    )
