"""The service's TOTP against the RFC's own test vectors and the tests' independent implementation."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from channel.security.totp import is_code_shaped, matching_step, new_secret, provisioning_uri
from tests.totp import secret_from_uri, totp


def test_the_independent_implementation_meets_rfc_6238_appendix_b() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    vectors = {59: "94287082", 1111111109: "07081804", 1234567890: "89005924", 2000000000: "69279037"}
    for at, code in vectors.items():
        assert totp(secret, at=at, digits=8) == code


@pytest.mark.parametrize("at", [150.0, 1_111_111_109.0, 1_796_000_000.0, 4_102_444_799.0])
def test_codes_match_their_step_within_one_step_of_drift(at: float) -> None:
    secret = new_secret()
    now = datetime.fromtimestamp(at, UTC)
    step = int(at // 30)
    assert matching_step(secret, totp(secret, at=at), at=now) == step
    assert matching_step(secret, totp(secret, at=at - 30), at=now) == step - 1
    assert matching_step(secret, totp(secret, at=at + 30), at=now) == step + 1
    far = {totp(secret, at=at + 30 * n) for n in (-3, -2, 2, 3)} - {
        totp(secret, at=at + 30 * n) for n in (-1, 0, 1)
    }
    assert all(matching_step(secret, code, at=now) is None for code in far)


def test_only_six_digits_are_a_code() -> None:
    secret = new_secret()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    code = totp(secret, at=now.timestamp())
    assert matching_step(secret, f"{code[:3]} {code[3:]}", at=now) is not None  # spaced as apps show it
    for text in ("", "12345", "1234567", "١٢٣٤٥٦", "abcdef", code + "\x00"):
        assert not is_code_shaped(text) or text == code
        assert matching_step(secret, text, at=now) is None


def test_the_uri_is_what_authenticator_apps_read() -> None:
    secret = new_secret()
    assert len(base64.b32decode(secret)) == 20  # 160 bits
    uri = provisioning_uri(secret, account="quản-trị", issuer="Kênh Pháp luật")
    assert uri.startswith("otpauth://totp/K%C3%AAnh%20Ph%C3%A1p%20lu%E1%BA%ADt:qu%E1%BA%A3n-tr%E1%BB%8B?")
    assert secret_from_uri(uri) == secret
    assert "issuer=K%C3%AAnh%20Ph%C3%A1p%20lu%E1%BA%ADt" in uri
