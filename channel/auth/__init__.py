"""Accounts: users with roles, bearer tokens, and the dependencies that guard every write endpoint."""

from channel.auth.deps import (
    AdminActor,
    AdminUser,
    CurrentActor,
    CurrentUser,
    OptionalUser,
    ProducerActor,
    ProducerUser,
    SchedulerActor,
    SchedulerUser,
    current_user,
    require_roles,
)
from channel.auth.service import AuthError, authenticate, create_user, login, normalise_username, revoke

__all__ = [
    "AdminActor",
    "AdminUser",
    "AuthError",
    "CurrentActor",
    "CurrentUser",
    "OptionalUser",
    "ProducerActor",
    "ProducerUser",
    "SchedulerActor",
    "SchedulerUser",
    "authenticate",
    "create_user",
    "current_user",
    "login",
    "normalise_username",
    "require_roles",
    "revoke",
]
