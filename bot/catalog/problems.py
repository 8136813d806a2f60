"""What is wrong with an entry, as messages in the reader's language.

A :class:`Problem` names the field (a TOML key, never translated) and says what is wrong
(a lazy :class:`~bot.i18n.Msg`); where it is (``entry 'vixx-error'``, ``entry #3``, ``row 7``)
is added by whoever reports it, or left out where the reader already knows (one entry in a
modal, one row of a pack). :func:`joined` puts several messages together without rendering
them, so a list of problems still speaks the language of whoever reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import Msg, Text, _


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``field`` (None: the entry as a whole) and what is wrong, optionally where."""

    message: Msg
    field: str | None = None
    where: Text | None = None

    def text(self, *, where: bool = True, column: str | None = None) -> Msg:
        """The problem as one line: ``entry #3: field 'year': missing (required)``; without
        the place (``where=False``), or with a CSV column named instead of the field."""
        place = self.where if where else None
        if column is not None:
            if place is not None:
                # TRANSLATORS: {where} is "entry #3" or "row 7"; {column} a CSV column name (stays English)
                return _("{where}: {column}: {problem}", where=place, column=column, problem=self.message)
            # TRANSLATORS: {column} is a CSV column name of a pack file (stays English: "Song Name")
            return _("{column}: {problem}", column=column, problem=self.message)
        if self.field is not None:
            field = repr(self.field)
            if place is not None:
                # TRANSLATORS: {where} is "entry #3"; {field} a field name of the catalog file in quotes ('title')
                return _("{where}: field {field}: {problem}", where=place, field=field, problem=self.message)
            # TRANSLATORS: {field} is a field name of the catalog file in quotes ('title'); it stays English
            return _("field {field}: {problem}", field=field, problem=self.message)
        if place is not None:
            return _("{where}: {problem}", where=place, problem=self.message)
        return self.message

    def at(self, where: Text) -> Problem:
        """The same problem, placed."""
        return Problem(self.message, self.field, where)

    def __str__(self) -> str:
        return str(self.text())


def entry_label(number: int) -> Msg:
    """``entry #3``: an entry by its position in a file."""
    return _("entry #{number}", number=number)


def entry_id_label(mv_id: str) -> Msg:
    """``entry 'vixx-error'``: an entry by its id."""
    return _("entry {id}", id=repr(mv_id))


def joined(parts: Sequence[Text], separator: Text = "\n") -> Msg:
    """The parts joined by `separator`, each (and a :class:`Msg` separator) rendered in the
    language the whole is shown in.

    Not a message of its own (nothing to translate: the template is only placeholders, so it
    is built as a :class:`Msg` directly and never extracted).
    """
    names = [f"part{position}" for position in range(len(parts))]
    params: list[tuple[str, object]] = list(zip(names, parts, strict=True))
    if isinstance(separator, Msg):
        params.append(("separator", separator))
        glue = "{separator}"
    else:
        glue = separator.replace("{", "{{").replace("}", "}}")
    template = glue.join("{" + name + "}" for name in names)
    return Msg(template, tuple(params))


def bullet(item: Text, *, indent: str = "") -> Msg:
    """``- item``: a list line (nothing in it to translate but the item)."""
    return joined([f"{indent}- ", item], "")
