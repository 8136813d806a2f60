"""The `/bracket` feature: MV World Cup brackets whose matches are two-option reaction polls
(`cog`), with pure embed builders (`render`). The rules live in :mod:`bot.brackets`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.brackets.cog import BracketsCog

if TYPE_CHECKING:
    from bot.client import LightstickBot


async def setup(bot: LightstickBot) -> None:
    await bot.add_cog(BracketsCog(bot))
