"""GuildCatalogs: each guild's catalog view, built on first use and dropped when it changes.

Nothing is loaded at start: a guild's entries are read the first time something in that
guild asks (an autocomplete, a card, the day's storyline), so 100 servers × 1,000 entries
cost nothing until they are used. A write through the store drops the guild's view at once
(:meth:`ServerCatalogStore.on_change`); a write by another process is noticed by the
guild's ``entries_version``, looked at again at most every ``recheck_after`` seconds.
Views are kept for the guilds used most recently, up to ``max_guilds`` views and
``max_entries`` own entries in all (about 4 MB per 1,000 entries with their index, see
benchmarks/bench_server_catalog.py); a dropped view is read again when next used.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from bot.catalog.lookup import Catalog, cyclic_gc_paused
from bot.catalog.server.store import ServerCatalogStore, ServerEntry, Suggestion
from bot.catalog.server.view import GuildCatalog
from bot.storyline.rotation import RotationEntry, rotation_entries

RECHECK_AFTER = 60.0
MAX_GUILDS = 5_000
MAX_ENTRIES = 100_000


class _Cached:
    __slots__ = ("checked_at", "view")

    def __init__(self, view: GuildCatalog, checked_at: float) -> None:
        self.view = view
        self.checked_at = checked_at


class GuildCatalogs:
    """One per bot: ``await catalogs.get(interaction.guild_id)`` where a cog used ``bot.catalog``."""

    def __init__(
        self,
        builtin: Catalog,
        store: ServerCatalogStore,
        *,
        recheck_after: float = RECHECK_AFTER,
        max_guilds: int = MAX_GUILDS,
        max_entries: int = MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.builtin = builtin
        self.store = store
        self.recheck_after = recheck_after
        self.max_guilds = max_guilds
        self.max_entries = max_entries
        #: Own entries in the cached views, for the memory bound.
        self.cached_entries = 0
        self._monotonic = monotonic
        self._views: OrderedDict[int, _Cached] = OrderedDict()
        self._loading: dict[int, asyncio.Task[GuildCatalog]] = {}
        self._rotation: weakref.WeakKeyDictionary[GuildCatalog, tuple[RotationEntry, ...]] = weakref.WeakKeyDictionary()
        #: The view outside any guild (DMs): the built-in catalog alone.
        self.builtin_view = GuildCatalog(builtin)
        self.loads = 0
        store.on_change(self.invalidate)

    # -- views ----------------------------------------------------------------------------------

    async def get(self, guild_id: int | None) -> GuildCatalog:
        """The guild's view (the built-in catalog alone outside a guild)."""
        if guild_id is None:
            return self.builtin_view
        cached = self._views.get(guild_id)
        if cached is not None:
            self._views.move_to_end(guild_id)
            if self._monotonic() - cached.checked_at < self.recheck_after:
                return cached.view
            if await self.store.version(guild_id) == cached.view.version:
                cached.checked_at = self._monotonic()
                return cached.view
            self.invalidate(guild_id)
        return await self._load(guild_id)

    def cached(self, guild_id: int) -> GuildCatalog | None:
        """The guild's view if it is loaded (for code that must not wait), else None."""
        cached = self._views.get(guild_id)
        return None if cached is None else cached.view

    def invalidate(self, guild_id: int) -> None:
        """Drop the guild's view; the next use reads its entries again."""
        dropped = self._views.pop(guild_id, None)
        if dropped is not None:
            self.cached_entries -= len(dropped.view.own)
        self._loading.pop(guild_id, None)

    def loaded_guilds(self) -> int:
        return len(self._views)

    async def _load(self, guild_id: int) -> GuildCatalog:
        task = self._loading.get(guild_id)
        if task is None:  # one read serves every request that arrives while it runs
            task = asyncio.ensure_future(self._read(guild_id))
            self._loading[guild_id] = task
            task.add_done_callback(lambda done: self._loaded(guild_id, done))
        return await asyncio.shield(task)  # an abandoned autocomplete does not stop the read

    def _loaded(self, guild_id: int, task: asyncio.Task[GuildCatalog]) -> None:
        if self._loading.get(guild_id) is not task:
            return  # invalidated while it was read: the next use reads again
        del self._loading[guild_id]
        if task.cancelled() or task.exception() is not None:
            return
        view = task.result()
        self._views[guild_id] = _Cached(view, self._monotonic())
        self.cached_entries += len(view.own)
        while len(self._views) > 1 and (len(self._views) > self.max_guilds or self.cached_entries > self.max_entries):
            _, dropped = self._views.popitem(last=False)
            self.cached_entries -= len(dropped.view.own)

    async def _read(self, guild_id: int) -> GuildCatalog:
        version = await self.store.version(guild_id)
        entries: list[ServerEntry] = await self.store.entries(guild_id) if version else []
        self.loads += 1
        with cyclic_gc_paused():  # like the built-in catalog's load: many objects, no cycles
            return GuildCatalog(self.builtin, (entry.mv for entry in entries), guild_id=guild_id, version=version)

    # -- storyline ------------------------------------------------------------------------------

    async def storyline_entries(self, guild_id: int) -> tuple[RotationEntry, ...]:
        """The guild's own entries that have a storyline (lookup-only entries never are), for
        :class:`bot.storyline.StorylineService`'s ``server_entries``."""
        view = await self.get(guild_id)
        found = self._rotation.get(view)
        if found is None:
            found = self._rotation[view] = rotation_entries(view.own.with_storyline())
        return found

    # -- writes, checked against the guild's whole catalog --------------------------------------------

    async def submit(
        self,
        guild_id: int,
        member_id: int,
        fields: Mapping[str, Any],
        *,
        now: datetime,
        member_role_ids: Collection[int] = (),
    ) -> Suggestion:
        view = await self.get(guild_id)
        return await self.store.submit(
            guild_id, member_id, fields, now=now, member_role_ids=member_role_ids, against=view
        )

    async def approve(self, guild_id: int, suggestion_id: int, curator_id: int, *, now: datetime) -> ServerEntry:
        view = await self.get(guild_id)
        return await self.store.approve(guild_id, suggestion_id, curator_id, now=now, against=view)

    async def edit_entry(
        self, guild_id: int, entry_id: int, editor_id: int, changes: Mapping[str, Any], *, now: datetime
    ) -> ServerEntry:
        view = await self.get(guild_id)
        return await self.store.edit_entry(guild_id, entry_id, editor_id, changes, now=now, against=view)
