"""How numbers are written in the report. Every format and the narrative use these functions, so a number in a
sentence is always written exactly as in the tables (a test parses the text and checks this)."""

from __future__ import annotations

import math
import re

MISSING = "—"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def score(x: float | None) -> str:
    """A score to two decimals (``93.04``); ``—`` when missing."""
    return MISSING if _missing(x) else f"{x:.2f}"


def signed(x: float | None) -> str:
    """A change with its sign (``+2.10``, ``-1.05``, ``0.00``)."""
    if _missing(x):
        return MISSING
    text = f"{x:+.2f}"
    return "0.00" if text in {"+0.00", "-0.00"} else text


def magnitude(x: float) -> str:
    """The size of a change for a sentence that says its direction in words (``提高 2.10 分``)."""
    return f"{abs(x):.2f}"


def percent(ratio: float | None, digits: int = 1) -> str:
    """A ratio as a percentage (``0.953`` → ``95.3%``)."""
    if ratio is None or _missing(ratio):
        return MISSING
    return f"{ratio * 100:.{digits}f}%"


def weight(w: float | None) -> str:
    """A weight to four decimals (``0.2500``)."""
    return MISSING if _missing(w) else f"{w:.4f}"


def value(x: float | None) -> str:
    """A raw indicator value as people write it: at most two decimals, no trailing zeros, no exponent."""
    if _missing(x):
        return MISSING
    assert x is not None
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def rank(r: float | None) -> str:
    """A rank as an integer; ``—`` when the unit is unranked."""
    if r is None or _missing(r):
        return MISSING
    return str(int(r))


def rank_move(places: float | None) -> str:
    """Places gained (``↑2``), lost (``↓1``) or ``持平``; ``—`` without a previous year."""
    if _missing(places):
        return MISSING
    assert places is not None
    k = int(places)
    if k > 0:
        return f"↑{k}"
    if k < 0:
        return f"↓{-k}"
    from scoring.report.language import _

    return _("持平")


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """A positive integer below 10 000 in Chinese numerals, as in chapter numbers (``12`` → ``十二``)."""
    if not 0 < n < 10_000:
        return str(n)
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    out = ""
    zero = False
    for size, name in units:
        digit = n // size % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + name
    return out[1:] if out.startswith("一十") else out


def with_unit(number: str, unit: str | None) -> str:
    """A formatted number followed by its unit, as a unit is written after a figure
    (:func:`scoring.system.measures.after_figure`: ``33`` for a count, ``206.6 (100 million yuan)``): a space
    before a Latin unit or one put in brackets (``2005 PFLOPS``), none before a Chinese unit or % (``35家``, ``91.8%``)."""
    from scoring.system.measures import after_figure

    shown = after_figure(unit or "")
    if not shown:
        return number
    latin = shown[0].isascii() and shown[0].isalpha()
    return f"{number} {shown}" if latin or shown != unit else number + shown


_DIGIT_GROUP = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")


def unbroken(text: str) -> str:
    """``text`` with the spaces between a number's digit groups made no-break (``10 000``, ``9 415 000``), so a
    line never ends inside a number."""
    return _DIGIT_GROUP.sub("\u00a0", text)
