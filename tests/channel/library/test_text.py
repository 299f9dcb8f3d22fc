"""Folding text for search: case, accents and "đ" never matter."""

from __future__ import annotations

from channel.library.text import fold, search_terms, slugify


def test_fold_removes_case_and_diacritics() -> None:
    assert fold("Luật Giao thông đường bộ") == "luat giao thong duong bo"
    assert fold("ĐẤT ĐAI") == "dat dai"
    assert fold("  Phòng,\tchống   tham nhũng ") == "phong, chong tham nhung"


def test_fold_accepts_decomposed_unicode() -> None:
    decomposed = "Lua\u0323\u0302t"  # "Luật" typed with combining marks (NFD)
    assert fold(decomposed) == "luat"


def test_search_terms_are_folded_words() -> None:
    assert search_terms("  Đất   đai ") == ["dat", "dai"]
    assert search_terms("") == []


def test_slugify_is_ascii() -> None:
    assert slugify("Phòng, chống tham nhũng") == "phong-chong-tham-nhung"
    assert slugify("Luật Đất đai") == "luat-dat-dai"
