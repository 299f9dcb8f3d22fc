"""Removing credentials from text before it is printed, logged or returned (imports nothing heavy)."""

from __future__ import annotations

import re

__all__ = ["redact"]

_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@", re.I
)


def redact(value: str) -> str:
    """`value` with any `scheme://user:password@` credentials replaced by `user:***`."""
    return _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:***@", value)
