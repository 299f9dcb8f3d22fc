"""RFC 6238 computed independently of the service (hmac and hashlib only, not pyotp), for tests.

A code the service accepts from this proves it speaks the RFC, not merely that it agrees with itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

__all__ = ["secret_from_uri", "totp"]


def totp(secret_base32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code of `secret_base32` at Unix time `at` (now by default): RFC 6238 with HMAC-SHA-1."""
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def secret_from_uri(uri: str) -> str:
    """The `secret` parameter of an otpauth:// URI."""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(uri).query)["secret"][0]
