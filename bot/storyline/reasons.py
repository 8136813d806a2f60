"""Why a day was not posted or a guild was paused: stored in English, shown in the reader's language.

Reasons are written to the database (``error``, ``last_error``, ``paused_reason``) as plain
English text, so logs and diagnosis read the same everywhere. Each reason Lightstick writes
is a template here; :func:`shown` recognises a stored text by its template and gives back the
:class:`~bot.i18n.Msg`, which renders in the language of whoever reads status, today or
history. Anything else (an exception's text) is shown as it was stored.
"""

from __future__ import annotations

from bot.i18n import Msg, _
from bot.i18n.stored import StoredMessages, english, fill

__all__ = ["english", "fill", "shown"]

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
_REASONS = StoredMessages(_TEMPLATES, nested=("reason",))
shown = _REASONS.shown
