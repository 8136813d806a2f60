"""Each guild's catalog view: lazy, invalidated on change, merged with the built-in catalog,
never showing one server's entries in another; and server entries in the storyline rotation."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.catalog.server import CurationSettings, GuildCatalog, GuildCatalogs, ServerCatalogStore, ServerEntry
from bot.clock import FakeClock
from bot.db import Database
from bot.paths import CATALOG_PATH
from bot.storyline import RotationEntry, StorylineService
from tests.catalog.support import CURATOR, GUILD, MEMBER, NOW, OTHER_GUILD, REVIEW_CHANNEL, builtin, fields
from tests.storyline.support import FakeDiscordSide, build_service, config
from tests.support.databases import reconnect


@pytest.fixture
async def catalogs(db: Database) -> GuildCatalogs:
    store = ServerCatalogStore(db, builtin())
    for guild in (GUILD, OTHER_GUILD):
        await store.save_settings(
            CurationSettings(guild, review_channel_id=REVIEW_CHANNEL, cooldown=timedelta(0)), now=NOW
        )
    return GuildCatalogs(store.builtin, store)


async def add(catalogs: GuildCatalogs, guild: int = GUILD, **entry: Any) -> ServerEntry:
    suggestion = await catalogs.submit(guild, MEMBER, fields(**entry), now=NOW)
    return await catalogs.approve(guild, suggestion.suggestion_id, CURATOR, now=NOW)


def ids(mvs: Any) -> list[str]:
    return [mv.id for mv in mvs]


# -- lazy, cached, invalidated ---------------------------------------------------------------------


async def test_views_load_lazily_once_and_reload_after_a_change(catalogs: GuildCatalogs) -> None:
    assert catalogs.loads == 0 and catalogs.loaded_guilds() == 0
    first = await catalogs.get(GUILD)
    assert await catalogs.get(GUILD) is first and catalogs.loads == 1
    assert not first.has_own and len(first) == 4
    entry = await add(catalogs, title="Snowfall")
    after = await catalogs.get(GUILD)
    assert after is not first and after.get(entry.mv_id) == entry.mv and len(after) == 5
    assert await catalogs.get(None) is catalogs.builtin_view


async def test_concurrent_first_uses_share_one_read(catalogs: GuildCatalogs) -> None:
    views = await asyncio.gather(*(catalogs.get(GUILD) for _ in range(10)))
    assert all(view is views[0] for view in views) and catalogs.loads == 1


async def test_a_change_made_by_another_process_is_seen_after_the_recheck(
    db: Database, catalogs: GuildCatalogs
) -> None:
    ticks = [0.0]
    local = GuildCatalogs(catalogs.builtin, catalogs.store, recheck_after=30, monotonic=lambda: ticks[0])
    before = await local.get(GUILD)
    other = await reconnect(db)
    try:
        remote = ServerCatalogStore(other, catalogs.builtin)
        suggestion = await remote.submit(GUILD, MEMBER, fields(title="Remote"), now=NOW)
        entry = await remote.approve(GUILD, suggestion.suggestion_id, CURATOR, now=NOW)
    finally:
        await other.close()
    assert await local.get(GUILD) is before  # within recheck_after: no query
    ticks[0] = 31
    assert (await local.get(GUILD)).get(entry.mv_id) is not None
    ticks[0] = 62
    unchanged = await local.get(GUILD)
    ticks[0] = 93
    assert await local.get(GUILD) is unchanged  # same version: kept


async def test_least_recently_used_views_are_dropped(catalogs: GuildCatalogs) -> None:
    few_guilds = GuildCatalogs(catalogs.builtin, catalogs.store, max_guilds=2)
    for guild in (1, 2, 3):
        await few_guilds.get(guild)
    assert few_guilds.loaded_guilds() == 2 and few_guilds.cached(1) is None and few_guilds.cached(3) is not None

    await add(catalogs, title="One")
    await add(catalogs, title="Two")
    few_entries = GuildCatalogs(catalogs.builtin, catalogs.store, max_entries=1)
    assert len((await few_entries.get(GUILD)).own) == 2  # kept: the only view
    assert few_entries.cached(GUILD) is not None and few_entries.cached_entries == 2
    await few_entries.get(OTHER_GUILD)
    assert few_entries.cached(GUILD) is None and few_entries.cached_entries == 0


# -- one server's entries stay there --------------------------------------------------------------------


async def test_one_servers_entries_are_never_visible_in_another(catalogs: GuildCatalogs) -> None:
    entry = await add(catalogs, title="Hidden Garden", artist="Solbi", themes=["mystery"], aliases=["Garden MV"])
    mine, theirs = await catalogs.get(GUILD), await catalogs.get(OTHER_GUILD)
    assert mine.get(entry.mv_id) is not None and theirs.get(entry.mv_id) is None
    assert theirs.named(entry.mv_id) is None and theirs.named(entry.mv.display_name) is None
    for view, expected in ((mine, True), (theirs, False)):
        found = entry.mv in view.search("hidden garden") or entry.mv in view.autocomplete("hidd")
        assert found is expected
        assert (entry.mv in view.filter(theme="mystery")) is expected
        assert ("Solbi" in view.artists_matching("sol")) is expected
        assert (("mystery", 1) in view.themes_with_counts()) is expected
        assert (entry.mv in view.entries) is expected
        assert (view.artist_named("solbi") == "Solbi") is expected
        assert (entry.mv in view.suggestions("hiden gardn")) is expected


# -- the merged catalog ----------------------------------------------------------------------------------------


async def test_server_entries_rank_among_built_in_ones(catalogs: GuildCatalogs) -> None:
    erase = await add(catalogs, title="Erase", artist="Nova")
    exact = await add(catalogs, title="Run", artist="Nova")  # same title as BTS's RUN, other artist
    short = await add(catalogs, title="Ru", artist="Nova")
    wolf_pack = await add(catalogs, title="Wolf Pack", artist="Nova", year=2001)
    view = await catalogs.get(GUILD)
    assert ids(view.autocomplete("ru")) == [short.mv_id, "bts-run", exact.mv_id]  # exact, then prefixes
    assert ids(view.autocomplete("wolf")) == ["exo-wolf", wolf_pack.mv_id]  # exact beats an older prefix
    assert ids(view.autocomplete("er")) == ["vixx-error", erase.mv_id]  # both prefixes: release order
    assert view.autocomplete("erase") == [erase.mv]
    assert ids(view.search("run", limit=2)) == ["bts-run", exact.mv_id]  # exact titles, release order
    assert view.search("nova run")[0] == exact.mv
    assert view.find("Run — Nova (2023)") == exact.mv and view.find(exact.mv_id) == exact.mv
    assert view.find("erse") == erase.mv  # a typo
    assert ids(view.search("", year=2023)) == [erase.mv_id, short.mv_id, exact.mv_id]  # release order, then title
    assert ids(view.search("", limit=2)) == [wolf_pack.mv_id, "exo-mama"]
    assert view.search("r", artist="Nova") == [short.mv, exact.mv]
    newest = view.autocomplete("", limit=6)
    assert newest[:4] == [wolf_pack.mv, short.mv, exact.mv, erase.mv] and newest[4].id == "vixx-error"


async def test_filters_artists_themes_and_universes_include_the_servers(catalogs: GuildCatalogs) -> None:
    between = await add(
        catalogs, title="Growl", artist="EXO", year=2013, release_date="2013-08-05", themes=["youth"],
        universe="EXO Superpowers", universe_order=2, storyline="The twelve meet again in a school hall.",
    )  # fmt: skip
    view = await catalogs.get(GUILD)
    assert ids(view.by_artist("exo")) == ["exo-mama", between.mv_id, "exo-wolf"]
    assert ids(view.filter(universe="exo")) == ["exo-mama", between.mv_id, "exo-wolf"]
    [(name, members)] = view.universes()
    assert name == "EXO Superpowers" and ids(members) == ["exo-mama", between.mv_id, "exo-wolf"]
    mama, wolf = view.get("exo-mama"), view.get("exo-wolf")
    assert view.universe_neighbours(between.mv) == (mama, wolf)
    assert view.universe_neighbours(wolf) == (between.mv, None)  # type: ignore[arg-type]
    assert dict(view.themes_with_counts())["youth"] == 2
    assert view.artists() == ["BTS", "EXO", "VIXX"]
    assert ids(view.with_storyline()) == ["vixx-error", "exo-mama", "bts-run", between.mv_id]


async def test_a_server_entry_card_says_who_added_it(catalogs: GuildCatalogs) -> None:
    entry = await add(catalogs, title="Card")
    mv = (await catalogs.get(GUILD)).get(entry.mv_id)
    assert mv is not None and mv.from_server and (mv.suggested_by, mv.approved_by) == (MEMBER, CURATOR)
    assert not (await catalogs.get(GUILD)).get("vixx-error").from_server  # type: ignore[union-attr]


def test_no_built_in_id_looks_like_a_server_id() -> None:
    text = CATALOG_PATH.read_text(encoding="utf-8")
    assert not re.findall(r'^id\s*=\s*"s-\d+"', text, re.MULTILINE)


def test_a_view_without_own_entries_answers_like_the_catalog() -> None:
    catalog = builtin()
    view = GuildCatalog(catalog)
    for query in ("", "e", "exo", "eror", "superpowers"):
        assert view.autocomplete(query) == catalog.autocomplete(query)
        assert view.search(query) == catalog.search(query)
    assert view.artists() == catalog.artists() and view.universes() == catalog.universes()


# -- the storyline rotation ------------------------------------------------------------------------------------


async def test_only_entries_with_a_storyline_join_the_rotation(catalogs: GuildCatalogs) -> None:
    story = await add(catalogs, title="Told", storyline="A courier loses a letter and follows it across town.")
    await add(catalogs, title="Lookup Only")
    mature = await add(catalogs, title="Dark", storyline="A heist goes wrong.", mature=True)
    assert await catalogs.storyline_entries(GUILD) == (RotationEntry(story.mv_id), RotationEntry(mature.mv_id, True))
    assert await catalogs.storyline_entries(OTHER_GUILD) == ()


async def test_the_service_rotates_server_entries_where_the_setting_allows(
    db: Database, catalogs: GuildCatalogs
) -> None:
    story = await add(catalogs, title="Told", storyline="A courier loses a letter and follows it across town.")
    await add(catalogs, title="Lookup Only")
    side = FakeDiscordSide(entries=[RotationEntry("vixx-error")])
    service: StorylineService = build_service(db, FakeClock(NOW), side, server_entries=catalogs.storyline_entries)
    await service.setup(config(GUILD))
    settings = await service.store.require_settings(GUILD)
    assert settings.server_entries
    assert service.eligible_for(settings, await service.own_entries(GUILD)) == [story.mv_id, "vixx-error"]
    assert (await service.status(GUILD)).progress.total == 2

    await service.setup(config(GUILD, server_entries=False))
    settings = await service.store.require_settings(GUILD)
    assert not settings.server_entries
    assert service.eligible_for(settings, await service.own_entries(GUILD)) == ["vixx-error"]
    assert (await service.preview(GUILD)).mv_id == "vixx-error"

    await service.setup(config(OTHER_GUILD))
    other = await service.store.require_settings(OTHER_GUILD)
    assert service.eligible_for(other, await service.own_entries(OTHER_GUILD)) == ["vixx-error"]

    posted = await service.post_now(OTHER_GUILD)
    assert posted.mv_id == "vixx-error"
