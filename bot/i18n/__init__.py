"""Lightstick in the fandoms' languages: lazy messages, catalogs, locale-aware formatting.

Nothing here imports discord; :mod:`bot.i18n.interactions` is the Discord side.
"""

from bot.i18n.locales import ALL_LOCALES, NATIVE_NAMES, SOURCE_LOCALE, TRANSLATED, supported_locale
from bot.i18n.message import (
    Day,
    Duration,
    ListOf,
    Msg,
    Number,
    Percent,
    Text,
    _,
    _n,
    current_locale,
    in_every_locale,
    render,
    speaking,
    use_locale,
)

__all__ = [
    "ALL_LOCALES",
    "NATIVE_NAMES",
    "SOURCE_LOCALE",
    "TRANSLATED",
    "Day",
    "Duration",
    "ListOf",
    "Msg",
    "Number",
    "Percent",
    "Text",
    "_",
    "_n",
    "current_locale",
    "in_every_locale",
    "render",
    "speaking",
    "supported_locale",
    "use_locale",
]
