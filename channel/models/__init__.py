"""Database models, one module per aggregate; importing this package registers every table."""

from channel.models.audit import AuditEvent
from channel.models.base import Base, UTCDateTime, new_id, utcnow
from channel.models.channel import Channel
from channel.models.library import LegalDocument, Topic, programme_legal_documents, programme_topics
from channel.models.programme import Programme, ProgrammeStatus, Rendition, SubtitleTrack
from channel.models.schedule import AsRunEntry, CompiledPlayout, ScheduleEntry, ScheduleMode
from channel.models.transcode import TranscodeJob, TranscodeState
from channel.models.upload import UploadSession
from channel.models.user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "AsRunEntry",
    "AuditEvent",
    "Base",
    "Channel",
    "CompiledPlayout",
    "LegalDocument",
    "Programme",
    "ProgrammeStatus",
    "Rendition",
    "Role",
    "ScheduleEntry",
    "ScheduleMode",
    "SubtitleTrack",
    "Topic",
    "TranscodeJob",
    "TranscodeState",
    "UTCDateTime",
    "UploadSession",
    "User",
    "new_id",
    "programme_legal_documents",
    "programme_topics",
    "utcnow",
]
