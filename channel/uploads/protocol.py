"""The tus 1.0.0 resumable-upload protocol as pure functions: header parsing and validation, no I/O.

Every refusal is a `TusError` carrying the HTTP status and a bilingual message, so the HTTP shell only
turns errors into responses and the rules can be tested without a server.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

__all__ = [
    "OFFSET_CONTENT_TYPE",
    "TUS_EXTENSIONS",
    "TUS_VERSION",
    "Creation",
    "TusError",
    "check_content_type",
    "check_version",
    "encode_metadata",
    "format_expires",
    "parse_creation",
    "parse_length",
    "parse_metadata",
    "parse_offset",
]

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = ("creation", "creation-with-upload", "creation-defer-length", "termination", "expiration")
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"

MAX_METADATA_HEADER = 8 * 1024
MAX_METADATA_PAIRS = 32
_INT = re.compile(r"[0-9]{1,19}")
# Printable ASCII except space and comma (0x2C), as the spec requires of metadata keys.
_KEY = re.compile(r"[\x21-\x2b\x2d-\x7e]{1,64}")


class TusError(Exception):
    """A refusal: the HTTP status, a stable code, the bilingual user-facing text, extra response headers.

    The HTTP shell renders it in the usual error envelope (`channel.http.errors.error_body`).
    """

    def __init__(
        self, status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class Creation:
    """What a POST asks for: a known length or a deferred one, and the decoded metadata."""

    length: int | None
    metadata: dict[str, str]


def check_version(value: str | None) -> None:
    """Refuse requests from clients that do not speak 1.0.0 (412 with the versions we do speak)."""
    if value != TUS_VERSION:
        raise TusError(
            412,
            "tus_version",
            "Phiên bản giao thức tus không được hỗ trợ / Unsupported tus protocol version",
            (("Tus-Version", TUS_VERSION),),
        )


def check_content_type(value: str | None) -> None:
    """PATCH bodies must be declared as raw offset data, so a form post is never taken for file bytes."""
    media_type = (value or "").split(";", 1)[0].strip().lower()
    if media_type != OFFSET_CONTENT_TYPE:
        raise TusError(
            415,
            "unsupported_media_type",
            "Kiểu nội dung phải là application/offset+octet-stream / "
            "Content-Type must be application/offset+octet-stream",
        )


def _parse_int(value: str, *, name: str) -> int:
    text = value.strip()
    if not _INT.fullmatch(text):
        raise TusError(400, "invalid_header", f"Giá trị {name} không hợp lệ / Invalid {name} value")
    return int(text)


def parse_length(value: str, *, max_size: int) -> int:
    """Upload-Length: a non-negative integer no larger than the server's limit (else 413)."""
    length = _parse_int(value, name="Upload-Length")
    if length > max_size:
        raise TusError(413, "too_large", "Tệp vượt quá dung lượng cho phép / File exceeds the size limit")
    return length


def parse_offset(value: str | None) -> int:
    """Upload-Offset is mandatory on PATCH: the client states where it believes the upload stands."""
    if value is None:
        raise TusError(400, "invalid_header", "Thiếu tiêu đề Upload-Offset / Missing Upload-Offset header")
    return _parse_int(value, name="Upload-Offset")


def parse_metadata(value: str | None) -> dict[str, str]:
    """Decode `key base64value` pairs; values must be UTF-8 text so Vietnamese names round-trip."""
    if value is None or not value.strip():
        return {}
    if len(value) > MAX_METADATA_HEADER:
        raise TusError(400, "invalid_metadata", "Siêu dữ liệu quá dài / Upload-Metadata is too long")
    result: dict[str, str] = {}
    pairs = value.split(",")
    if len(pairs) > MAX_METADATA_PAIRS:
        raise TusError(
            400, "invalid_metadata", "Quá nhiều trường siêu dữ liệu / Too many Upload-Metadata pairs"
        )
    for pair in pairs:
        key, _, encoded = pair.strip().partition(" ")
        encoded = encoded.strip()
        if not _KEY.fullmatch(key) or " " in encoded:
            raise TusError(400, "invalid_metadata", "Siêu dữ liệu không hợp lệ / Malformed Upload-Metadata")
        if key in result:
            raise TusError(
                400, "invalid_metadata", "Khóa siêu dữ liệu bị lặp / Duplicate Upload-Metadata key"
            )
        try:
            result[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise TusError(
                400,
                "invalid_metadata",
                "Giá trị siêu dữ liệu không phải base64 UTF-8 / Metadata value is not base64 UTF-8",
            ) from None
    return result


def encode_metadata(metadata: Mapping[str, str]) -> str:
    """The Upload-Metadata header for a HEAD response, in the same form the client sent."""
    return ",".join(
        f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}" if value else key
        for key, value in metadata.items()
    )


def parse_creation(*, length: str | None, defer: str | None, metadata: str | None, max_size: int) -> Creation:
    """A POST names exactly one of Upload-Length and `Upload-Defer-Length: 1`."""
    if length is not None and defer is not None:
        raise TusError(
            400,
            "invalid_header",
            "Không được gửi cả hai Upload-Length và Upload-Defer-Length / Send only one length header",
        )
    if length is None and defer is None:
        raise TusError(400, "invalid_header", "Thiếu tiêu đề Upload-Length / Missing Upload-Length header")
    if defer is not None and defer.strip() != "1":
        raise TusError(400, "invalid_header", "Upload-Defer-Length phải là 1 / Upload-Defer-Length must be 1")
    parsed = None if length is None else parse_length(length, max_size=max_size)
    return Creation(length=parsed, metadata=parse_metadata(metadata))


def format_expires(when: datetime) -> str:
    """Upload-Expires uses the RFC 9110 HTTP date format."""
    return format_datetime(when, usegmt=True)
