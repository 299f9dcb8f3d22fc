"""Accounts: users with roles, bearer tokens, and the dependencies that guard every write endpoint."""

from channel.auth.deps import (
    AdminUser,
    CurrentUser,
    OptionalUser,
    ProducerUser,
    SchedulerUser,
    current_user,
    require_roles,
)
from channel.auth.service import AuthError, authenticate, create_user, login, revoke

__all__ = [
    "AdminUser",
    "AuthError",
    "CurrentUser",
    "OptionalUser",
    "ProducerUser",
    "SchedulerUser",
    "authenticate",
    "create_user",
    "current_user",
    "login",
    "require_roles",
    "revoke",
]
