"""Text folding for search: lower case, no diacritics, "đ" as "d", so "dat" finds "Đất".

Pure functions, shared by the write path (the stored `search_text`) and the query path.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["document_key", "fold", "programme_search_text", "search_terms", "slugify"]

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
#: the dashes and slashes people type in document numbers ("471/QĐ–TTg", "471／QĐ-TTg") as ASCII
_SEPARATORS = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\uff0d": "-",
        "\uff0f": "/",
        "\u2215": "/",
    }
)


def fold(text: str) -> str:
    """`text` lower-cased with accents removed and whitespace collapsed ("Luật Đất đai" → "luat dat dai")."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "d").replace("đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", bare).casefold()).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a query; a programme matches when its text contains every one."""
    return [term for term in fold(query.translate(_SEPARATORS)).split(" ") if term]


def slugify(text: str) -> str:
    """An ASCII slug ("Luật Đất đai" → "luat-dat-dai")."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")


def document_key(number: str) -> str:
    """A legal document number as it is compared: folded, ASCII separators, no spaces.

    "471/QĐ-TTg", "471/qđ-ttg", "471/QD-TTg" and "471 / QĐ – TTg" are one document: "471/qd-ttg".
    """
    return fold(number.translate(_SEPARATORS)).replace(" ", "")


def programme_search_text(title: str, description: str, document_numbers: list[str]) -> str:
    """What `q` searches: the folded title and description, then each document's key."""
    return " ".join([fold(f"{title} {description}"), *(document_key(n) for n in document_numbers)]).strip()
