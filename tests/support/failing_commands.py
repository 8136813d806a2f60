"""A test-only extension with commands that fail on purpose, to exercise cogs/errors.py."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError


class Failing(commands.Cog):
    @app_commands.command(name="fails-for-user", description="Raises a UserError.")
    async def fails_for_user(self, interaction: discord.Interaction) -> None:
        raise UserError("The option `time` must look like 21:00.")

    @app_commands.command(name="fails-after-defer", description="Defers, then raises a UserError.")
    async def fails_after_defer(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        raise UserError("Too late, but still clear.")

    @app_commands.command(name="crashes", description="Raises an unexpected error.")
    async def crashes(self, interaction: discord.Interaction) -> None:
        raise RuntimeError("kaboom")

    @app_commands.command(name="needs-manage", description="Needs Manage Server.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def needs_manage(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Failing())
