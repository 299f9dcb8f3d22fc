"""Resumable uploads of programmes over the tus 1.0.0 protocol, stored as files until ingested."""

from channel.uploads.protocol import TUS_EXTENSIONS, TUS_VERSION, TusError
from channel.uploads.router import EXPOSED_HEADERS, OnComplete, create_tus_router
from channel.uploads.state import CompletedUpload, UploadExpired, UploadInfo, UploadLocked, UploadNotFound
from channel.uploads.store import UploadStore
from channel.uploads.sweeper import DEFAULT_SWEEP_SECONDS, sweep_forever

__all__ = [
    "DEFAULT_SWEEP_SECONDS",
    "EXPOSED_HEADERS",
    "TUS_EXTENSIONS",
    "TUS_VERSION",
    "CompletedUpload",
    "OnComplete",
    "TusError",
    "UploadExpired",
    "UploadInfo",
    "UploadLocked",
    "UploadNotFound",
    "UploadStore",
    "create_tus_router",
    "sweep_forever",
]
