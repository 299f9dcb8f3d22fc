"""Stream keys of live events: random, shown once, stored as a keyed hash, valid in a window. Pure."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from channel.security.tokens import hash_token

__all__ = [
    "KEY_PREFIX",
    "IssuedKey",
    "KeyVerdict",
    "KeyWindow",
    "issue_key",
    "judge_key",
    "key_digest",
    "srt_passphrase",
]

KEY_PREFIX = "live_"  # a public marker (RTMP paths and SRT stream ids accept it), not a secret
KeyVerdict = Literal["ok", "early", "expired", "revoked", "cancelled"]


@dataclass(frozen=True, slots=True)
class IssuedKey:
    plain: str
    digest: str


@dataclass(frozen=True, slots=True)
class KeyWindow:
    """When a key opens the contribution endpoints: ``[start - lead, end)``, until revoked."""

    start: datetime
    end: datetime
    lead: timedelta
    revoked_at: datetime | None
    cancelled: bool = False


def key_digest(plain: str, *, secret_key: str) -> str:
    return hash_token(plain, secret_key=secret_key)


def issue_key(*, secret_key: str) -> IssuedKey:
    """A fresh 192-bit key (URL-safe: it goes into an RTMP path and an SRT stream id)."""
    plain = KEY_PREFIX + secrets.token_urlsafe(24)
    return IssuedKey(plain=plain, digest=key_digest(plain, secret_key=secret_key))


def judge_key(window: KeyWindow, *, now: datetime) -> KeyVerdict:
    """Whether a known key may publish at ``now``, and if not, why."""
    if window.cancelled:
        return "cancelled"
    if window.revoked_at is not None and window.revoked_at <= now:
        return "revoked"
    if now < window.start - window.lead:
        return "early"
    return "expired" if now >= window.end else "ok"


def srt_passphrase(digest: str, *, secret_key: str) -> str:
    """The SRT passphrase of a key: derived from its stored hash, so the ingest (which never sees the
    key) can open an encrypted listener with it, and a new key means a new passphrase. 32 characters
    (SRT takes 10 to 79)."""
    return hmac.new(secret_key.encode(), f"srt:{digest}".encode(), hashlib.sha256).hexdigest()[:32]
