"""Text the API accepts: no NUL or other control characters, in one place for every field and parameter.

PostgreSQL refuses NUL in text (a 500 if it got that far) and names are shown on screens, so every
free-text field of a request body and every text query or path parameter is one of these types and is
refused with the usual 422 before any query runs. Length limits stay with each field.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

__all__ = ["LINE_PATTERN", "TEXT_PATTERN", "CleanLine", "CleanQuery", "CleanText", "strip_controls"]

#: one line of text: no control characters at all
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
#: free text: line breaks and tabs allowed, other control characters not
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

#: a single-line field (titles, names, slugs, numbers, usernames)
CleanLine = Annotated[str, StringConstraints(pattern=LINE_PATTERN)]
#: a multi-line field (descriptions)
CleanText = Annotated[str, StringConstraints(pattern=TEXT_PATTERN)]
#: a query-string or path parameter
CleanQuery = CleanLine


def strip_controls(text: str) -> str:
    """`text` on one line without control characters, for metadata (tus, file names) that is not refused."""
    return "".join(char for char in text if not (char < " " or char == "\x7f"))
