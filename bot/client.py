"""The Lightstick bot: intents, shards, start-up order, command sync and clean shutdown."""

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
from bot.catalog.server import GuildCatalogs, ServerCatalogStore
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database, database_for
from bot.i18n.interactions import GettextTranslator, LocaleTree
from bot.i18n.store import GuildLanguages
from bot.metrics import AsyncCleanup, rest_trace, start_metrics_server
from bot.paths import CATALOG_PATH
from bot.sharding import GuildOwnership, shard_of

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


IDENTIFY_INTERVAL = 5.0
#: Advisory-lock keys IDENTIFY_TURN_KEY + bucket pace logins across processes.
IDENTIFY_TURN_KEY = 0x4C53_1000


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


def silence_voice_warnings() -> None:
    """Lightstick has no voice: discord.py's "PyNaCl/davey is not installed" warnings are noise."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


class LightstickBot(commands.AutoShardedBot):
    """Runs the shards in `settings` (all, by default) of as many as Discord recommends."""

    #: Seconds between two IDENTIFYs of one bucket (Discord's pace; the fake may be faster).
    identify_interval = IDENTIFY_INTERVAL

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
        silence_voice_warnings()
        if settings.shard_ids is not None and settings.shard_count is not None:
            # discord.py wants a count with ids; with SHARD_COUNT=auto they are set in setup_hook.
            options["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            shard_count=settings.shard_count,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=LocaleTree,
            http_trace=options.pop("http_trace", None) or rest_trace(),
            **options,
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db: Database = database_for(settings)
        self.languages = GuildLanguages(self.db)
        self.force_sync = force_sync
        self.catalog_path = catalog_path
        self._catalog: Catalog | None = None
        self._catalogs: GuildCatalogs | None = None
        self.extensions_to_load = extensions if extensions is not None else discover_extensions()
        self.synced_commands = False
        self._stop_metrics: AsyncCleanup | None = None
        self._database_open = False
        #: Discord's IDENTIFY buckets (from GET /gateway/bot when the count is automatic).
        self.max_concurrency = 1

    @property
    def catalogs(self) -> GuildCatalogs:
        """Each server's view: the built-in catalog plus that server's own entries."""
        if self._catalogs is None:
            raise RuntimeError("the catalogs are loaded in setup_hook")
        return self._catalogs

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            raise RuntimeError("the catalog is loaded in setup_hook")
        return self._catalog

    async def open_database(self) -> None:
        """Connect and migrate; `python -m bot` calls this before logging in to Discord, so a
        database that can't be used stops the start with nothing sent to Discord."""
        if self._database_open:
            return
        await self.db.connect()
        try:
            version = await self.db.migrate()
        except BaseException:
            await self.db.close()
            raise
        self._database_open = True
        log.info("database %s at schema version %d", self.db.label, version)

    async def setup_hook(self) -> None:
        """Shard count → database → migrate → catalog → extensions → command sync, in that order."""
        await self.settle_shards()
        await self.open_database()
        self._catalog = load_catalog(self.catalog_path)
        self._catalog.prepare_about_search()  # so no member's first story-word search pays for it
        log.info("catalog: %d music videos", len(self._catalog.entries))
        self._catalogs = GuildCatalogs(self._catalog, ServerCatalogStore(self.db, self._catalog))
        for extension in self.extensions_to_load:
            await self.load_extension(extension)
        await self.tree.set_translator(GettextTranslator())
        if self.settings.metrics_port is not None:
            self._stop_metrics = await start_metrics_server(self, self.settings.metrics_port)
        await self.sync_commands_if_changed()
        if self.application_id is not None:
            log.info("invite Lightstick with: %s", invite_url(self.application_id))

    # -- shards -------------------------------------------------------------------------

    async def settle_shards(self) -> None:
        """Fix the shard count before any cog loads, so every cog knows which guilds it owns.

        With SHARD_COUNT=auto this asks Discord for its recommendation (GET /gateway/bot), as
        discord.py would when connecting; SHARD_IDS is then checked against it (ConfigError).
        """
        if self.shard_count is None:
            recommended, _url, limits = await self.http.get_bot_gateway()
            self.shard_count = recommended
            self.max_concurrency = max(1, int(limits.get("max_concurrency", 1)))
        self.settings = self.settings.with_shards(self.shard_count)
        if self.settings.shard_ids is not None:
            self.shard_ids = list(self.settings.shard_ids)
        log.info("running %s", self.ownership.describe())

    @property
    def ownership(self) -> GuildOwnership:
        """The guilds this process works on (its shards' guilds); known once setup_hook began."""
        if self.shard_count is None:
            raise RuntimeError("the shard count is settled at the start of setup_hook")
        return self.settings.ownership(self.shard_count)

    def guilds_of_shard(self, shard_id: int) -> list[discord.Guild]:
        count = self.shard_count or 1
        return [guild for guild in self.guilds if shard_of(guild.id, count) == shard_id]

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord allows one IDENTIFY per ``max_concurrency`` bucket every 5 s, across every
        process of the bot: take the bucket's turn through the shared database."""
        bucket = (shard_id or 0) % self.max_concurrency
        await self.db.take_turn(IDENTIFY_TURN_KEY + bucket, self.identify_interval)

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %d: ready with %d guilds", shard_id, len(self.guilds_of_shard(shard_id)))

    async def on_shard_resumed(self, shard_id: int) -> None:
        log.info("shard %d: resumed", shard_id)

    # -- command sync -------------------------------------------------------------------

    @property
    def sync_guild(self) -> discord.Object | None:
        dev = self.settings.dev_guild_id
        return discord.Object(dev) if dev is not None else None

    async def command_payload(self) -> list[dict[str, Any]]:
        """What a sync sends, localisations included, in a stable order."""
        translator = self.tree.translator
        commands_ = self.tree._get_all_commands(guild=self.sync_guild)
        payload = [
            await c.get_translated_payload(self.tree, translator) if translator else c.to_dict(self.tree)
            for c in commands_
        ]
        return sorted(payload, key=lambda c: str(c["name"]))

    async def command_tree_hash(self) -> str:
        """Changes with any name, option or translation, so a new catalog means a new sync."""
        payload = await self.command_payload()
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    async def sync_commands_if_changed(self) -> bool:
        """Sync only when the tree changed since the last sync (or when forced)."""
        guild = self.sync_guild
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        key = f"command_hash:{guild.id if guild else 'global'}"
        digest = await self.command_tree_hash()
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
            if self._stop_metrics is not None:
                await self._stop_metrics()
            await self.db.close()
            self._database_open = False

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("logged in as %s (%d) in %d servers", self.user, self.user.id, len(self.guilds))
