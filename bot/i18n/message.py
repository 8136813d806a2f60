"""Lazy messages: the domain names what to say, the Discord layer decides the language.

Code anywhere in Lightstick writes ``_("The poll closes {when}.", when=...)``: a
:class:`Msg` that holds the English source text (its message id) and its values, and
turns into text only when it is shown. It renders in the *current* locale, a context
variable that the Discord layer sets with :func:`speaking`: the member's language for
replies to them, the server's for public posts. Outside any :func:`speaking` block it
renders in English, so logs and plain ``str()`` stay readable.

Placeholders are ``str.format`` fields by name. Values that depend on the language are
wrapped so they format in the locale they are shown in: :class:`Number`,
:class:`Percent`, :class:`Duration`, :class:`Day`, :class:`ListOf`; a :class:`Msg` as a
value renders in the same locale.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeAlias

from bot.i18n import formatting
from bot.i18n.catalogs import translations
from bot.i18n.commands import localize_quoted_commands
from bot.i18n.locales import ALL_LOCALES, SOURCE_LOCALE, supported_locale

log = logging.getLogger(__name__)

_current: ContextVar[str] = ContextVar("lightstick_locale", default=SOURCE_LOCALE)


def current_locale() -> str:
    return _current.get()


@contextlib.contextmanager
def speaking(locale: object) -> Iterator[str]:
    """Render messages in `locale` (a Discord locale; unknown ones mean English) inside the block."""
    resolved = supported_locale(locale)
    token = _current.set(resolved)
    try:
        yield resolved
    finally:
        _current.reset(token)


def use_locale(locale: object) -> str:
    """Render in `locale` for the rest of the current task (an interaction's own task)."""
    resolved = supported_locale(locale)
    _current.set(resolved)
    return resolved


@dataclass(frozen=True, slots=True)
class Msg:
    """A message id (its English text) with its values, rendered when shown."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()
    plural: str | None = None
    count: int | None = None

    def render(self, locale: str | None = None) -> str:
        return render(self, locale)

    def __str__(self) -> str:
        return render(self)

    def __format__(self, spec: str) -> str:
        return format(render(self), spec)

    def __len__(self) -> int:
        return len(render(self))

    def __contains__(self, text: str) -> bool:
        return text in render(self)

    def __eq__(self, other: object) -> bool:
        """Equal to another message with the same id and values, or to the text it shows now."""
        if isinstance(other, str):
            return render(self) == other
        if isinstance(other, Msg):
            return (self.msgid, self.params, self.plural, self.count) == (
                other.msgid,
                other.params,
                other.plural,
                other.count,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.msgid, self.params, self.plural, self.count))

    def __add__(self, other: object) -> str:
        return render(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + render(self)


#: What code hands to a reply or an embed: plain text (names, user input) or a message.
Text: TypeAlias = str | Msg


def _(msgid: str, /, **params: object) -> Msg:
    """A translatable message; `params` fill its ``{name}`` fields when it is shown."""
    return Msg(msgid, tuple(params.items()))


def _n(singular: str, plural: str, count: int, /, **params: object) -> Msg:
    """A message with plural forms, chosen by `count` (also available as ``{count}``)."""
    return Msg(singular, tuple(params.items()), plural, count)


def render(text: Text, locale: str | None = None) -> str:
    """`text` in `locale` (default: the current one). Plain strings pass through unchanged."""
    if isinstance(text, str):
        return text
    locale = locale or _current.get()
    catalog = translations(locale)
    if text.plural is None:
        template = catalog.gettext(text.msgid)
    else:
        template = catalog.ngettext(text.msgid, text.plural, text.count or 0)
    values = {name: _value(value, locale) for name, value in text.params}
    if text.count is not None:
        values.setdefault("count", formatting.number(text.count, locale))
    if not values and "{" not in template:
        return localize_quoted_commands(template, locale)
    try:
        return localize_quoted_commands(template.format_map(values), locale)
    except (KeyError, IndexError, ValueError):
        if template == text.msgid:
            raise
        # A broken translation (the catalog tests keep this from shipping) shows the English.
        log.warning("%s: the translation of %r does not format; showing the English", locale, text.msgid)
        source = text.msgid if text.plural is None or text.count == 1 else text.plural
        return source.format_map(values)


def in_every_locale(build: Callable[[], Text]) -> frozenset[str]:
    """What `build()` shows in each language Lightstick speaks: to recognise a message it
    posted before a crash, whatever the server's language was then."""
    found = set()
    for locale in ALL_LOCALES:
        with speaking(locale):
            found.add(render(build()))
    return frozenset(found)


# -- values that format in the reader's language ---------------------------------------------


class _Formatted:
    """A value formatted in the reader's language; used as text on its own, in the current one."""

    __slots__ = ()

    def __str__(self) -> str:
        return str(_value(self, _current.get()))


@dataclass(frozen=True, slots=True)
class Number(_Formatted):
    value: int | float


@dataclass(frozen=True, slots=True)
class Percent(_Formatted):
    """A share between 0 and 1, shown as a percentage with at most `digits` decimals."""

    value: float
    digits: int = 1


@dataclass(frozen=True, slots=True)
class Duration(_Formatted):
    value: timedelta


@dataclass(frozen=True, slots=True)
class Day(_Formatted):
    value: date


@dataclass(frozen=True, slots=True)
class ListOf(_Formatted):
    """Items joined as the language joins a list: ``a, b and c`` / ``a, b 및 c``."""

    items: Sequence[Text]


def _value(value: object, locale: str) -> object:
    if isinstance(value, Msg):
        return render(value, locale)
    if isinstance(value, Number):
        return formatting.number(value.value, locale)
    if isinstance(value, Percent):
        return formatting.percent(value.value, locale, value.digits)
    if isinstance(value, Duration):
        return formatting.duration(value.value, locale)
    if isinstance(value, Day):
        return formatting.day(value.value, locale)
    if isinstance(value, ListOf):
        return formatting.list_of([render(item, locale) for item in value.items], locale)
    return value
