"""Errors of the transcoder: a rejected source (user's fault, never retried) and job failures.

Messages meant for users are Vietnamese first with an English version, and never carry paths.
"""

from __future__ import annotations

__all__ = ["Cancelled", "SourceRejected", "TimedOut", "TranscodeError", "TranscodeFailed"]


class TranscodeError(Exception):
    """Base of every transcoder error."""


class SourceRejected(TranscodeError):
    """The uploaded file cannot become a programme; `code` is stable, messages are for people."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en

    @property
    def message(self) -> str:
        """Vietnamese first, English after, as shown to a producer."""
        return f"{self.message_vi} ({self.message_en})"

    def to_dict(self) -> dict[str, str]:
        """Primitives for a Celery result or the database."""
        return {
            "code": self.code,
            "message": self.message,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class TranscodeFailed(TranscodeError):
    """ffmpeg or packaging failed for a reason that may be transient (worth a retry)."""

    def __init__(self, message: str, *, stderr_tail: str = "") -> None:
        super().__init__(message)
        self.stderr_tail = stderr_tail


class Cancelled(TranscodeError):
    """The job was cancelled by its owner."""


class TimedOut(TranscodeFailed):
    """ffmpeg ran past its hard timeout and was killed."""
