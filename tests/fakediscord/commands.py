"""Discord's checks on application commands, as its API reference documents them
(Application Commands: naming, localization, size limits), applied to a bulk overwrite.

A payload Discord would refuse is refused here with the same error shape (400, code 50035),
so a bad name or an oversized localisation fails the sync in tests as it would in production.
"""

from __future__ import annotations

import unicodedata
from typing import Any

JSON = dict[str, Any]

#: The locales Discord accepts as keys of *_localizations (Reference: Locales).
_DISCORD_LOCALES = (
        "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl",
        "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja",
        "zh-TW", "ko",
)  # fmt: skip
LOCALES = frozenset(_DISCORD_LOCALES)

MAX_COMMAND_SIZE = 8000
MAX_OPTIONS = 25
MAX_CHOICES = 25
DESCRIPTION_LENGTH = range(1, 101)
CHOICE_NAME_LENGTH = range(1, 101)


def _name_char(char: str) -> bool:
    """One character of ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``."""
    point = ord(char)
    return (
        char in "-_'"
        or unicodedata.category(char)[0] in "LN"
        or 0x0900 <= point <= 0x097F  # Devanagari, marks included
        or 0x0E00 <= point <= 0x0E7F  # Thai, marks included
    )


def matches_name_pattern(name: str) -> bool:
    return 1 <= len(name) <= 32 and all(_name_char(char) for char in name)


def _name_problems(where: str, name: str) -> list[str]:
    problems = []
    if not matches_name_pattern(name):
        problems.append(f"{where}: {name!r} does not match the command name pattern")
    elif name != name.lower():
        problems.append(f"{where}: {name!r} must be lowercase")
    return problems


def _localized(where: str, item: JSON, field: str) -> list[tuple[str, str]]:
    """(where, text) for the default and every localisation of `field`."""
    found = [(where, item.get(field) or "")]
    for locale, text in (item.get(f"{field}_localizations") or {}).items():
        found.append((f"{where} [{locale}]", text))
    return found


def _locale_problems(where: str, item: JSON) -> list[str]:
    problems = []
    for field in ("name", "description"):
        for locale in item.get(f"{field}_localizations") or {}:
            if locale not in LOCALES:
                problems.append(f"{where}: {locale!r} is not a Discord locale")
    return problems


def _option_problems(where: str, options: list[JSON]) -> list[str]:
    problems: list[str] = []
    if len(options) > MAX_OPTIONS:
        problems.append(f"{where}: {len(options)} options (at most {MAX_OPTIONS})")
    names_by_locale: dict[str, set[str]] = {}
    for option in options:
        here = f"{where} {option.get('name')}"
        problems += _locale_problems(here, option)
        for label, name in _localized(here, option, "name"):
            problems += _name_problems(label, name)
        for label, text in _localized(here, option, "description"):
            if len(text) not in DESCRIPTION_LENGTH:
                problems.append(f"{label}: description of {len(text)} characters (1-100)")
        # Names must be unique among siblings, in every locale Discord shows.
        localized = option.get("name_localizations") or {}
        for locale in ("", *LOCALES):
            shown = localized.get(locale, option.get("name", "")) if locale else option.get("name", "")
            seen = names_by_locale.setdefault(locale, set())
            if shown in seen:
                problems.append(f"{here}: the name {shown!r} is used twice{f' in {locale}' if locale else ''}")
            seen.add(shown)
        choices = option.get("choices") or []
        if len(choices) > MAX_CHOICES:
            problems.append(f"{here}: {len(choices)} choices (at most {MAX_CHOICES})")
        for choice in choices:
            for label, text in _localized(f"{here} choice", choice, "name"):
                if len(text) not in CHOICE_NAME_LENGTH:
                    problems.append(f"{label}: choice name of {len(text)} characters (1-100)")
        if option.get("type") in (1, 2):
            problems += _option_problems(here, option.get("options") or [])
    return problems


def _longest(item: JSON, field: str) -> int:
    return max(len(text) for _, text in _localized("", item, field))


def command_size(command: JSON) -> int:
    """Characters counted against 8,000: name, description and value of the command, its
    options and choices; of each field only its longest localisation counts."""

    def size(item: JSON) -> int:
        total = _longest(item, "name") + _longest(item, "description") + len(str(item.get("value") or ""))
        for choice in item.get("choices") or []:
            total += _longest(choice, "name") + len(str(choice.get("value", "")))
        return total + sum(size(option) for option in item.get("options") or [])

    return size(command)


def command_problems(command: JSON) -> list[str]:
    """Why Discord would refuse `command` (an empty list when it accepts it)."""
    where = f"/{command.get('name')}"
    problems = _locale_problems(where, command)
    for label, name in _localized(where, command, "name"):
        problems += _name_problems(label, name)
    for label, text in _localized(where, command, "description"):
        if len(text) not in DESCRIPTION_LENGTH:
            problems.append(f"{label}: description of {len(text)} characters (1-100)")
    problems += _option_problems(where, command.get("options") or [])
    if (size := command_size(command)) > MAX_COMMAND_SIZE:
        problems.append(f"{where}: {size} characters in all (at most {MAX_COMMAND_SIZE})")
    return problems
