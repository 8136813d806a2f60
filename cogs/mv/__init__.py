"""The `/mv` feature: commands (`cog`), pure embed builders (`render`), components (`views`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.mv.cog import MVCog

if TYPE_CHECKING:
    from bot.client import LightstickBot


async def setup(bot: LightstickBot) -> None:
    await bot.add_cog(MVCog(bot))
