"""The Discord side of localisation: command names in every language, the member's
language for replies, the server's for public posts.

Replies: :class:`LocaleTree` sets the current locale to ``interaction.locale`` before any
command, autocomplete or error handler runs, so every message rendered while answering
speaks the member's language. Public posts: cogs wrap them in
``with speaking(await public_locale(bot, guild)):``.
"""

from __future__ import annotations

from typing import Any, Protocol

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n.commands import CHOICE, DESCRIPTION, NAME, command_translation
from bot.i18n.locales import supported_locale
from bot.i18n.message import use_locale
from bot.i18n.store import GuildLanguages, server_locale

_CONTEXTS = {
    Where.command_name: NAME,
    Where.group_name: NAME,
    Where.parameter_name: NAME,
    Where.command_description: DESCRIPTION,
    Where.group_description: DESCRIPTION,
    Where.parameter_description: DESCRIPTION,
    Where.choice_name: CHOICE,
}


class GettextTranslator(app_commands.Translator):
    """Command names, descriptions and choices from the gettext catalogs."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        where = _CONTEXTS.get(context.location)
        if where is None:
            return None
        return command_translation(string.message, supported_locale(locale), where)


class LocaleTree(app_commands.CommandTree[Any]):
    """Answers every member in their own Discord language."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        use_locale(interaction.locale)
        return True


class HasLanguages(Protocol):
    languages: GuildLanguages

    def get_guild(self, guild_id: int, /) -> discord.Guild | None: ...


def community_locale(guild: discord.Guild | None) -> str | None:
    """The language Discord says a Community server speaks; None for other servers."""
    if guild is None or "COMMUNITY" not in guild.features:
        return None
    return str(guild.preferred_locale.value)


async def public_locale(bot: HasLanguages, guild_id: int | None) -> str:
    """The language of a server's public messages."""
    if guild_id is None:
        return server_locale(None, None)
    chosen = await bot.languages.chosen(guild_id)
    return server_locale(chosen, community_locale(bot.get_guild(guild_id)))
