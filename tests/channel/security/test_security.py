from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channel.security import RateLimiter, hash_password, hash_token, new_token, verify_password


def test_password_round_trip_and_mismatch() -> None:
    stored = hash_password("mật-khẩu-đủ-dài")
    assert stored.startswith("$argon2id$")
    assert "mật" not in stored
    assert verify_password(stored, "mật-khẩu-đủ-dài")
    assert not verify_password(stored, "mat-khau-du-dai")
    assert not verify_password("not-a-hash", "anything-long")


def test_short_password_refused() -> None:
    with pytest.raises(ValueError, match="ít nhất"):
        hash_password("ngắn")


def test_token_is_random_and_stored_as_keyed_hash() -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    a = new_token(secret_key="k1", now=now, ttl_seconds=60)
    b = new_token(secret_key="k1", now=now, ttl_seconds=60)
    assert a.plain != b.plain
    assert a.digest == hash_token(a.plain, secret_key="k1")
    assert a.digest != hash_token(a.plain, secret_key="k2")
    assert a.plain not in a.digest
    assert (a.expires_at - now).total_seconds() == 60


def test_rate_limiter_window() -> None:
    limiter = RateLimiter(limit=3, window_seconds=60)
    assert [limiter.hit("ip", now=t) for t in (0, 1, 2)] == [None, None, None]
    wait = limiter.hit("ip", now=3)
    assert wait == pytest.approx(57)
    assert limiter.hit("other", now=3) is None
    assert limiter.hit("ip", now=60.5) is None
