"""Keys for separate purposes derived from the one LEGALTV_SECRET_KEY, so no two uses share a key.

HKDF-SHA256 (RFC 5869) with the secret key as input keying material, a fixed salt naming the service and
the purpose as `info`: the MFA secrets' encryption key, the recovery codes' hashing key and the sign-in
challenges' signing key are independent, and none of them is the key that hashes bearer tokens. Changing
LEGALTV_SECRET_KEY changes them all (see docs/security-staff.md for what that means for enrolled users).
"""

from __future__ import annotations

from typing import Final, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["KeyPurpose", "derive_key"]

KeyPurpose = Literal["mfa-secret", "mfa-recovery-code", "mfa-challenge"]
_SALT: Final = b"legaltv key derivation v1"


def derive_key(secret_key: str, purpose: KeyPurpose, *, length: int = 32) -> bytes:
    """`length` bytes for `purpose`, the same for the same secret key on every replica."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=_SALT, info=purpose.encode())
    return hkdf.derive(secret_key.encode())
