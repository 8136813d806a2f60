"""`/help`: an overview generated from the command tree, so it never goes stale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import Text, _, current_locale
from bot.i18n.commands import DESCRIPTION, NAME, command_mention, command_text
from bot.ui import EMBED_TOTAL_LIMIT, FIELD_COUNT_LIMIT, FIELD_NAME_LIMIT, FIELD_VALUE_LIMIT, reply, truncate

AnyCommand = app_commands.Command[Any, ..., Any]

EMBED_COLOUR = discord.Colour.from_rgb(255, 105, 180)


@dataclass(frozen=True, slots=True)
class HelpSection:
    title: Text
    lines: tuple[str, ...]


def _command_line(command: AnyCommand) -> str:
    """`/poll create` `question` `[duration]` — its description, in the current language."""
    locale = current_locale()
    names = [command_text(p.display_name, NAME, locale) for p in command.parameters]
    params = " ".join(f"`{n}`" if p.required else f"`[{n}]`" for n, p in zip(names, command.parameters, strict=True))
    usage = f"**{command_mention(command.qualified_name, locale)}**" + (f" {params}" if params else "")
    return f"{usage} — {command_text(command.description, DESCRIPTION, locale)}"


def _walk(group: app_commands.Group) -> list[AnyCommand]:
    found: list[AnyCommand] = []
    for child in group.commands:
        if isinstance(child, app_commands.Group):
            found.extend(_walk(child))
        else:
            found.append(child)
    return found


def help_sections(tree_commands: list[AnyCommand | app_commands.Group]) -> list[HelpSection]:
    """One section per command group (a feature), plus one for top-level commands."""
    general: list[str] = []
    sections: list[HelpSection] = []
    for command in sorted(tree_commands, key=lambda c: c.name):
        if isinstance(command, app_commands.Group):
            lines = tuple(_command_line(c) for c in _walk(command))
            locale = current_locale()
            title = (
                f"{command_mention(command.name, locale)} — {command_text(command.description, DESCRIPTION, locale)}"
            )
            sections.append(HelpSection(title, lines))
        else:
            general.append(_command_line(command))
    if general:
        sections.append(HelpSection(_("General"), tuple(general)))
    return sections


def section_fields(section: HelpSection) -> list[tuple[str, str]]:
    """A section as fields of at most 1,024 characters, split between lines, never inside one."""
    fields: list[tuple[str, str]] = []
    chunk: list[str] = []
    for line in (truncate(line, FIELD_VALUE_LIMIT) for line in section.lines):
        if chunk and len("\n".join([*chunk, line])) > FIELD_VALUE_LIMIT:
            fields.append(("\u200b" if fields else str(section.title), "\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        fields.append(("\u200b" if fields else str(section.title), "\n".join(chunk)))
    return [(truncate(name, FIELD_NAME_LIMIT), value) for name, value in fields]


def build_help_embed(sections: list[HelpSection]) -> discord.Embed:
    """Every command with its options; when that would pass Discord's 6,000 characters per
    message, options are left out (their descriptions show as members type the command)."""
    embed = _help_embed(sections)
    if len(embed) > EMBED_TOTAL_LIMIT or len(embed.fields) > FIELD_COUNT_LIMIT:
        embed = _help_embed([HelpSection(s.title, tuple(_strip_options(line) for line in s.lines)) for s in sections])
    return embed


def _help_embed(sections: list[HelpSection]) -> discord.Embed:
    embed = discord.Embed(
        title=_("Lightstick — commands"),
        description=_(
            "K-pop MV lookups, reaction polls, MV World Cup brackets and a daily storyline. "
            "Options in [brackets] are optional."
        ),
        colour=EMBED_COLOUR,
    )
    for section in sections:
        for name, value in section_fields(section):
            embed.add_field(name=name, value=value, inline=False)
    return embed


def _strip_options(line: str) -> str:
    usage, _, description = line.partition(" — ")
    return f"{usage.split('** ')[0].rstrip('*')}** — {description}"


class Help(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="Show what Lightstick can do and how to use each command.")
    async def help(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        tree_commands = self.bot.tree.get_commands(guild=guild) or self.bot.tree.get_commands()
        if guild is not None:
            # Global commands copied to a dev guild show up once.
            seen = {c.name for c in tree_commands}
            tree_commands += [c for c in self.bot.tree.get_commands() if c.name not in seen]
        sections = help_sections([c for c in tree_commands if isinstance(c, app_commands.Command | app_commands.Group)])
        await reply(interaction, embed=build_help_embed(sections))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Help(bot))
