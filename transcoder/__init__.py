"""Source file to house-format HLS: probe, plan, build, run, package.

The Celery tasks live in `transcoder.tasks` and `transcoder.chunk_tasks` (imported by the worker,
not here, so the pure core does not pull in Celery).
"""

from transcoder.context import WorkerContext, attach_context, context_of
from transcoder.describe import Description
from transcoder.errors import Cancelled, SourceRejected, TimedOut, TranscodeError, TranscodeFailed
from transcoder.house import HouseFormat, Rung
from transcoder.pipeline import transcode
from transcoder.slate import make_slate

__all__ = [
    "Cancelled",
    "Description",
    "HouseFormat",
    "Rung",
    "SourceRejected",
    "TimedOut",
    "TranscodeError",
    "TranscodeFailed",
    "WorkerContext",
    "attach_context",
    "context_of",
    "make_slate",
    "transcode",
]
