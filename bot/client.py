"""The Lightstick bot: intents, start-up order, command sync and clean shutdown."""

from __future__ import annotations

import hashlib
import json
import logging
import pkgutil
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.catalog import Catalog, load_catalog
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.paths import CATALOG_PATH

log = logging.getLogger(__name__)

#: Exactly what the features need: post cards/polls/storylines with embeds and charts,
#: react and read reactions, remove other members' votes, open discussion threads.
REQUIRED_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    manage_messages=True,
    create_public_threads=True,
)


def discover_extensions() -> list[str]:
    """Every module in `cogs/` that defines an extension `setup` (helpers start with `_`)."""
    return sorted(
        f"cogs.{module.name}" for module in pkgutil.iter_modules(cogs.__path__) if not module.name.startswith("_")
    )


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id,
        permissions=REQUIRED_PERMISSIONS,
        scopes=("bot", "applications.commands"),
    )


class LightstickBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        force_sync: bool = False,
        catalog_path: Path = CATALOG_PATH,
        extensions: list[str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db = Database(settings.database_path)
        self.force_sync = force_sync
        self.catalog_path = catalog_path
        self._catalog: Catalog | None = None
        self.extensions_to_load = extensions if extensions is not None else discover_extensions()
        self.synced_commands = False

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            raise RuntimeError("the catalog is loaded in setup_hook")
        return self._catalog

    async def setup_hook(self) -> None:
        """Database → migrate → catalog → extensions → command sync, in that order."""
        await self.db.connect()
        version = await self.db.migrate()
        log.info("database %s at schema version %d", self.settings.database_path, version)
        self._catalog = load_catalog(self.catalog_path)
        self._catalog.prepare_about_search()  # so no member's first story-word search pays for it
        log.info("catalog: %d music videos", len(self._catalog.entries))
        for extension in self.extensions_to_load:
            await self.load_extension(extension)
        await self.sync_commands_if_changed()
        if self.application_id is not None:
            log.info("invite Lightstick with: %s", invite_url(self.application_id))

    # -- command sync -------------------------------------------------------------------

    @property
    def sync_guild(self) -> discord.Object | None:
        dev = self.settings.dev_guild_id
        return discord.Object(dev) if dev is not None else None

    def command_tree_hash(self) -> str:
        guild = self.sync_guild
        commands_ = self.tree._get_all_commands(guild=guild)
        payload = sorted((c.to_dict(self.tree) for c in commands_), key=lambda c: str(c["name"]))
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    async def sync_commands_if_changed(self) -> bool:
        """Sync only when the tree changed since the last sync (or when forced)."""
        guild = self.sync_guild
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        key = f"command_hash:{guild.id if guild else 'global'}"
        digest = self.command_tree_hash()
        stored = await self.db.fetchval("SELECT value FROM meta WHERE key = ?", (key,))
        if stored == digest and not self.force_sync:
            log.info("application commands unchanged; not syncing")
            return False
        synced = await self.tree.sync(guild=guild)
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, digest),
            )
        self.synced_commands = True
        log.info("synced %d application commands to %s", len(synced), guild.id if guild else "all servers")
        return True

    # -- shutdown -----------------------------------------------------------------------

    async def close(self) -> None:
        """Unload cogs (they flush pending writes), disconnect, then close the database."""
        try:
            await super().close()
        finally:
            await self.db.close()

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("logged in as %s (%d) in %d servers", self.user, self.user.id, len(self.guilds))
