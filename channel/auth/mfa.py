"""The second factor: enrolling an authenticator app, checking a code at sign-in, an admin's reset.

A code is accepted once: the credential remembers the time step of the last code it took, and a
conditional UPDATE moves it forward only past that step, so two replicas given the same code at the
same moment accept it once between them. Recovery codes are spent the same way (`used_at IS NULL`).
Every code tried counts against the per-account limits first.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from channel import audit
from channel.audit import Actor
from channel.auth.errors import AuthError
from channel.auth.policy import AccountPolicy
from channel.auth.sessions import Authenticated, revoke_sessions
from channel.auth.throttle import LoginLimits
from channel.models import MfaCredential, RecoveryCode, SessionScope, User
from channel.security.qr import qr_svg
from channel.security.recovery_codes import hash_code, looks_like_code, new_codes
from channel.security.secretbox import SealBroken, open_sealed, seal
from channel.security.totp import is_code_shaped, matching_step, new_secret, provisioning_uri

__all__ = [
    "FACTOR_RECOVERY",
    "FACTOR_TOTP",
    "Enrolment",
    "Factor",
    "MfaStatus",
    "check_second_factor",
    "confirm_enrolment",
    "mfa_status",
    "reset_mfa",
    "start_enrolment",
    "throttle_codes",
]

FACTOR_TOTP: Final = "password+totp"
FACTOR_RECOVERY: Final = "password+recovery_code"
Factor = Literal["password+totp", "password+recovery_code"]
_security_log = logging.getLogger("legaltv.security")

_INVALID_CODE = "Mã xác thực không đúng / Wrong verification code"
_USED_CODE = "Mã này vừa được dùng, hãy chờ mã tiếp theo / This code was just used; wait for the next one"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the console shows to enrol: the secret (for typing in), the otpauth URI and its QR code."""

    secret: str
    uri: str
    qr_svg: str


@dataclass(frozen=True, slots=True)
class MfaStatus:
    enrolled: bool
    required: bool
    recovery_codes_left: int


def mfa_status(db: Session, *, user: User, policy: AccountPolicy) -> MfaStatus:
    left = db.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return MfaStatus(
        enrolled=user.mfa_enrolled, required=policy.mfa_required(user), recovery_codes_left=int(left or 0)
    )


def throttle_codes(limits: LoginLimits, *, user_id: uuid.UUID, now: datetime) -> None:
    """Count one code tried for the account; 429 past the limits."""
    wait = limits.check_code(account=str(user_id), now=now.timestamp())
    if wait is not None:
        _security_log.warning("second factor refused: rate limited", extra={"user_id": str(user_id)})
        raise AuthError(
            "too_many_codes",
            "Nhập mã quá nhiều lần, hãy thử lại sau / Too many verification codes tried",
            status=429,
            headers={"Retry-After": str(int(wait) + 1)},
        )


def start_enrolment(db: Session, *, user: User, policy: AccountPolicy, now: datetime) -> Enrolment:
    """A new (pending) secret for the user's authenticator app, replacing an unconfirmed one."""
    credential = user.mfa_credential
    if credential is not None and credential.confirmed_at is not None:
        raise AuthError(
            "mfa_already_enrolled",
            "Tài khoản đã đăng ký xác thực hai lớp; nhờ quản trị viên đặt lại nếu mất điện thoại"
            " / Two-factor sign-in is already set up; ask an admin to reset it if the phone is lost",
            status=409,
        )
    secret = new_secret()
    sealed = seal(secret, key=policy.keys.mfa_secret, owner=str(user.id))
    if credential is None:
        user.mfa_credential = MfaCredential(user_id=user.id, secret=sealed, created_at=now)
    else:
        credential.secret, credential.created_at, credential.last_step = sealed, now, None
    db.commit()
    uri = provisioning_uri(secret, account=user.username, issuer=policy.mfa_issuer)
    return Enrolment(
        secret=secret, uri=uri, qr_svg=qr_svg(uri, title=f"{policy.mfa_issuer}: {user.username}")
    )


