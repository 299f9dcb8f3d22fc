"""One-time recovery codes for a lost phone: ten random codes shown once, stored as keyed hashes.

Codes are 10 characters of an alphabet without look-alikes (no 0/o, 1/l/i), written `xxxxx-xxxxx`
(≈ 49 bits each); what the user types is normalised (case, spaces, dashes) before hashing. The hash
is HMAC-SHA256 under a key derived from the secret key: fast to look up, useless without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

__all__ = ["ALPHABET", "CODE_COUNT", "hash_code", "looks_like_code", "new_codes", "normalise_code"]

ALPHABET: Final = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_COUNT: Final = 10
_LENGTH: Final = 10


def new_codes(count: int = CODE_COUNT) -> list[str]:
    """`count` fresh codes, formatted for reading aloud or writing down."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_code(text: str) -> str:
    """The one form of a typed code: lower case, without spaces or dashes."""
    return "".join(ch for ch in text.lower() if ch not in " -\t")


def looks_like_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == _LENGTH and all(ch in ALPHABET for ch in code)


def hash_code(text: str, *, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the normalised code."""
    return hmac.new(key, normalise_code(text).encode(), hashlib.sha256).hexdigest()
