"""Whether two reports can be about the same thing: the same place, overlapping dates.

One home for these rules, used when the mentions of an event in one article are merged
(extract) and when reports across articles are joined into the timeline, claims and
conflicts (reconcile).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from parley.records import When


@lru_cache(maxsize=1 << 16)  # a corpus names a few thousand places, compared millions of times
def place_key(place: str | None) -> str | None:
    """A place as compared: lower-case letters, digits and single spaces ("Abu Dhabi," and
    "abu dhabi" are one)."""
    if not place:
        return None
    place = re.sub(r"['’]s\b", "", place.lower())  # "Lima's palace" is in Lima
    return " ".join("".join(ch for ch in place if ch.isalnum() or ch == " ").split()) or None


def places_compatible(a: str | None, b: str | None) -> bool:
    """The same place, one inside the other as whole words ("Abu Dhabi" / "Abu Dhabi
    airport"), or one missing. "US" is not inside "Brussels"."""
    ka, kb = place_key(a), place_key(b)
    return not ka or not kb or f" {ka} " in f" {kb} " or f" {kb} " in f" {ka} "


def date_range(when: When) -> tuple[str, str]:
    """First and last day a resolved date covers (a month or year covers all its days)."""
    first = when.date or ""
    last = when.end or first
    if when.end is None and when.precision == "year":
        last = first[:4] + "-12-31"
    elif when.end is None and when.precision == "month":
        year, month = int(first[:4]), int(first[5:7])
        last = f"{first[:7]}-{calendar.monthrange(year, month)[1]:02d}"
    return first, last


def shift_day(day: str, days: int) -> str:
    """The day (YYYY-MM-DD) ``days`` after ``day``, before it when negative, stopping at the
    ends of Python's calendar, 0001-01-01 and 9999-12-31 (a feed may date an article there)."""
    try:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except OverflowError:
        return (date.max if days > 0 else date.min).isoformat()


def dates_compatible(a: When | None, b: When | None) -> bool:
    """Two dates that could be the same event: overlapping, or one unresolved."""
    if a is None or b is None or not a.date or not b.date:
        return True
    a_first, a_last = date_range(a)
    b_first, b_last = date_range(b)
    return a_first <= b_last and b_first <= a_last
