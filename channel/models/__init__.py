"""Database models, one module per aggregate; importing this package registers every table."""

from channel.models.audience import AudienceSlot
from channel.models.audit import CHAIN_HEAD_ID, GENESIS_HASH, AuditChainHead, AuditEvent
from channel.models.base import Base, UTCDateTime, new_id, utcnow
from channel.models.campaign import Campaign, campaign_programmes
from channel.models.channel import Channel, profile_json
from channel.models.editorial import ChannelTakeover, Review, ReviewDecision, TakeoverSource, WithdrawalKind
from channel.models.library import LegalDocument, Topic, programme_legal_documents, programme_topics
from channel.models.live import LiveEvent, LiveStatus
from channel.models.mfa import MfaCredential, RecoveryCode
from channel.models.programme import Programme, ProgrammeStatus, Rendition, SubtitleTrack
from channel.models.schedule import AsRunEntry, CompiledPlayout, ScheduleEntry, ScheduleMode
from channel.models.transcode import TranscodeJob, TranscodeState
from channel.models.upload import UploadSession
from channel.models.user import ApiToken, Role, SessionScope, User, UserRole

__all__ = [
    "CHAIN_HEAD_ID",
    "GENESIS_HASH",
    "ApiToken",
    "AsRunEntry",
    "AudienceSlot",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "Campaign",
    "Channel",
    "ChannelTakeover",
    "CompiledPlayout",
    "LegalDocument",
    "LiveEvent",
    "LiveStatus",
    "MfaCredential",
    "Programme",
    "ProgrammeStatus",
    "RecoveryCode",
    "Rendition",
    "Review",
    "ReviewDecision",
    "Role",
    "ScheduleEntry",
    "ScheduleMode",
    "SessionScope",
    "SubtitleTrack",
    "TakeoverSource",
    "Topic",
    "TranscodeJob",
    "TranscodeState",
    "UTCDateTime",
    "UploadSession",
    "User",
    "UserRole",
    "WithdrawalKind",
    "campaign_programmes",
    "new_id",
    "profile_json",
    "programme_legal_documents",
    "programme_topics",
    "utcnow",
]
