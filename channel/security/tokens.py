"""Bearer tokens: random, shown once, stored only as a keyed hash so a database leak yields no tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["TOKEN_PREFIX", "IssuedToken", "hash_token", "new_token"]

TOKEN_PREFIX = "ltv_"  # noqa: S105 - a public marker, not a secret


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token as given to the user (plain) and as stored (digest), with its expiry."""

    plain: str
    digest: str
    expires_at: datetime


def hash_token(token: str, *, secret_key: str) -> str:
    """HMAC-SHA256 of the token under the service's secret key, hex encoded."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def new_token(*, secret_key: str, now: datetime, ttl_seconds: int) -> IssuedToken:
    """A fresh 256-bit token valid for ttl_seconds from now."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return IssuedToken(
        plain=plain,
        digest=hash_token(plain, secret_key=secret_key),
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
