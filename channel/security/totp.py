"""Time-based one-time passwords (RFC 6238) as authenticator apps make them: SHA-1, 6 digits, 30 s.

pyotp computes the codes; this module adds what a server needs around it: which time step a code
belongs to (so the caller can refuse a step already used: no replay within the window) and a
tolerance of one step either side for clocks that drift.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Final

import pyotp

__all__ = [
    "DIGITS",
    "PERIOD_SECONDS",
    "WINDOW_STEPS",
    "is_code_shaped",
    "matching_step",
    "new_secret",
    "provisioning_uri",
]

DIGITS: Final = 6
PERIOD_SECONDS: Final = 30
#: steps accepted either side of the current one (±30 s of clock drift between phone and server)
WINDOW_STEPS: Final = 1


def new_secret() -> str:
    """A fresh 160-bit key, base32 (what authenticator apps take), per RFC 4226's recommendation."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://totp/…` URI a QR code carries (Google Authenticator key URI format)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def is_code_shaped(text: str) -> bool:
    """True for six digits (spaces ignored): a TOTP code rather than a recovery code."""
    digits = text.replace(" ", "")
    return len(digits) == DIGITS and digits.isascii() and digits.isdigit()


def matching_step(secret: str, code: str, *, at: datetime) -> int | None:
    """The time step (counter) whose code is `code`, within the window around `at`; None if none matches.

    Every candidate is compared in constant time, and all of them are always computed.
    """
    code = code.replace(" ", "")
    if not is_code_shaped(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS)
    current = totp.timecode(at)
    found: int | None = None
    for offset in range(-WINDOW_STEPS, WINDOW_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), code) and found is None:
            found = current + offset
    return found
