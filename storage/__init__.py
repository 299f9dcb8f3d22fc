"""Object storage behind one small interface: S3 (`S3Store`) and a local folder (`LocalStore`).

Keys, not paths, cross this boundary; every key is validated by `validate_key`.
"""

from __future__ import annotations

from storage.base import ObjectInfo, Page, Store
from storage.content_types import guess_content_type
from storage.errors import InvalidKey, NotFound, StorageError
from storage.factory import StoreConfig, store_from_config
from storage.keys import validate_key, validate_prefix
from storage.local import LocalStore
from storage.multipart import MIN_PART_BYTES, MultipartGone, MultipartStore, Part, PendingMultipart
from storage.s3 import S3Store

__all__ = [
    "MIN_PART_BYTES",
    "InvalidKey",
    "LocalStore",
    "MultipartGone",
    "MultipartStore",
    "NotFound",
    "ObjectInfo",
    "Page",
    "Part",
    "PendingMultipart",
    "S3Store",
    "StorageError",
    "Store",
    "StoreConfig",
    "guess_content_type",
    "store_from_config",
    "validate_key",
    "validate_prefix",
]
