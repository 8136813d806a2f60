"""The `/mv` command group, shared by the lookup, curation and pack commands.

Each feature module decorates its handlers with ``@MV_GROUP.command``; :class:`cogs.mv.cog.MVCog`
inherits their classes, so every `/mv` subcommand is bound to the one cog instance.
"""

from __future__ import annotations

from discord import app_commands

MV_GROUP = app_commands.Group(name="mv", description="Look up K-pop music videos: stories, themes, artists.")
