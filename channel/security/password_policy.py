"""Which new passwords are accepted: long enough, not guessable, not on a breached list, not the username.

OWASP ASVS 4.0 §2.1 (L2): at least 12 characters, any characters (no composition rules), checked against
breached and common passwords, with the reason shown. The check is offline: zxcvbn (the Python port of
Dropbox's estimator, MIT, on PyPI as `zxcvbn`) ships frequency lists built from leaked password dumps
(the 30,000 most common), English words, names and keyboard patterns, and estimates how many guesses a
password needs. We refuse a password found whole on its breached list, one that contains the username,
and one it scores below 3 (under 10^8 guesses: an offline attacker's minutes). Vietnamese words
people commonly use as passwords are added as extra dictionary words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from zxcvbn import zxcvbn

__all__ = ["MIN_PASSWORD_LENGTH", "MIN_SCORE", "PasswordRefused", "check_new_password"]

MIN_PASSWORD_LENGTH: Final = 12
MIN_SCORE: Final = 3
#: zxcvbn reads at most this many characters; the rest only adds strength
_ANALYSED: Final = 72
#: common Vietnamese password words, and this service's own names
_LOCAL_WORDS: Final = (
    "matkhau", "mat-khau", "vietnam", "hanoi", "saigon", "hochiminh", "anhyeuem", "emyeuanh", "yeuem",
    "iloveyou", "phapluat", "truyenhinh", "legaltv", "quantri", "admin", "bientap",
)  # fmt: skip

_REASONS: Final[dict[str, tuple[str, str]]] = {
    "user_inputs": ("chứa một từ dễ đoán", "contains an easily guessed word"),
    "dictionary": ("dựa trên từ hoặc tên phổ biến", "is based on common words or names"),
    "repeat": ("lặp lại ký tự hoặc cụm ký tự", "repeats characters or groups of characters"),
    "sequence": ("là một dãy liên tiếp như abcd hoặc 1234", "is a sequence such as abcd or 1234"),
    "spatial": ("là các phím liền nhau trên bàn phím", "is a row of adjacent keyboard keys"),
    "date": ("chứa ngày tháng hoặc năm dễ đoán", "contains a date or a year"),
    "regex": ("chứa ngày tháng hoặc năm dễ đoán", "contains a date or a year"),
}


class PasswordRefused(ValueError):
    """A new password refused by the policy; `code` is stable, `message` bilingual (Vietnamese first)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _reason(sequence: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    for match in sequence:
        pattern = str(match.get("pattern", ""))
        if pattern == "dictionary" and match.get("dictionary_name") == "user_inputs":
            return _REASONS["user_inputs"]
        if pattern in _REASONS:
            return _REASONS[pattern]
    return ("quá ngắn hoặc quá đơn giản", "is too short or too simple")


def check_new_password(password: str, *, username: str, other_inputs: Sequence[str] = ()) -> None:
    """Raise `PasswordRefused` with the reason when `password` may not be set for `username`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(
            "password_too_short",
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự"
            f" / The password must have at least {MIN_PASSWORD_LENGTH} characters",
        )
    folded = password.casefold()
    name = username.strip().casefold()
    if len(name) >= 3 and name in folded:
        raise PasswordRefused(
            "password_contains_username",
            "Mật khẩu không được chứa tên đăng nhập / The password must not contain the username",
        )
    inputs = [name, *(item.casefold() for item in other_inputs if item), *_LOCAL_WORDS]
    result = zxcvbn(password[:_ANALYSED], user_inputs=inputs)
    sequence: list[Mapping[str, Any]] = list(result["sequence"])
    whole = [m for m in sequence if m.get("i") == 0 and m.get("j") == len(password[:_ANALYSED]) - 1]
    breached = any(m.get("dictionary_name") == "passwords" for m in whole)
    if breached or int(result["score"]) < MIN_SCORE:
        if breached:
            raise PasswordRefused(
                "common_password",
                "Mật khẩu này nằm trong danh sách mật khẩu phổ biến hoặc đã bị lộ, hãy chọn mật khẩu khác"
                " / This password is on a list of common or breached passwords; choose another",
            )
        vi, en = _reason(sequence)
        raise PasswordRefused(
            "weak_password",
            f"Mật khẩu quá dễ đoán: {vi}; hãy dùng một cụm từ dài, khó đoán"
            f" / The password is too easy to guess: it {en}; use a long, unusual phrase",
        )
