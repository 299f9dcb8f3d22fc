"""Request and response bodies of the account endpoints, one schema per direction."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from channel.models import Role
from channel.text import CleanLine

__all__ = ["LoginIn", "TokenOut", "UserCreate", "UserPublic", "UserUpdate"]


class LoginIn(BaseModel):
    username: CleanLine = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime
    user: UserPublic


_PASSWORD_RULES = (
    "≥ 12 ký tự, không phổ biến hay đã bị lộ, không chứa tên đăng nhập"  # noqa: S105 - a description
    " / at least 12 characters, not common or breached, not containing the username"
)


class UserCreate(BaseModel):
    username: CleanLine = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=1024, description=_PASSWORD_RULES)
    role: Role
    display_name: CleanLine = Field(default="", max_length=200)


class UserUpdate(BaseModel):
    display_name: CleanLine | None = Field(default=None, max_length=200)
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=1024, description=_PASSWORD_RULES)
