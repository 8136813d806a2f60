"""Each server's chosen language, stored, with an in-memory copy for every public post."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.db import Database
from bot.i18n.locales import BABEL_IDS, SOURCE_LOCALE

log = logging.getLogger(__name__)


class GuildLanguages:
    """`/settings language:` rows, read once per server and kept: every public post asks."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._chosen: dict[int, str | None] = {}

    async def chosen(self, guild_id: int) -> str | None:
        """The language a server's managers chose, or None when they chose none."""
        if guild_id not in self._chosen:
            stored = await self.db.fetchval("SELECT locale FROM guild_language WHERE guild_id = ?", (guild_id,))
            self._chosen[guild_id] = stored if stored in BABEL_IDS else None
        return self._chosen[guild_id]

    async def choose(self, guild_id: int, locale: str | None, *, by: int, now: datetime) -> None:
        """Set (or with None, forget) a server's language."""
        async with self.db.transaction() as conn:
            if locale is None:
                await conn.execute("DELETE FROM guild_language WHERE guild_id = ?", (guild_id,))
            else:
                await conn.execute(
                    "INSERT INTO guild_language (guild_id, locale, set_by, set_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (guild_id) DO UPDATE SET locale = excluded.locale, "
                    "set_by = excluded.set_by, set_at = excluded.set_at",
                    (guild_id, locale, by, int(now.timestamp())),
                )
        self._chosen[guild_id] = locale
        log.info("guild %d: language set to %s", guild_id, locale or "automatic")


def server_locale(chosen: str | None, community_locale: str | None) -> str:
    """A server's public language: its choice, else its Community locale, else English."""
    if chosen in BABEL_IDS:
        return chosen
    if community_locale in BABEL_IDS:
        return community_locale
    return SOURCE_LOCALE
