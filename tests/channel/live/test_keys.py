"""Stream keys: random, hashed, open from shortly before the start until the end, unless revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from channel.live.keys import KeyWindow, issue_key, judge_key, key_digest, srt_passphrase

START = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)
WINDOW = KeyWindow(start=START, end=START + timedelta(hours=1), lead=timedelta(minutes=30), revoked_at=None)


def test_issued_keys_differ_and_only_their_hash_is_kept() -> None:
    a, b = issue_key(secret_key="s" * 40), issue_key(secret_key="s" * 40)
    assert a.plain != b.plain
    assert a.digest == key_digest(a.plain, secret_key="s" * 40)
    assert a.plain not in a.digest
    assert len(srt_passphrase(a.digest, secret_key="s" * 40)) == 32
    assert srt_passphrase(a.digest, secret_key="s" * 40) != srt_passphrase(b.digest, secret_key="s" * 40)


@given(st.integers(-7200, 7200))
def test_the_window_opens_at_start_minus_lead_and_closes_at_the_end(offset: int) -> None:
    now = START + timedelta(seconds=offset)
    verdict = judge_key(WINDOW, now=now)
    if offset < -1800:
        assert verdict == "early"
    elif offset >= 3600:
        assert verdict == "expired"
    else:
        assert verdict == "ok"


def test_revoked_and_cancelled_keys_are_refused() -> None:
    revoked = KeyWindow(START, START + timedelta(hours=1), timedelta(minutes=30), revoked_at=START)
    assert judge_key(revoked, now=START - timedelta(minutes=1)) == "ok"
    assert judge_key(revoked, now=START) == "revoked"
    cancelled = KeyWindow(START, START + timedelta(hours=1), timedelta(minutes=30), None, cancelled=True)
    assert judge_key(cancelled, now=START) == "cancelled"
