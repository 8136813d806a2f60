"""Why a day was not posted or a guild was paused: stored in English, shown in the reader's language.

Reasons are written to the database (``error``, ``last_error``, ``paused_reason``) as plain
English text, so logs and diagnosis read the same everywhere. Each reason Lightstick writes
is a template here; :func:`shown` recognises a stored text by its template and gives back the
:class:`~bot.i18n.Msg`, which renders in the language of whoever reads status, today or
history. Anything else (an exception's text) is shown as it was stored.
"""

from __future__ import annotations

import re
from functools import cache

from bot.i18n import SOURCE_LOCALE, Msg, Text, _, render

# -- the reasons ---------------------------------------------------------------------------------

NO_ENTRIES = _(
    "No storyline is eligible for this server: the catalog has none that fit "
    "(mature entries need include_mature and an age-restricted channel)."
)
CATCH_UP_CLOSED = _("not sent before the catch-up window closed")
NO_ANSWER = _("no answer from Discord")
NO_ANSWER_IN_TIME = _("Discord did not answer in time")
#: `reason` is another reason; `attempts` a number.
GAVE_UP = _("gave up after {attempts} attempts: {reason}")
#: `error` is technical (an exception's text) and stays as it is.
CHECK_FAILED = _("could not check the channel for an earlier post ({error})")

CHANNEL_GONE = _("The storyline channel was deleted. Run /storyline setup with another channel.")
REMOVED_FROM_SERVER = _("Lightstick was removed from this server. Run /storyline resume after adding it back.")
CHANNEL_UNREACHABLE = _("I can't reach the storyline channel (no access). Check that Lightstick can see it.")
NOT_TEXT = _("The storyline channel is no longer a text channel. Run /storyline setup with a text channel.")
#: `channel` is a channel name, `permissions` the missing permissions' names.
MISSING_PERMISSIONS = _("Missing permissions in #{channel}: {permissions}.")
DISCORD_REFUSED = _("Discord refused the post in #{channel}: missing permissions (Send Messages, Embed Links…).")
MV_GONE = _("The MV '{mv}' is no longer in the catalog.")

_TEMPLATES: tuple[Msg, ...] = (
    NO_ENTRIES,
    CATCH_UP_CLOSED,
    NO_ANSWER,
    NO_ANSWER_IN_TIME,
    GAVE_UP,
    CHECK_FAILED,
    CHANNEL_GONE,
    REMOVED_FROM_SERVER,
    CHANNEL_UNREACHABLE,
    NOT_TEXT,
    MISSING_PERMISSIONS,
    DISCORD_REFUSED,
    MV_GONE,
)
#: Fields that hold another reason (shown in the reader's language too).
_NESTED = frozenset({"reason"})


def fill(template: Msg, **params: object) -> Msg:
    """`template` (one of the reasons above) with its values."""
    return Msg(template.msgid, tuple(params.items()))


def english(text: Text) -> str:
    """How a reason is stored: its English text, whatever language is being spoken."""
    return render(text, SOURCE_LOCALE)


def shown(stored: str) -> Text:
    """A stored reason as a message in the reader's language; unknown text as it is."""
    for template, pattern in _patterns():
        if match := pattern.fullmatch(stored):
            values = match.groupdict()
            return fill(template, **{k: shown(v) if k in _NESTED else v for k, v in values.items()})
    return stored


@cache
def _patterns() -> tuple[tuple[Msg, re.Pattern[str]], ...]:
    return tuple((template, _pattern(template.msgid)) for template in _TEMPLATES)


def _pattern(msgid: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", msgid)
    regex = "".join(
        f"(?P<{part}>.+?)" if index % 2 else re.escape(part.replace("{{", "{").replace("}}", "}"))
        for index, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)
