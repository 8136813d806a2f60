"""Discord helpers shared by every cog: replies, permission names, text limits.

This is the one place cogs go for these, so each feature renders errors and checks
permissions the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands

from bot.i18n import Text, _
from bot.text import truncate

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()

# Discord's text limits (API reference: Embed Limits, Message, Select Menus, Autocomplete).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
MESSAGE_LIMIT = 2000
#: A select option's label or description; an autocomplete choice's name or value.
OPTION_TEXT_LIMIT = 100

#: Names as Discord's client shows them, where they differ from the attribute name.
_PERMISSION_LABELS: dict[str, Text] = {
    "manage_guild": _("Manage Server"),
    "view_channel": _("View Channel"),
    "read_messages": _("View Channel"),
    "send_messages": _("Send Messages"),
    "send_messages_in_threads": _("Send Messages in Threads"),
    "create_public_threads": _("Create Public Threads"),
    "embed_links": _("Embed Links"),
    "attach_files": _("Attach Files"),
    "add_reactions": _("Add Reactions"),
    "read_message_history": _("Read Message History"),
    "manage_messages": _("Manage Messages"),
    "manage_threads": _("Manage Threads"),
    "manage_roles": _("Manage Roles"),
    "mention_everyone": _("Mention @everyone, @here, and All Roles"),
}


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    """A jump link to a message, as Discord's client copies it."""
    return f"{channel_link(guild_id, channel_id)}/{message_id}"


def channel_link(guild_id: int, channel_id: int) -> str:
    """A jump link to a channel or thread."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}"


def permission_label(name: str) -> str:
    return str(_PERMISSION_LABELS.get(name, name.replace("_", " ").title()))


def permission_list(names: Iterable[str]) -> str:
    """`**Embed Links**, **Attach Files**` — for messages that name missing permissions."""
    return ", ".join(f"**{permission_label(n)}**" for n in names)


def missing_permissions(permissions: discord.Permissions, required: Iterable[str]) -> list[str]:
    return [name for name in required if not getattr(permissions, name)]


def choice(name: str, value: str) -> app_commands.Choice[str]:
    """An autocomplete choice cut to Discord's limits (one too long fails the whole answer)."""
    return app_commands.Choice(name=truncate(name, OPTION_TEXT_LIMIT), value=value[:OPTION_TEXT_LIMIT])


async def reply(
    interaction: discord.Interaction,
    content: Text | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Answer an interaction whether or not it was already answered or deferred."""
    options: dict[str, Any] = {"allowed_mentions": NO_MENTIONS, **kwargs}
    if content is not None:
        options["content"] = str(content)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **options)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **options)


#: Help for the catalog filters that `/poll mv` and `/bracket mv` share.
CATALOG_FILTER_HELP: dict[str, str] = {
    "year": "Only MVs released in this year (e.g. 2024)",
    "artist": "Only this act's MVs (a group includes its members' solo MVs)",
    "theme": "Only MVs with this theme",
}
