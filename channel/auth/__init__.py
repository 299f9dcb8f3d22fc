"""Accounts: users with roles, sessions with a second factor, and the dependencies that guard every endpoint."""

from channel.auth.deps import (
    AdminActor,
    AdminUser,
    CurrentActor,
    CurrentSession,
    CurrentUser,
    EditorActor,
    EditorUser,
    OptionalUser,
    ProducerActor,
    ProducerUser,
    SchedulerActor,
    SchedulerUser,
    current_user,
    require_roles,
)
from channel.auth.errors import AuthError
from channel.auth.service import create_user, login, normalise_username

__all__ = [
    "AdminActor",
    "AdminUser",
    "AuthError",
    "CurrentActor",
    "CurrentSession",
    "CurrentUser",
    "EditorActor",
    "EditorUser",
    "OptionalUser",
    "ProducerActor",
    "ProducerUser",
    "SchedulerActor",
    "SchedulerUser",
    "create_user",
    "current_user",
    "login",
    "normalise_username",
    "require_roles",
]
