"""Text folding for search: lower case, no diacritics, "đ" as "d", so "dat" finds "Đất".

Pure functions, shared by the write path (the stored `search_text`) and the query path.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "search_terms", "slugify"]

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """`text` lower-cased with accents removed and whitespace collapsed ("Luật Đất đai" → "luat dat dai")."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "d").replace("đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", bare).casefold()).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a query; a programme matches when its text contains every one."""
    return [term for term in fold(query).split(" ") if term]


def slugify(text: str) -> str:
    """An ASCII slug ("Luật Đất đai" → "luat-dat-dai")."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")
