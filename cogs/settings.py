"""`/settings`: a server's language for everything Lightstick posts publicly."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.i18n import NATIVE_NAMES, Msg, _
from bot.i18n.interactions import community_locale
from bot.i18n.store import server_locale
from bot.ui import permission_label, reply

if TYPE_CHECKING:
    from bot.client import LightstickBot

log = logging.getLogger(__name__)

AUTOMATIC = "auto"
LANGUAGE_CHOICES = [
    app_commands.Choice(name="Automatic (the server's Community language, else English)", value=AUTOMATIC),
    *(app_commands.Choice(name=name, value=code) for code, name in NATIVE_NAMES.items()),
]


def describe_language(chosen: str | None, community: str | None) -> Msg:
    """Which language public messages use, and why."""
    speaks = NATIVE_NAMES.get(server_locale(chosen, community), "English")
    if chosen is not None:
        return _("Public messages (polls, results, storylines, brackets) are in **{language}**.", language=speaks)
    if community is not None and server_locale(None, community) == community:
        return _(
            "Public messages are in **{language}**, this Community server's language. "
            "Choose another with `/settings language:`.",
            language=speaks,
        )
    return _(
        "Public messages are in **{language}**; choose another with `/settings language:`.",
        language=speaks,
    )


class Settings(commands.Cog):
    """Per-server settings that every feature shares."""

    def __init__(self, bot: LightstickBot) -> None:
        self.bot = bot

    @app_commands.command(name="settings", description="Show this server's settings, or change its language.")
    @app_commands.guild_only()
    @app_commands.describe(language="The language of public messages: polls, results, storylines (Manage Server)")
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def settings(self, interaction: discord.Interaction, language: str | None = None) -> None:
        guild = interaction.guild
        assert guild is not None  # guild_only
        if language is not None:
            self._check_manager(interaction)
            chosen = None if language == AUTOMATIC else language
            await self.bot.languages.choose(guild.id, chosen, by=interaction.user.id, now=self.bot.clock.now())
        chosen = await self.bot.languages.chosen(guild.id)
        await reply(interaction, describe_language(chosen, community_locale(guild)))

    @staticmethod
    def _check_manager(interaction: discord.Interaction) -> None:
        member = interaction.user
        if not isinstance(member, discord.Member) or not member.guild_permissions.manage_guild:
            raise UserError(
                _(
                    "Changing the language needs the **{permission}** permission.",
                    permission=permission_label("manage_guild"),
                )
            )


async def setup(bot: LightstickBot) -> None:
    await bot.add_cog(Settings(bot))
