"""Accounts' secrets: password hashing, bearer tokens, login rate limiting."""

from channel.security.passwords import hash_password, needs_rehash, verify_password
from channel.security.ratelimit import RateLimiter
from channel.security.tokens import IssuedToken, hash_token, new_token

__all__ = [
    "IssuedToken",
    "RateLimiter",
    "hash_password",
    "hash_token",
    "needs_rehash",
    "new_token",
    "verify_password",
]
