"""Slash-command options shared by `/poll` and `/bracket`: one definition of the voter-rule
options (role, ages, anonymous, weights), their help texts and how they are read, so a poll
and a bracket's match polls take the same rules with the same errors; and the catalog filters
of `/poll mv` and `/bracket mv`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.catalog import THEMES
from bot.errors import UserError
from bot.i18n import _
from bot.polls.rules import MAX_AGE_DAYS, MAX_OPTIONS, VoterRules, check_voter_rules, parse_weights, resolve_weights
from bot.ui import truncate

if TYPE_CHECKING:
    from bot.catalog import MV
    from bot.client import LightstickBot

Choices = app_commands.Range[int, 1, MAX_OPTIONS]
AgeDays = app_commands.Range[int, 0, MAX_AGE_DAYS]

#: `@app_commands.describe(**RULE_HELP)` for the voter-rule options of a command.
RULE_HELP = {
    "role": "Only members with this role may vote",
    "min_account_age": "Only accounts at least this many days old may vote",
    "min_member_age": "Only members who joined this server at least this many days ago may vote",
    "anonymous": "Remove each reaction once counted, so nobody sees who voted for what (needs Manage Messages)",
    "weights": "Role weights, e.g. @Mods=3, @Members=2 (1 to 100; a voter weighs their highest; others weigh 1)",
}


class LiveTextChannelOption(app_commands.Transformer):
    """A text or announcement channel option, passed on as Discord resolved it.

    discord.py's own channel transformer answers only "not a valid channel" when the channel
    is not in the cache (deleted while the command was on its way); the handler says what
    happened and what to do instead.
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(
        self, interaction: discord.Interaction, value: app_commands.AppCommandChannel, /
    ) -> app_commands.AppCommandChannel:
        return value


LiveTextChannel = app_commands.Transform[app_commands.AppCommandChannel, LiveTextChannelOption]


def read_weights(interaction: discord.Interaction, text: str | None) -> tuple[tuple[int, int], ...]:
    """`weights:` as typed (`@Mods=3, <@&id>=2`) → (role_id, weight), against this server's
    roles; a UserError names what is wrong."""
    entries = parse_weights(text)
    if not entries:
        return ()
    guild = interaction.guild
    if guild is None:
        raise UserError(_("Polls only work inside a server."))
    roles = {role.id: role.name for role in guild.roles}
    return resolve_weights(entries, roles, everyone_id=guild.id)


def voter_rules(
    interaction: discord.Interaction,
    role: discord.Role | None,
    min_account_age: int | None,
    min_member_age: int | None,
    anonymous: bool,
    weights: str | None,
) -> VoterRules:
    """The voter-rule options as a command received them, checked (a UserError if not valid)."""
    return check_voter_rules(
        role.id if role is not None else None, min_account_age, min_member_age,
        anonymous=anonymous, weights=read_weights(interaction, weights),
    )  # fmt: skip


async def catalog_matches(
    bot: LightstickBot, guild_id: int | None, year: int | None, artist: str | None, theme: str | None, what: str
) -> list[MV]:
    """The MVs (built-in and this server's own) matching the catalog filters of `/poll mv` and
    `/bracket mv`, in release order; `what` ("poll", "bracket") names the thing in the errors."""
    if year is None and not artist and not theme:
        if what == "bracket":
            raise UserError(_("Pick a `year`, an `artist` or a `theme` so I know which MVs to put in the bracket."))
        raise UserError(_("Pick a `year`, an `artist` or a `theme` so I know which MVs to put in the poll."))
    if theme and theme.strip().casefold() not in THEMES:
        raise UserError(_("“{theme}” is not a theme; pick one from the list.", theme=truncate(theme, 100)))
    catalog = await bot.catalogs.get(guild_id)
    return catalog.filter(artist=artist or None, theme=theme.strip().casefold() if theme else None, year=year)
