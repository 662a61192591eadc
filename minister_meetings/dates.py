"""Dates that mean something: a meeting's DATE mention resolved against the article's own date.

News write "mardi", "hier", "le 24 novembre" or "la semaine dernière": only the date of the
dispatch turns them into a day. The article date comes from the record's `date` field, else the
dateline ("Rabat, 26 novembre 2025 (MAP) - ..."), else the `--date` given for the input. French
words are understood by `dateparser` (a maintained library: no month or weekday tables here),
with the article date as its relative base and past dates preferred, since news report what
happened. The mention itself is always kept beside the resolved range.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Optional, Tuple

from .optional import require

# "Rabat, 26 novembre 2025 (MAP)", "PARIS, le 4 février 2025 -", "Alger, 26/11/2025": at the start
# of a line, a place, a comma, an optional weekday or "le", then a day, a month and a year
_DATELINE = re.compile(
    r"^[^\n,]{1,60},\s*(?:le\s+)?(?:[^\W\d]+\s+)?(?P<date>\d{1,2}(?:er)?\s+[^\W\d]+\.?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE | re.MULTILINE,
)
# "du 3 au 5 décembre", "entre le 30 novembre et le 2 décembre", "les 3 et 4 décembre"
_RANGE = re.compile(r"^(?:du|entre le|les)\s+(?P<first>.+?)\s+(?:au|et le|et)\s+(?P<last>.+)$", re.IGNORECASE)
_DAY_ONLY = re.compile(r"\d{1,2}(?:er)?")


@dataclass(frozen=True)
class ResolvedDate:
    """An ISO day range: a day has start == end; "en novembre" spans the month."""

    start: date
    end: date


def _settings(base: Optional[date]) -> dict:
    settings = {"PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    return settings


@lru_cache(maxsize=64)
def _parser(base: Optional[date]):
    # one parser per article date: building it loads dateparser's French data, parsing is cheap
    dateparser_date = require("dateparser.date")
    return dateparser_date.DateDataParser(languages=["fr"], settings=_settings(base))


def _period_range(day: date, period: str) -> ResolvedDate:
    if period == "month":
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return ResolvedDate(first, last)
    if period == "year":
        return ResolvedDate(date(day.year, 1, 1), date(day.year, 12, 31))
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return ResolvedDate(monday, monday + timedelta(days=6))
    return ResolvedDate(day, day)


def _parse(text: str, base: Optional[date]) -> Optional[ResolvedDate]:
    data = _parser(base).get_date_data(text)
    if data.date_obj is None:
        return None
    day = data.date_obj.date()
    # a bare weekday that names the dispatch's own day ("a reçu mercredi" in a Wednesday
    # dispatch) is today, where dateparser's "past" preference goes back a week
    if base is not None and data.period == "day" and len(text.split()) == 1 and not any(c.isdigit() for c in text) and base - day == timedelta(days=7):
        day = base
    return _period_range(day, data.period or "day")


def resolve(mention: Optional[str], base: Optional[date]) -> Optional[ResolvedDate]:
    """The day range a DATE mention means in an article of date `base` (None when unknown).

    Without an article date only absolute mentions ("25 novembre 2024") resolve. A mention with
    extra words ("mardi matin", "lundi dernier") falls back to the date words dateparser finds
    inside it.
    """
    if not mention or not mention.strip():
        return None
    text = " ".join(mention.split())
    if base is None and not re.search(r"\d{4}", text):
        return None  # "mardi", "le 24 novembre": nothing to anchor them
    span = _RANGE.match(text)
    if span:
        last = _parse(span["last"], base)
        if last is not None:
            first_text = span["first"]
            if _DAY_ONLY.fullmatch(first_text):
                try:
                    first = last.start.replace(day=int(first_text.rstrip("er")))
                except ValueError:
                    first = None
            else:
                parsed = _parse(first_text, last.end)
                first = parsed.start if parsed is not None else None
            if first is not None and first <= last.end:
                return ResolvedDate(first, last.end)
    resolved = _parse(text, base)
    if resolved is not None:
        return resolved
    search_dates = require("dateparser.search").search_dates
    found = search_dates(text, languages=["fr"], settings=_settings(base))
    return _parse(found[0][0], base) if found else None


def parse_article_date(value: object) -> Optional[date]:
    """A record's `date` field or a `--date` option: ISO ("2025-11-26", with or without a time) or French words."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    resolved = _parse(text, None)
    return resolved.start if resolved is not None and resolved.start == resolved.end else None


def dateline_date(text: str) -> Optional[date]:
    """The dispatch date of the article's dateline, if it has a year: the first dated line of its
    opening (a page's title, menus and headline come before it)."""
    match = _DATELINE.search(text[:1500])
    if match is None:
        return None
    return parse_article_date(match["date"])


def article_date(text: str, field: object = None, default: Optional[date] = None) -> Tuple[Optional[date], Optional[str]]:
    """The article's date and where it comes from: the record's field, the dateline, or the default."""
    from_field = parse_article_date(field)
    if from_field is not None:
        return from_field, "field"
    from_dateline = dateline_date(text)
    if from_dateline is not None:
        return from_dateline, "dateline"
    if default is not None:
        return default, "option"
    return None, None
