"""The account rules an operator configures, read once from the settings and handed to the account code.

Who must use a second factor, how long sessions live, and the keys (derived from LEGALTV_SECRET_KEY)
that protect MFA secrets, recovery codes and sign-in challenges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from channel.models import Role, User
from channel.security.keys import derive_key
from channel.settings import Settings

__all__ = ["AccountKeys", "AccountPolicy", "account_policy"]


@dataclass(frozen=True, slots=True)
class AccountKeys:
    """The service's secrets for accounts: `token` hashes bearer tokens; the others are derived from it."""

    token: str
    mfa_secret: bytes
    recovery_code: bytes
    challenge: bytes


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    keys: AccountKeys
    mfa_required_roles: frozenset[Role]
    mfa_exempt_users: frozenset[str]
    mfa_issuer: str
    session_idle: timedelta
    session_absolute: timedelta
    session_touch: timedelta

    def mfa_required(self, user: User) -> bool:
        """True when `user` may not work without a second factor (any of their roles requires it)."""
        if user.username in self.mfa_exempt_users:
            return False
        return bool(user.roles & self.mfa_required_roles)


def account_policy(settings: Settings) -> AccountPolicy:
    """The policy of `settings` (the exemption list is empty outside development: the settings refuse it)."""
    secret = settings.secret_key
    return AccountPolicy(
        keys=AccountKeys(
            token=secret,
            mfa_secret=derive_key(secret, "mfa-secret"),
            recovery_code=derive_key(secret, "mfa-recovery-code"),
            challenge=derive_key(secret, "mfa-challenge"),
        ),
        mfa_required_roles=frozenset(Role(name) for name in settings.mfa_required_roles),
        mfa_exempt_users=frozenset(settings.mfa_exempt_users),
        mfa_issuer=settings.mfa_issuer,
        session_idle=timedelta(seconds=settings.session_idle_seconds),
        session_absolute=timedelta(seconds=settings.token_ttl_seconds),
        session_touch=timedelta(seconds=settings.session_touch_seconds),
    )
