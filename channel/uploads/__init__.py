"""Resumable uploads of programmes over tus 1.0.0, shared by every API replica.

State is in the database (`records`), bytes in the object store (`parts`), the rules in `service` (with
`leases`, `quotas` and `refusals`), the header grammar in `protocol`, the clean-up in `sweeper`, and the
HTTP shell in `router`.
"""

from channel.uploads.protocol import TUS_EXTENSIONS, TUS_VERSION, TusError
from channel.uploads.quotas import Usage
from channel.uploads.records import UploadRecords
from channel.uploads.router import EXPOSED_HEADERS, create_tus_router
from channel.uploads.service import UPLOADS, Completion, UploadLimits, UploadService
from channel.uploads.state import (
    CompletedUpload,
    Quotas,
    Requester,
    Target,
    UploadExpired,
    UploadInfo,
    UploadNotFound,
)
from channel.uploads.sweeper import DEFAULT_SWEEP_SECONDS, SweepReport, sweep, sweep_forever

__all__ = [
    "DEFAULT_SWEEP_SECONDS",
    "EXPOSED_HEADERS",
    "TUS_EXTENSIONS",
    "TUS_VERSION",
    "UPLOADS",
    "CompletedUpload",
    "Completion",
    "Quotas",
    "Requester",
    "SweepReport",
    "Target",
    "TusError",
    "UploadExpired",
    "UploadInfo",
    "UploadLimits",
    "UploadNotFound",
    "UploadRecords",
    "UploadService",
    "Usage",
    "create_tus_router",
    "sweep",
    "sweep_forever",
]
