"""Checks across cells: duplicates over all input files, and values that look like they are in the wrong unit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from scoring.io.cells import BoolArray, FloatArray, IntArray

# A value is flagged as a likely unit mistake (万元 for 亿元, 0.35 for 35 %) when it is at least this many times
# larger or smaller than the median of the same indicator's other values in the same year ...
MAGNITUDE_FACTOR: Final = 100.0
# ... and there are at least this many other positive values to take that median from.
MAGNITUDE_MIN_OTHERS: Final = 3
# A factor is said in a message ("about 80 123 times off") only below this: beyond it (a value next to zero, a
# denormal number, whose ratio may even overflow to infinity) the number says nothing a person can use, and the
# message says "more than a million times" instead.
MAX_SHOWN_FACTOR: Final = 1e6


@dataclass
class Duplicates:
    """Which cells are kept, and for each repeated value the index of the cell it repeats (else -1)."""

    keep: BoolArray
    first: IntArray


def find_duplicates(key: IntArray, has_content: BoolArray, usable: BoolArray) -> Duplicates:
    """Keep the first cell with content for each key; mark later cells with content as duplicates.

    Empty cells neither repeat nor are repeated: an empty cell is kept only when no cell with content has its
    key (it then stands for the missing value), and only the first such empty cell. Cells that are not
    ``usable`` (their unit is unknown) are never kept.
    """
    n = key.size
    keep = np.zeros(n, dtype=bool)
    first = np.full(n, -1, dtype=np.int64)
    filled = np.flatnonzero(usable & has_content)
    if filled.size and _all_distinct(key[filled]):
        keep[filled] = True
    elif filled.size:
        filled_keys = pd.Series(key[filled])
        repeated = filled_keys.duplicated(keep="first").to_numpy()
        keep[filled[~repeated]] = True
        if repeated.any():
            first_index = pd.Series(filled[~repeated], index=key[filled[~repeated]])
            first[filled[repeated]] = first_index.reindex(key[filled[repeated]]).to_numpy()
    empty = np.flatnonzero(usable & ~has_content)
    if empty.size:
        covered = np.isin(key[empty], key[filled]) if filled.size else np.zeros(empty.size, dtype=bool)
        again = pd.Series(key[empty]).duplicated(keep="first").to_numpy()
        keep[empty[~covered & ~again]] = True
    return Duplicates(keep=keep, first=first)


def _all_distinct(keys: IntArray) -> bool:
    """Fast path for the usual case, no duplicates at all: a count per key when the keys are dense enough."""
    if keys.size == 0:
        return True
    low, high = int(keys.min()), int(keys.max())
    if high - low > 4 * keys.size + 1_000_000:
        return False  # sparse keys: let the hashing path decide
    return bool(np.bincount(keys - low).max() <= 1)


@dataclass
class Magnitude:
    """Cells flagged as a likely unit mistake, with the factor and the median of the others."""

    index: IntArray
    factor: FloatArray
    median: FloatArray


def factor_text(ratio: float) -> str | None:
    """How a message writes how many times off a value is: a whole number from 10 on ("80123"), two significant
    digits below ("2.5"); None when the ratio is not finite or at least :data:`MAX_SHOWN_FACTOR` (the message
    then says "more than a million times")."""
    from scoring.io.form import format_number

    if not math.isfinite(ratio) or ratio >= MAX_SHOWN_FACTOR:
        return None
    return format_number(round(ratio)) if ratio >= 10 else format(ratio, ".2g")


def wrong_magnitude(value: FloatArray, group: IntArray, candidate: BoolArray) -> Magnitude:
    """Values at least :data:`MAGNITUDE_FACTOR` times off the median of the other units' values.

    Among the ``candidate`` cells, per ``group`` (an indicator in a year): a positive value x is compared with
    m, the median of the group's other positive values (leave-one-out, so x does not pull m towards itself),
    when there are at least :data:`MAGNITUDE_MIN_OTHERS` of them; it is flagged when
    ``max(x/m, m/x) >= MAGNITUDE_FACTOR``. Zeros are not compared, and a group with a negative value is skipped
    (growth rates that can fall below zero are not magnitudes).
    """
    idx = np.flatnonzero(candidate)
    out_index: list[IntArray] = []
    out_factor: list[FloatArray] = []
    out_median: list[FloatArray] = []
    if idx.size:
        groups_of = group[idx]
        if int(groups_of.max()) < np.iinfo(np.int16).max and int(groups_of.min()) >= 0:
            groups_of = groups_of.astype(np.int16)  # numpy sorts 16-bit integers by radix: linear time
        order = idx[np.argsort(groups_of, kind="stable")]
        groups = group[order]
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        ends = np.r_[starts[1:], groups.size]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            members = order[start:end]
            x = value[members]
            if end - start <= MAGNITUDE_MIN_OTHERS or (x < 0).any():
                continue
            positive = x > 0
            members, x = members[positive], x[positive]
            if x.size <= MAGNITUDE_MIN_OTHERS:
                continue
            median = leave_one_out_median(x)
            with np.errstate(over="ignore"):  # a denormal value: the ratio is inf, and is flagged as such
                ratio = np.maximum(x / median, median / x)
            flagged = ratio >= MAGNITUDE_FACTOR
            if flagged.any():
                out_index.append(members[flagged])
                out_factor.append(ratio[flagged])
                out_median.append(median[flagged])
    if not out_index:
        return Magnitude(np.empty(0, np.int64), np.empty(0), np.empty(0))
    return Magnitude(np.concatenate(out_index), np.concatenate(out_factor), np.concatenate(out_median))


def leave_one_out_median(x: FloatArray) -> FloatArray:
    """For each element, the median of all the other elements (needs at least 2 elements).

    With s the sorted values and n their count, removing one element leaves a median that depends only on
    whether the element sits below, at or above the middle: for even n it is s[n/2] for elements ≤ s[n/2−1] and
    s[n/2−1] otherwise; for odd n (c = (n−1)/2) it is (s[c]+s[c+1])/2 below s[c], (s[c−1]+s[c])/2 above and
    (s[c−1]+s[c+1])/2 at it. Ties give the same result whichever tied element is removed. Only the middle order
    statistics are needed, so a partition (linear time) is enough.
    """
    n = x.size
    if n % 2 == 0:
        low, high = n // 2 - 1, n // 2
        part = np.partition(x, [low, high])
        return np.where(x <= part[low], part[high], part[low])
    c = n // 2
    part = np.partition(x, [c - 1, c, c + 1])
    below, middle, above = part[c - 1], part[c], part[c + 1]
    return np.where(
        x < middle, (middle + above) / 2, np.where(x > middle, (below + middle) / 2, (below + above) / 2)
    )
