"""One rule for text that comes from a request and may be stored: no NUL, no control characters.

PostgreSQL refuses NUL in text (``psycopg.DataError``: a 500 that loses the upload), lone surrogates cannot be
encoded for either database, and control characters in a name or a comment garble logs, CSV files and pages.
So every piece of request text is either cleaned or refused before it reaches the database:

- **cleaned, kept** — what a client's software makes up and a person never typed: the upload's file name
  (also cut to its last path component and shortened to :data:`MAX_FILE_NAME` characters, keeping the
  extension) and its content type. The stored value is what the response shows.
- **refused with 422** — what a person wrote and should see stored as written: a review comment, a token's
  label, names and versions in a request body (:data:`CleanLine`, :data:`CleanText`). The message names the
  character (``U+0000``) and its position.

Control characters are Unicode category ``Cc`` (C0, DEL, C1), plus lone surrogates (``Cs``); a comment may
keep tab and line breaks. File names also lose the invisible format characters that reorder or hide text
(``Cf``: bidirectional overrides such as U+202E, which can make ``evil.xlsx.exe`` read as ``evil.exe.xlsx``).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

MAX_FILE_NAME = 255  # characters; as most file systems allow
MAX_CONTENT_TYPE = 255
MULTILINE = frozenset("\t\n\r")


def is_control(char: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether ``char`` is a control character (Cc) or a lone surrogate (Cs), and not one of ``allowed``."""
    return char not in allowed and unicodedata.category(char) in ("Cc", "Cs")


def first_control(text: str, allowed: frozenset[str] = frozenset()) -> tuple[int, str] | None:
    """The position (from 1) and the character of the first control character in ``text``, if any."""
    for position, char in enumerate(text, start=1):
        if is_control(char, allowed):
            return position, char
    return None


def describe(char: str) -> str:
    """A character as ``U+0000`` (with its Unicode name when it has one)."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def refuse_control(text: str, allowed: frozenset[str] = frozenset()) -> str:
    """``text`` unchanged, or ValueError naming its first control character and where it is."""
    found = first_control(text, allowed)
    if found is not None:
        position, char = found
        raise ValueError(f"the text holds the control character {describe(char)} at character {position}")
    return text


def _refuse_in_line(text: str) -> str:
    return refuse_control(text)


def _refuse_in_text(text: str) -> str:
    return refuse_control(text, MULTILINE)


# the same rules as JSON Schema patterns, for the OpenAPI document (clients and fuzzers see what is refused);
# the validators enforce them, lone surrogates included
LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"

CleanLine = Annotated[
    str, AfterValidator(_refuse_in_line), Field(json_schema_extra={"pattern": LINE_PATTERN})
]
"""A one-line string of a request body: any control character is refused (422, character and position)."""

CleanText = Annotated[
    str, AfterValidator(_refuse_in_text), Field(json_schema_extra={"pattern": TEXT_PATTERN})
]
"""A multi-line string of a request body (tab, CR and LF allowed); other control characters are refused."""


def strip_control(text: str, *, format_chars: bool = False) -> str:
    """``text`` without control characters (and, with ``format_chars``, without Cf characters either)."""
    drop = ("Cc", "Cs", "Cf") if format_chars else ("Cc", "Cs")
    return "".join(c for c in text if unicodedata.category(c) not in drop)


def clean_file_name(raw: str | None, default: str = "upload") -> str:
    """The name an upload is stored under: the last path component of what the client sent, without control
    or format characters and surrounding spaces, at most :data:`MAX_FILE_NAME` characters — a longer name
    loses characters from its stem, never its extension — or ``default`` when nothing is left."""
    name = strip_control(raw or "", format_chars=True).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        return default
    return shorten_file_name(name, MAX_FILE_NAME)


def shorten_file_name(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` characters by shortening its stem; the extension (up to 16 characters after
    the last dot) stays, so ``报表….xlsx`` is still an xlsx."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16:
        return name[:limit].rstrip()
    kept = stem[: limit - len(extension) - 1].rstrip()
    return f"{kept}.{extension}"


def clean_content_type(raw: str | None) -> str | None:
    """An upload part's content type without control characters, at most :data:`MAX_CONTENT_TYPE`
    characters, or None when nothing is left (the type is only recorded: the bytes decide the format)."""
    cleaned = strip_control(raw or "").strip()[:MAX_CONTENT_TYPE].strip()
    return cleaned or None
