"""Request and response bodies of the account endpoints, one schema per direction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from channel.models import Role, SessionScope
from channel.text import CleanLine

__all__ = [
    "CodeIn",
    "CodeNeededOut",
    "EnrolmentOut",
    "LoginIn",
    "LoginOut",
    "MeOut",
    "RecoveryCodesOut",
    "SecondStepIn",
    "SessionOut",
    "TokenOut",
    "UserCreate",
    "UserPublic",
    "UserUpdate",
]


class LoginIn(BaseModel):
    username: CleanLine = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    roles: list[Role] = Field(description="every role the person holds (admin: everything)")
    active: bool
    mfa_enrolled: bool
    created_at: datetime

    @field_validator("roles", mode="before")
    @classmethod
    def _in_order(cls, value: object) -> object:
        return sorted(value) if isinstance(value, set | frozenset) else value  # type: ignore[type-var]


class TokenOut(BaseModel):
    """A session: the bearer token (shown once), when it ends at the latest, what it may reach."""

    step: Literal["signed_in"] = "signed_in"
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime
    scope: SessionScope = Field(description="`mfa_enrolment`: only the second factor's enrolment, until done")
    user: UserPublic


class CodeNeededOut(BaseModel):
    """The password was right; send a code from the authenticator app (or a recovery code) with this."""

    step: Literal["mfa_required"] = "mfa_required"
    challenge: str = Field(description="for POST /api/auth/login/mfa; not a session token")
    expires_at: datetime


LoginOut = Annotated[TokenOut | CodeNeededOut, Field(discriminator="step")]


class SecondStepIn(BaseModel):
    challenge: str = Field(min_length=1, max_length=1024)
    code: str = Field(min_length=6, max_length=32, description="6 digits, or a recovery code xxxxx-xxxxx")


class CodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=32, description="the 6 digits the authenticator app shows")


class MeOut(UserPublic):
    """The signed-in user, with the state of their second factor and of this session."""

    mfa_required: bool
    recovery_codes_left: int
    session_id: uuid.UUID
    session_scope: SessionScope


class EnrolmentOut(BaseModel):
    secret: str = Field(description="base32 key, for typing into the app by hand")
    otpauth_uri: str
    qr_svg: str = Field(description="the URI as an SVG QR code, made on the server")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="each works once; shown only now")


class SessionOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime = Field(description="the absolute end")
    idle_expires_at: datetime = Field(description="the end if it is not used again before")
    client_address: str | None
    user_agent: str | None
    factors: str
    scope: SessionScope
    current: bool


_PASSWORD_RULES = (
    "≥ 12 ký tự, không phổ biến hay đã bị lộ, không chứa tên đăng nhập"  # noqa: S105 - a description
    " / at least 12 characters, not common or breached, not containing the username"
)
_ROLES_HELP = "một hoặc nhiều vai trò / one or more roles (`role` alone: just that one)"


class _RolesIn(BaseModel):
    role: Role | None = Field(default=None, description="one role (or use `roles`)")
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=4, description=_ROLES_HELP)

    def chosen_roles(self) -> frozenset[Role] | None:
        """`role` and `roles` together as one set; None when neither was given."""
        if self.role is None and self.roles is None:
            return None
        return frozenset(self.roles or ()) | ({self.role} if self.role else frozenset())


class UserCreate(_RolesIn):
    username: CleanLine = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=1024, description=_PASSWORD_RULES)
    display_name: CleanLine = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _some_role(self) -> UserCreate:
        if self.role is None and not self.roles:
            raise ValueError(
                "cần ít nhất một vai trò (role hoặc roles) / give at least one role (role or roles)"
            )
        return self


class UserUpdate(_RolesIn):
    display_name: CleanLine | None = Field(default=None, max_length=200)
    active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=1024, description=_PASSWORD_RULES)