def _take_totp(
    db: Session, credential: MfaCredential, code: str, *, policy: AccountPolicy, now: datetime
) -> None:
    """Accept `code` for `credential` once (flushed), or raise: wrong, already used, or an unreadable secret."""
    try:
        secret = open_sealed(credential.secret, key=policy.keys.mfa_secret, owner=str(credential.user_id))
    except SealBroken:
        _security_log.error("MFA secret cannot be decrypted", extra={"user_id": str(credential.user_id)})
        raise AuthError(
            "mfa_unreadable",
            "Không đọc được khoá xác thực (khoá bí mật của hệ thống đã đổi?); nhờ quản trị viên đặt lại"
            " / The authenticator key cannot be read (was the service's secret key changed?); ask an admin"
            " to reset it",
            status=409,
        ) from None
    step = matching_step(secret, code, at=now)
    if step is None:
        raise AuthError("invalid_mfa_code", _INVALID_CODE, status=401)
    taken = db.execute(
        update(MfaCredential)
        .where(
            MfaCredential.user_id == credential.user_id,
            or_(MfaCredential.last_step.is_(None), MfaCredential.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    if not getattr(taken, "rowcount", 0):
        raise AuthError("mfa_code_used", _USED_CODE, status=401)


def _take_recovery_code(
    db: Session, *, user_id: uuid.UUID, code: str, policy: AccountPolicy, now: datetime
) -> None:
    spent = db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == hash_code(code, key=policy.keys.recovery_code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(spent, "rowcount", 0):
        raise AuthError("invalid_mfa_code", _INVALID_CODE, status=401)


def _new_recovery_codes(
    db: Session, *, user_id: uuid.UUID, policy: AccountPolicy, now: datetime
) -> list[str]:
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = new_codes()
    db.add_all(
        RecoveryCode(
            user_id=user_id, code_hash=hash_code(code, key=policy.keys.recovery_code), created_at=now
        )
        for code in codes
    )
    return codes


def confirm_enrolment(
    db: Session,
    *,
    auth: Authenticated,
    code: str,
    policy: AccountPolicy,
    limits: LoginLimits,
    now: datetime,
    request_id: str | None,
) -> list[str]:
    """The first code proves the app holds the secret: MFA is on, this session becomes a full one, the
    user's other sessions end, and ten recovery codes are returned (the only time they are shown)."""
    user = auth.user
    throttle_codes(limits, user_id=user.id, now=now)
    credential = user.mfa_credential
    if credential is None or credential.confirmed_at is not None:
        raise AuthError(
            "mfa_not_pending",
            "Chưa bắt đầu đăng ký hoặc đã đăng ký xong / No enrolment is in progress",
            status=409,
        )
    try:
        _take_totp(db, credential, code, policy=policy, now=now)
    except AuthError as exc:  # 422, not 401: the session is fine, the code is not
        raise AuthError(exc.code, exc.message, status=422) from None
    credential.confirmed_at = now
    codes = _new_recovery_codes(db, user_id=user.id, policy=policy, now=now)
    auth.session.scope, auth.session.factors = SessionScope.FULL, FACTOR_TOTP
    revoke_sessions(db, user_id=user.id, now=now, reason="mfa_enrolled", keep=auth.session.id)
    audit.record(
        db,
        actor_id=user.id,
        action="user.mfa_enrol",
        entity_type="user",
        entity_id=user.id,
        changes={"mfa": {"from": False, "to": True}, "recovery_codes": len(codes)},
        request_id=request_id,
    )
    db.commit()
    _security_log.info("MFA enrolled", extra={"user_id": str(user.id)})
    return codes


def check_second_factor(
    db: Session, *, user: User, code: str, policy: AccountPolicy, now: datetime
) -> Factor:
    """Accept a TOTP code or an unused recovery code of `user` (flushed, spent); raise 401 otherwise."""
    credential = user.mfa_credential
    if credential is None or credential.confirmed_at is None:
        raise AuthError("invalid_mfa_code", _INVALID_CODE, status=401)
    if is_code_shaped(code):
        _take_totp(db, credential, code, policy=policy, now=now)
        return FACTOR_TOTP
    if looks_like_code(code):
        _take_recovery_code(db, user_id=user.id, code=code, policy=policy, now=now)
        return FACTOR_RECOVERY
    raise AuthError("invalid_mfa_code", _INVALID_CODE, status=401)


def reset_mfa(db: Session, *, actor: Actor, user_id: uuid.UUID) -> User:
    """An admin removes another user's second factor (lost phone): audited, and every session ends.

    The user signs in with the password again and, if their role requires it, must enrol anew first.
    Admins cannot reset their own (a stolen admin session must not shed its second factor).
    """
    user = db.get(User, user_id)
    if user is None:
        raise AuthError("not_found", "Không tìm thấy người dùng / User not found", status=404)
    if actor.user_id is not None and actor.user_id == user.id:
        raise AuthError(
            "mfa_reset_own",
            "Không thể tự đặt lại xác thực hai lớp của mình; nhờ một quản trị viên khác"
            " / You cannot reset your own two-factor sign-in; ask another admin",
            status=403,
        )
    was_enrolled = user.mfa_enrolled
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.mfa_credential = None  # deleted with the flush (delete-orphan)
    sessions = revoke_sessions(db, user_id=user.id, now=actor.now, reason="mfa_reset")
    audit.record_by(
        db,
        actor,
        "user.mfa_reset",
        entity_type="user",
        entity_id=user.id,
        changes={"mfa": {"from": was_enrolled, "to": False}, "sessions_revoked": sessions},
    )
    db.commit()
    _security_log.warning(
        "MFA reset", extra={"user_id": str(user.id), "by": str(actor.user_id) if actor.user_id else "cli"}
    )
    return user
