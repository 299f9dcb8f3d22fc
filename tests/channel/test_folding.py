"""Folding text for search: case, accents and "đ" never matter."""

from __future__ import annotations

from channel.folding import document_key, fold, programme_search_text, search_terms, slugify


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


def test_document_key_ignores_case_diacritics_spacing_and_dash_kind() -> None:
    spellings = [
        "471/QĐ-TTg",
        "471/qđ-ttg",
        "471/QD-TTg",
        "471 / QĐ – TTg",
        " 471/Qđ\u2011TTg ",
        "471／QĐ－TTg",
    ]
    assert {document_key(spelling) for spelling in spellings} == {"471/qd-ttg"}
    assert document_key("45/2019/QH14") != document_key("45/2019/QH15")


def test_programme_search_text_holds_document_keys() -> None:
    text = programme_search_text("Luật Đất đai", "Quyền sử dụng đất", ["31/2024/QH15", "471/QĐ-TTg"])
    assert text == "luat dat dai quyen su dung dat 31/2024/qh15 471/qd-ttg"
    assert all(term in text for term in search_terms("471/qđ–TTg"))
