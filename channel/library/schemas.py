"""Request and response bodies of the library, one schema per direction (Create, Update, Public)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from channel.models import ProgrammeStatus
from channel.text import CleanLine, CleanText

__all__ = [
    "Airing",
    "JobPublic",
    "LegalDocumentIn",
    "LegalDocumentPublic",
    "ProgrammeCreate",
    "ProgrammePage",
    "ProgrammePublic",
    "ProgrammeUpdate",
    "PublicProgramme",
    "ScheduledSlot",
    "SubtitlePublic",
    "TopicCreate",
    "TopicPublic",
]

# "471/QĐ-TTg", "45/2019/QH14", "100/2019/NĐ-CP": letters (any script), digits, / - . and spaces
_DOCUMENT_NUMBER = re.compile(r"^[\w][\w/.\- ]{0,98}[\w.]$|^\w$")

Title = Annotated[CleanLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[CleanText, StringConstraints(max_length=20_000)]
Tag = Annotated[CleanLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Slug = Annotated[CleanLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Language = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
]


class TopicPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    name_en: str


class TopicCreate(BaseModel):
    name: Annotated[CleanLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    name_en: Annotated[CleanLine, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    slug: Annotated[CleanLine, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class LegalDocumentIn(BaseModel):
    """A legal document reference; documents are shared between programmes by number."""

    number: Annotated[CleanLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    title: Annotated[CleanText, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    issuing_body: Annotated[CleanLine, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    issued_date: date | None = None

    @field_validator("number")
    @classmethod
    def _loose_number(cls, value: str) -> str:
        if not _DOCUMENT_NUMBER.match(value) or not any(char.isdigit() for char in value):
            raise ValueError("số hiệu văn bản không hợp lệ (ví dụ 471/QĐ-TTg) / invalid document number")
        return value


class LegalDocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    title: str
    issuing_body: str
    issued_date: date | None


class ProgrammeCreate(BaseModel):
    title: Title
    description: Description = ""
    language: Language = "vi"
    audience: Annotated[CleanLine, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    topics: list[Slug] = Field(default_factory=list, max_length=50, description="topic slugs")
    legal_documents: list[LegalDocumentIn] = Field(default_factory=list, max_length=50)


class ProgrammeUpdate(BaseModel):
    """Only the fields given are changed."""

    title: Title | None = None
    description: Description | None = None
    language: Language | None = None
    audience: Annotated[CleanLine, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    topics: list[Slug] | None = Field(default=None, max_length=50)
    legal_documents: list[LegalDocumentIn] | None = Field(default=None, max_length=50)


class SubtitlePublic(BaseModel):
    language: str
    label: str
    url: str


class JobPublic(BaseModel):
    """The latest transcode attempt: where it is, how far, and why it failed."""

    state: str
    percent: float
    stage: str
    attempt: int
    created_at: datetime
    heartbeat_at: datetime | None
    finished_at: datetime | None


class _ProgrammeMetadata(BaseModel):
    """The metadata both views of a programme start with (staff's and viewers')."""

    id: uuid.UUID
    title: str
    description: str
    language: str
    audience: str
    tags: list[str]
    topics: list[TopicPublic]
    legal_documents: list[LegalDocumentPublic]


class ProgrammePublic(_ProgrammeMetadata):
    """A programme as staff see it."""

    status: ProgrammeStatus
    progress: float
    stage: str
    error_code: str | None
    error_message: str | None
    original_filename: str | None
    revision: int
    duration: float | None
    owner_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    preview_url: str | None
    poster_url: str | None
    thumbnail_urls: list[str]
    subtitles: list[SubtitlePublic]
    job: JobPublic | None


class ProgrammePage(BaseModel):
    items: list[ProgrammePublic]
    total: int
    limit: int
    offset: int


class PublicProgramme(_ProgrammeMetadata):
    """A ready programme as viewers see it: no owner, no internal keys beyond media URLs."""

    duration: float | None
    playlist_url: str
    poster_url: str | None
    thumbnail_urls: list[str]
    subtitles: list[SubtitlePublic]


class Airing(BaseModel):
    """An item of a live timeline that airs a programme: on air, in the catch-up, or compiled ahead."""

    channel_slug: str
    entry_id: uuid.UUID | None
    start_at: datetime
    end_at: datetime


class ScheduledSlot(BaseModel):
    """A future grid slot that keeps a programme from being deleted."""

    entry_id: uuid.UUID
    channel_slug: str
    start_at: datetime
