"""Small secrets at rest (the TOTP keys): AES-256-GCM under a derived key, bound to their owner.

The stored form is `v1.<base64url(nonce ‖ ciphertext ‖ tag)>`; the owner's id is the associated data,
so a ciphertext copied onto another user's row does not decrypt there.
"""

from __future__ import annotations

import base64
import secrets
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SealBroken", "open_sealed", "seal"]

_VERSION: Final = "v1."
_NONCE_BYTES: Final = 12


class SealBroken(ValueError):
    """The stored secret cannot be opened: another key (LEGALTV_SECRET_KEY changed), another owner, or damage."""


def seal(plaintext: str, *, key: bytes, owner: str) -> str:
    """Encrypt `plaintext` for `owner` (a fresh random nonce each time)."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), owner.encode())
    return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_sealed(stored: str, *, key: bytes, owner: str) -> str:
    """The plaintext of `seal`'s output; SealBroken when it does not authenticate."""
    if not stored.startswith(_VERSION):
        raise SealBroken("unknown format")
    try:
        raw = base64.urlsafe_b64decode(stored[len(_VERSION) :].encode())
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], owner.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealBroken("does not decrypt") from exc
    return plain.decode()
