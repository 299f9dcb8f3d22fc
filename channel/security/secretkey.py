"""How strong the service's secret key is: production refuses a key an attacker could guess.

The key signs nothing a user can choose, but it keys the HMAC of every bearer token stored in the
database: a guessable key turns a database leak into working tokens. The estimate is deliberately
simple (length, distinct characters, Shannon entropy of the characters used, how well it compresses,
known placeholders),
so a random key of any common alphabet passes and a word, a placeholder or a repetition does not.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from typing import Final

__all__ = ["MAKE_ONE", "MIN_SECRET_BITS", "MIN_SECRET_LENGTH", "secret_key_problem"]

MIN_SECRET_LENGTH: Final = 32
MIN_DISTINCT: Final = 10
#: Shannon entropy of the key's characters times its length; `openssl rand -hex 16` gives about 120
MIN_SECRET_BITS: Final = 96.0
MAKE_ONE: Final = 'python -c "import secrets;print(secrets.token_urlsafe(48))"'
_PLACEHOLDERS: Final = ("changeme", "change-me", "secret", "password", "insecure", "example", "default")


def _estimated_bits(key: str) -> float:
    counts = Counter(key)
    total = len(key)
    per_char = -sum(n / total * math.log2(n / total) for n in counts.values())
    return per_char * total


def secret_key_problem(key: str) -> str | None:
    """Why `key` is too weak for production (English, for the operator's one-line error), or None."""
    if len(key) < MIN_SECRET_LENGTH:
        return f"it has {len(key)} characters, at least {MIN_SECRET_LENGTH} are needed"
    if len(set(key)) < MIN_DISTINCT or _estimated_bits(key) < MIN_SECRET_BITS:
        return "it repeats too few different characters to be random"
    if len(zlib.compress(key.encode(), 9)) < 0.75 * len(key.encode()):
        return "it repeats a pattern (it compresses well, random keys do not)"
    lowered = key.lower()
    if any(word in lowered for word in _PLACEHOLDERS):
        return "it contains a placeholder word"
    return None
