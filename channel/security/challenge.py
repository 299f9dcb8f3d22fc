"""The token between the two steps of sign-in: proves the password was right, and nothing else.

It is not a session: it is signed (HMAC-SHA256 under a derived key), not stored, names its one purpose
and its user, lives a few minutes, and is bound to the user's current password hash (a password change
voids it). The bearer-token check never accepts it (it is not in the sessions table), and the second
step, which does, is rate limited per account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = [
    "CHALLENGE_PREFIX",
    "CHALLENGE_SECONDS",
    "Challenge",
    "ChallengeClaims",
    "issue_challenge",
    "read_challenge",
]

CHALLENGE_PREFIX: Final = "ltvmfa_"
CHALLENGE_SECONDS: Final = 300
_PURPOSE: Final = "sign-in second factor"


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str
    user_id: uuid.UUID
    expires_at: datetime


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def _mac(payload: bytes, key: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode().rstrip("=")


def issue_challenge(*, user_id: uuid.UUID, password_hash: str, key: bytes, now: datetime) -> Challenge:
    """A challenge for `user_id`, valid CHALLENGE_SECONDS from `now`."""
    expires_ts = int((now + timedelta(seconds=CHALLENGE_SECONDS)).timestamp())
    claims = {
        "p": _PURPOSE,
        "u": str(user_id),
        "e": expires_ts,
        "f": _fingerprint(password_hash),
    }
    payload = (
        base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    )
    token = f"{CHALLENGE_PREFIX}{payload}.{_mac(payload.encode(), key)}"
    return Challenge(token=token, user_id=user_id, expires_at=datetime.fromtimestamp(expires_ts, UTC))


@dataclass(frozen=True, slots=True)
class ChallengeClaims:
    """What a genuine, live challenge says: whose it is, and under which password it was issued."""

    user_id: uuid.UUID
    fingerprint: str

    def issued_under(self, password_hash: str) -> bool:
        """True while the user's password is the one the challenge was issued under."""
        return hmac.compare_digest(self.fingerprint, _fingerprint(password_hash))


def read_challenge(token: str, *, key: bytes, now: datetime) -> ChallengeClaims | None:
    """The claims of a live, genuine challenge; None for anything else (forged, expired, malformed)."""
    if not token.startswith(CHALLENGE_PREFIX) or len(token) > 1024:
        return None
    payload, _, mac = token[len(CHALLENGE_PREFIX) :].partition(".")
    if not hmac.compare_digest(mac.encode(), _mac(payload.encode(), key).encode()):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        parsed = ChallengeClaims(user_id=uuid.UUID(claims["u"]), fingerprint=str(claims["f"]))
        expires = int(claims["e"])
    except (ValueError, KeyError, TypeError):
        return None
    if claims.get("p") != _PURPOSE or expires <= now.timestamp():
        return None
    return parsed
