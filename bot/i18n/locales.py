"""The languages Lightstick speaks, named as Discord names them (``interaction.locale``).

English is the source language: its text lives in the code. Every other locale has a
gettext catalog under ``bot/locales/<babel id>/LC_MESSAGES/lightstick.po``.
"""

from __future__ import annotations

SOURCE_LOCALE = "en-US"

#: Discord locale -> Babel locale identifier.
BABEL_IDS: dict[str, str] = {
    "en-US": "en_US",
    "en-GB": "en_GB",
    "ko": "ko",
    "ja": "ja",
    "es-ES": "es_ES",
    "es-419": "es_419",
    "pt-BR": "pt_BR",
    "id": "id",
    "th": "th",
    "vi": "vi",
}

#: Every locale Lightstick can speak, English included.
ALL_LOCALES: tuple[str, ...] = tuple(BABEL_IDS)

#: The locales with a catalog of their own (English needs none).
TRANSLATED: tuple[str, ...] = ("ko", "ja", "es-ES", "es-419", "pt-BR", "id", "th", "vi")

#: How each language calls itself, for `/settings language:`.
NATIVE_NAMES: dict[str, str] = {
    "en-US": "English",
    "ko": "한국어",
    "ja": "日本語",
    "es-ES": "Español (España)",
    "es-419": "Español (Latinoamérica)",
    "pt-BR": "Português (Brasil)",
    "id": "Bahasa Indonesia",
    "th": "ไทย",
    "vi": "Tiếng Việt",
}


def supported_locale(code: object) -> str:
    """The locale Lightstick answers in for Discord's `code`: itself when supported, else English.

    Accepts a ``discord.Locale`` (its ``value`` is the code) or a plain string; anything
    unknown, like ``fr`` or ``None``, falls back to English without an error.
    """
    value = getattr(code, "value", code)
    if isinstance(value, str) and value in BABEL_IDS:
        return value
    return SOURCE_LOCALE


def babel_id(locale: str) -> str:
    return BABEL_IDS.get(locale, BABEL_IDS[SOURCE_LOCALE])
