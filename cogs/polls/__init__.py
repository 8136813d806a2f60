"""The `/poll` feature: commands and reaction handling (`cog`), pure embed builders
(`render`), Discord adapters (`discord_io`). The rules live in :mod:`bot.polls`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.polls.cog import PollsCog

if TYPE_CHECKING:
    from bot.client import LightstickBot


async def setup(bot: LightstickBot) -> None:
    await bot.add_cog(PollsCog(bot))
