"""Slash-command names in every language, without Discord: what the translator registers,
what `/help` lists, and the commands that messages quote.

Messages name commands as members type them in English (`` `/poll create` ``,
`` `/settings language:` ``); a Korean member's client shows ``/투표 만들기`` instead, so a
message rendered in another language has its quoted commands rewritten to match.
"""

from __future__ import annotations

import logging
import re

from bot.i18n.catalogs import translations
from bot.i18n.locales import TRANSLATED

log = logging.getLogger(__name__)

#: gettext contexts of command strings: names obey Discord's naming rules, choices and
#: descriptions have their own length limits, so each is translated on its own.
NAME = "command name"
DESCRIPTION = "command description"
CHOICE = "command choice"

#: Discord's rule for command and option names (API reference, Application Commands).
NAME_PATTERN = re.compile(r"^[-_'\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")
#: A quoted command: `` `/poll create` ``, `` `/storyline setup time:` ``, `` `/mv show mv:vixx-error` ``.
_QUOTED_COMMAND = re.compile(r"`/([a-z_-]+(?: [a-z_-]+){0,2})((?: [a-z_]+:[^`\s]*)*)`")


def valid_name(name: str) -> bool:
    return bool(NAME_PATTERN.fullmatch(name)) and name == name.lower()


def command_translation(msgid: str, locale: str, context: str) -> str | None:
    """The translation of a command string, or None where Discord should show the English."""
    if locale not in TRANSLATED:
        return None
    translated = translations(locale).pgettext(context, msgid)
    if translated == msgid:
        return None
    if context == NAME and not valid_name(translated):
        log.warning("%s: the %s translation %r breaks Discord's naming rules", locale, msgid, translated)
        return None
    return translated


def command_text(text: str, context: str, locale: str) -> str:
    """A command's name, description or choice as Discord shows it in `locale`."""
    return command_translation(text, locale, context) or text


def command_mention(qualified_name: str, locale: str) -> str:
    """`/poll create` as a member of that language types it: `/투표 만들기`."""
    return "/" + " ".join(command_text(part, NAME, locale) for part in qualified_name.split())


def localize_quoted_commands(text: str, locale: str) -> str:
    """`text` with each quoted command and its options as `locale`'s client shows them."""
    if locale not in TRANSLATED or "`/" not in text:
        return text

    def rewrite(match: re.Match[str]) -> str:
        path = command_mention(match[1], locale)[1:]
        options = ""
        for option in match[2].split():
            name, _, value = option.partition(":")
            options += f" {command_text(name, NAME, locale)}:{value}"
        return f"`/{path}{options}`"

    return _QUOTED_COMMAND.sub(rewrite, text)
