"""What a member may type as a bracket's entries and title.

Entries are split exactly like poll options (`|`, `;` or new lines, see
:func:`bot.polls.rules.split_options`) and obey the same length and mention rules, but a
bracket takes 2 to 64 of them, and two entries are the same if they differ only in case,
spacing or accents (`Supernova`, `SUPERNOVA`, ` Supernova `, `Supérnova`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.errors import UserError
from bot.i18n import _
from bot.polls.rules import (
    MAX_OPTION_LENGTH,
    MAX_QUESTION_LENGTH,
    normalize_option,
    option_key,
    refuse_mass_mention,
    split_options,
)

MIN_ENTRIES = 2
MAX_ENTRIES = 64
MAX_ENTRY_LENGTH = MAX_OPTION_LENGTH
MAX_TITLE_LENGTH = MAX_QUESTION_LENGTH


def entry_key(text: str) -> str:
    """The form two entries are compared in: case, spacing and accents don't count.

    Accents are combining marks after canonical decomposition; Hangul syllables decompose
    into jamo, which are letters, not marks, so they survive and are recomposed.
    """
    decomposed = unicodedata.normalize("NFKD", option_key(text))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped).casefold()


def _check_count(count: int) -> None:
    if count < MIN_ENTRIES:
        raise UserError(
            _(
                "A bracket needs at least {minimum} entries, separated by | "
                "(for example: `Supernova | Magnetic | APT.`).",
                minimum=MIN_ENTRIES,
            )
        )
    if count > MAX_ENTRIES:
        raise UserError(
            _("A bracket can have at most {maximum} entries; you gave {count}.", maximum=MAX_ENTRIES, count=count)
        )


def _check_entry(number: int, entry: str) -> None:
    if len(entry) > MAX_ENTRY_LENGTH:
        raise UserError(
            _(
                "Entry {number} is {length} characters long; keep each entry to {limit} characters or fewer.",
                number=number,
                length=len(entry),
                limit=MAX_ENTRY_LENGTH,
            )
        )
    refuse_mass_mention(entry, _("Entry {number}", number=number))


def validate_entries(entries: Sequence[str]) -> tuple[str, ...]:
    """Check a ready list of entries (typed, or drawn from the catalog): 2–64, distinct, short."""
    cleaned = [entry for entry in (normalize_option(entry) for entry in entries) if entry]
    _check_count(len(cleaned))
    seen: dict[str, int] = {}
    for number, entry in enumerate(cleaned, start=1):
        _check_entry(number, entry)
        key = entry_key(entry)
        if key in seen:
            first = seen[key]
            raise UserError(
                _(
                    "Entry {number} (“{entry}”) is the same as entry {first} (“{same}”); "
                    "each entry must be different (case, spaces and accents don't count).",
                    number=number,
                    entry=entry,
                    first=first,
                    same=cleaned[first - 1],
                )
            )
        seen[key] = number
    return tuple(cleaned)


def parse_entries(text: str) -> tuple[str, ...]:
    """Entries typed by a member: `A | B | C` (or `;`, or one per line), 2 to 64 of them."""
    return validate_entries(split_options(text))


def parse_title(text: str) -> str:
    """The bracket's title: not empty, at most 256 characters, no mass mention."""
    title = " ".join(text.split())
    if not title:
        raise UserError(_("The bracket's title can't be empty."))
    if len(title) > MAX_TITLE_LENGTH:
        raise UserError(
            _(
                "The title is {length} characters long; keep it to {limit} or fewer.",
                length=len(title),
                limit=MAX_TITLE_LENGTH,
            )
        )
    refuse_mass_mention(title, _("The title"))
    return title
