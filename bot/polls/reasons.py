"""Why a reaction was not counted: stored in English, shown in the reader's language.

A rejected reaction's reason is written to ``poll_vote_events.reason`` as plain English, so
the history and logs read the same everywhere. Each reason Lightstick writes is a template
here; :func:`shown` recognises a stored text by its template and gives back the
:class:`~bot.i18n.Msg`, which renders in the language of whoever reads `/poll myvotes`.
Anything else (a reason written before these templates) is shown as it was stored.
"""

from __future__ import annotations

import re

from bot.i18n import Msg, Number, _, _n
from bot.i18n.stored import FieldReader, StoredMessages, english, fill

__all__ = ["days", "english", "fill", "shown", "stored"]

BOT = _("bots don't vote")
CANT_CHECK_ROLES = _("Lightstick couldn't check your roles")
#: `role` is a role id (shown as a role mention).
ROLE_ONLY = _("this poll is only for members with the <@&{role}> role")
#: `age` and `needed` are numbers of days (:func:`days`).
ACCOUNT_TOO_YOUNG = _("your account is {age} old; this poll needs accounts at least {needed} old")
CANT_TELL_JOINED = _("Lightstick couldn't tell when you joined this server")
#: `age` and `needed` are numbers of days (:func:`days`).
JOINED_TOO_RECENTLY = _("you joined this server {age} ago; this poll needs members of at least {needed}")
CLOSED = _("the poll is closed")
NOT_AN_OPTION = _("that emoji is not one of the poll's options")
#: `picked` is a number (2 or more).
TOO_MANY_PICKS = _("you already picked {picked} options, the most this poll allows; remove one of your reactions first")
TOO_MANY_PICKS_ANONYMOUS = _(
    "you already picked {picked} options, the most this poll allows; "
    "react on one of your options again to take it back first"
)
NOT_A_MEMBER = _("you are no longer a member of this server")
LIMIT_ONE = _(
    "this poll allows 1 option; the vote already counted stands and extra reactions "
    "added while Lightstick was away are removed"
)
#: `choices` is a number (2 or more).
LIMIT_MANY = _(
    "this poll allows {choices} options; the vote already counted stands and extra reactions "
    "added while Lightstick was away are removed"
)
ANONYMOUS_SEVERAL = _(
    "you reacted on several options while Lightstick was away and this poll allows 1; the lowest of them counts"
)

_TEMPLATES: tuple[Msg, ...] = (
    BOT,
    CANT_CHECK_ROLES,
    ROLE_ONLY,
    ACCOUNT_TOO_YOUNG,
    CANT_TELL_JOINED,
    JOINED_TOO_RECENTLY,
    CLOSED,
    NOT_AN_OPTION,
    TOO_MANY_PICKS,
    TOO_MANY_PICKS_ANONYMOUS,
    NOT_A_MEMBER,
    LIMIT_ONE,
    LIMIT_MANY,
    ANONYMOUS_SEVERAL,
)


def days(count: int) -> Msg:
    """`3 days` / `3일`."""
    return _n("{count} day", "{count} days", count)


_DAYS = re.compile(r"([\d,]+) days?")
_NUMBER = re.compile(r"[\d,]+")


def _read_days(text: str) -> object:
    match = _DAYS.fullmatch(text)
    return days(int(match[1].replace(",", ""))) if match else text


def _read_number(text: str) -> object:
    return Number(int(text.replace(",", ""))) if _NUMBER.fullmatch(text) else text


#: How each field of a stored reason is read back into a value that formats per language.
_FIELDS: dict[str, FieldReader] = {
    "age": _read_days,
    "needed": _read_days,
    "picked": _read_number,
    "choices": _read_number,
}


_REASONS = StoredMessages(_TEMPLATES, _FIELDS)
shown = _REASONS.shown
stored = _REASONS.stored
