"""Storyline of the day: commands and the posting loop (`cog`), pure embed builders (`render`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.storyline.cog import StorylineCog

if TYPE_CHECKING:
    from bot.client import LightstickBot


async def setup(bot: LightstickBot) -> None:
    await bot.add_cog(StorylineCog(bot))
