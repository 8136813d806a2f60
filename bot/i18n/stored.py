"""Messages stored in English and shown in the reader's language.

Reasons Lightstick writes to the database (why a vote was not counted, why a day was not
posted) are plain English, so logs and diagnosis read the same everywhere and a row's
language never depends on who triggered the write. :class:`StoredMessages` recognises a
stored text by the template it was made from and gives back the :class:`Msg`, which renders
in the language of whoever reads it; any other text is shown as it was stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property

from bot.i18n.locales import SOURCE_LOCALE
from bot.i18n.message import Msg, Text, render

#: Reads one field of a stored text back into a value that formats per language.
FieldReader = Callable[[str], object]


def fill(template: Msg, **params: object) -> Msg:
    """`template` with its values."""
    return Msg(template.msgid, tuple(params.items()))


def english(text: Text) -> str:
    """How a message is stored: its English text, whatever language is being spoken."""
    return render(text, SOURCE_LOCALE)


class StoredMessages:
    """The templates of one kind of stored message, and how to read their fields back."""

    def __init__(
        self, templates: Sequence[Msg], readers: Mapping[str, FieldReader] | None = None, *, nested: Sequence[str] = ()
    ) -> None:
        self.templates = tuple(templates)
        self.readers = dict(readers or {})
        for name in nested:  # a field that holds another stored message of this kind
            self.readers[name] = self.shown

    def stored(self, template: Msg, **params: object) -> str:
        """A message as stored (English), from its template and values."""
        return english(fill(template, **params))

    def shown(self, stored: str) -> Text:
        """A stored text as a message in the reader's language; unknown text as it is."""
        for template, pattern in self._patterns:
            if match := pattern.fullmatch(stored):
                values = {name: self.readers.get(name, str)(value) for name, value in match.groupdict().items()}
                return fill(template, **values)
        return stored

    @cached_property
    def _patterns(self) -> tuple[tuple[Msg, re.Pattern[str]], ...]:
        return tuple((template, _pattern(template.msgid)) for template in self.templates)


def _pattern(msgid: str) -> re.Pattern[str]:
    """The English template as a regular expression with one named group per field."""
    parts = re.split(r"\{(\w+)\}", msgid)
    regex = "".join(
        f"(?P<{part}>.+?)" if index % 2 else re.escape(part.replace("{{", "{").replace("}}", "}"))
        for index, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)
