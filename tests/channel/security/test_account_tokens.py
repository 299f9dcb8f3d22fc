"""The small secrets of accounts: sign-in challenges, recovery codes, sealed TOTP keys, derived keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from channel.security import hash_token
from channel.security.challenge import CHALLENGE_SECONDS, issue_challenge, read_challenge
from channel.security.keys import derive_key
from channel.security.recovery_codes import hash_code, looks_like_code, new_codes, normalise_code
from channel.security.secretbox import SealBroken, open_sealed, seal

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SECRET = "a-strong-enough-secret-key-for-the-tests-0123456789"


def test_keys_differ_per_purpose_and_per_secret() -> None:
    keys = {derive_key(SECRET, purpose) for purpose in ("mfa-secret", "mfa-recovery-code", "mfa-challenge")}
    assert len(keys) == 3
    assert derive_key(SECRET, "mfa-secret") == derive_key(SECRET, "mfa-secret")
    assert derive_key(SECRET + "!", "mfa-secret") != derive_key(SECRET, "mfa-secret")


def test_a_challenge_is_genuine_live_and_bound_to_the_password() -> None:
    key, user = derive_key(SECRET, "mfa-challenge"), uuid.uuid4()
    challenge = issue_challenge(user_id=user, password_hash="$argon2id$a", key=key, now=NOW)
    assert challenge.expires_at == NOW + timedelta(seconds=CHALLENGE_SECONDS)
    claims = read_challenge(challenge.token, key=key, now=NOW + timedelta(seconds=CHALLENGE_SECONDS - 1))
    assert claims is not None
    assert claims.user_id == user
    assert claims.issued_under("$argon2id$a")
    assert not claims.issued_under("$argon2id$b")
    assert read_challenge(challenge.token, key=key, now=NOW + timedelta(seconds=CHALLENGE_SECONDS)) is None
    assert read_challenge(challenge.token, key=derive_key(SECRET, "mfa-secret"), now=NOW) is None
    payload, mac = challenge.token.split(".")
    other = issue_challenge(user_id=uuid.uuid4(), password_hash="$argon2id$a", key=key, now=NOW)
    assert read_challenge(other.token.split(".")[0] + "." + mac, key=key, now=NOW) is None  # MAC of another
    for junk in ("", "ltvmfa_", "ltvmfa_.", "ltv_abc", "ltvmfa_" + "A" * 5000, payload + ".x"):
        assert read_challenge(junk, key=key, now=NOW) is None
    # never a bearer token: its hash cannot be a stored session's (a different prefix and key)
    assert not challenge.token.startswith("ltv_")
    assert hash_token(challenge.token, secret_key=SECRET) != hash_token(
        "ltv_" + challenge.token[7:], secret_key=SECRET
    )


def test_recovery_codes_are_random_readable_and_typed_loosely() -> None:
    codes = new_codes()
    assert len(set(codes)) == 10
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    assert all(not set(code) & set("01ilo") for code in codes)
    key = derive_key(SECRET, "mfa-recovery-code")
    code = codes[0]
    for typed in (code.upper(), code.replace("-", " "), f"  {code}  ", code.replace("-", "")):
        assert looks_like_code(typed)
        assert hash_code(typed, key=key) == hash_code(code, key=key)
    assert normalise_code("AbCdE-FgHjK") == "abcdefghjk"
    assert not looks_like_code("123456")
    assert hash_code(code, key=derive_key(SECRET + "!", "mfa-recovery-code")) != hash_code(code, key=key)


def test_a_sealed_secret_opens_only_with_its_key_and_owner() -> None:
    key = derive_key(SECRET, "mfa-secret")
    sealed = seal("JBSWY3DPEHPK3PXP", key=key, owner="u-1")
    assert sealed != seal("JBSWY3DPEHPK3PXP", key=key, owner="u-1")  # a fresh nonce each time
    assert open_sealed(sealed, key=key, owner="u-1") == "JBSWY3DPEHPK3PXP"
    for wrong_key, owner, stored in (
        (key, "u-2", sealed),
        (derive_key(SECRET, "mfa-challenge"), "u-1", sealed),
        (key, "u-1", sealed[:-4] + "AAAA"),
        (key, "u-1", "v2." + sealed[3:]),
        (key, "u-1", "v1.!!"),
    ):
        with pytest.raises(SealBroken):
            open_sealed(stored, key=wrong_key, owner=owner)
