"""Numbers, percentages, durations, dates and lists in the reader's language, through Babel.

Everything is cached per (value kind, locale) where Babel's parsing of its own patterns
costs more than the formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from bot.i18n.locales import babel_id

_UNITS = (
    ("duration-week", 7 * 24 * 60),
    ("duration-day", 24 * 60),
    ("duration-hour", 60),
    ("duration-minute", 1),
)


@lru_cache(maxsize=32)
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(babel_id(locale))


def number(value: float, locale: str) -> str:
    return format_decimal(value, locale=_babel_locale(locale))


def percent(share: float, locale: str, digits: int = 1) -> str:
    pattern = "#,##0" + ("." + "#" * digits if digits else "") + "%"
    return format_percent(share, pattern, locale=_babel_locale(locale))


def duration(value: timedelta, locale: str, *, weeks: bool = False) -> str:
    """Whole minutes in words, largest unit first: ``1 day, 12 hours`` / ``1일 12시간``."""
    minutes = max(int(value.total_seconds() // 60), 0)
    parts = []
    for unit, size in _UNITS:
        if unit == "duration-week" and not weeks:
            continue
        amount, minutes = divmod(minutes, size)
        if amount:
            parts.append(_unit(amount, unit, locale))
    return list_of(parts, locale, style="unit") if parts else _unit(0, "duration-minute", locale)


@lru_cache(maxsize=4096)
def _unit(amount: int, unit: str, locale: str) -> str:
    return format_unit(amount, unit, length="long", locale=_babel_locale(locale))


def day(value: date, locale: str) -> str:
    return format_date(value, format="long", locale=_babel_locale(locale))


def list_of(items: Sequence[str], locale: str, style: str = "standard") -> str:
    if not items:
        return ""
    try:
        return format_list(list(items), style=style, locale=_babel_locale(locale))  # type: ignore[arg-type]
    except KeyError:  # a locale without that list style in CLDR
        return format_list(list(items), style="standard", locale=_babel_locale(locale))
