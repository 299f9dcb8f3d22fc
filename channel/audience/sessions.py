"""Viewing sessions without cookies or personal data: an opaque random token per master request.

The live master hands out variant URIs that carry `?s=<token>`; the token is 16 random bytes
(22 URL-safe characters), minted per master request, never derived from the viewer and never stored
beside an address. A player that reloads its variant playlist sends the token back, and each reload
is a heartbeat of that session on that variant (docs/audience.md).
"""

from __future__ import annotations

import re
import secrets
from typing import Final

__all__ = ["SESSION_PARAM", "TOKEN_LENGTH", "mint_token", "session_query", "token_of"]

SESSION_PARAM: Final = "s"
TOKEN_LENGTH: Final = 22
_TOKEN = re.compile(rb"s=([A-Za-z0-9_-]{22})")


def mint_token() -> str:
    """A fresh session token: 128 random bits, nothing of the viewer in it."""
    return secrets.token_urlsafe(16)


def session_query(token: str) -> str:
    """The query string the master appends to every variant URI."""
    return f"{SESSION_PARAM}={token}"


def token_of(query: bytes) -> str | None:
    """The token of a query that is exactly ``s=<token>``; None for anything else (start-over, junk)."""
    if len(query) != TOKEN_LENGTH + 2:
        return None
    found = _TOKEN.fullmatch(query)
    return found.group(1).decode() if found else None
