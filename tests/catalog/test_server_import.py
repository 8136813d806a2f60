"""ServerCatalogStore.import_entries on both engines: one transaction, history, limits, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.catalog.model import MV
from bot.catalog.server import CurationSettings, GuildCatalog, HistoryAction, ServerCatalogStore, server_mv_id
from bot.catalog.server import store as store_module
from bot.catalog.server.entries import entry_fields, validate_server_entry
from bot.db import Database
from tests.catalog.support import CURATOR, GUILD, NOW, OTHER_GUILD, REVIEW_CHANNEL, builtin, fields
from tests.catalog.test_server_store import add_entry, counts, refused

IMPORTER = 4242


@pytest.fixture
async def store(db: Database) -> ServerCatalogStore:
    store = ServerCatalogStore(db, builtin())
    for guild in (GUILD, OTHER_GUILD):
        await store.save_settings(
            CurationSettings(guild, review_channel_id=REVIEW_CHANNEL, cooldown=timedelta(0)), now=NOW
        )
    return store


def mvs(count: int, prefix: str = "Track") -> list[MV]:
    return [
        validate_server_entry(fields(title=f"{prefix} {n}", youtube_url=f"youtu.be/{prefix[:3]}{n:08d}"))
        for n in range(count)
    ]


async def test_an_import_writes_every_entry_and_its_history_in_one_go(db: Database, store: ServerCatalogStore) -> None:
    changed: list[int] = []
    store.on_change(changed.append)
    entries = [
        validate_server_entry(fields(title="대취타", artist="Agust D", release_date="2020-05-22", year=None)),
        validate_server_entry(fields(title="Let's Love", artist="SUHO", sources=["kpop.csv row 5"])),
        validate_server_entry(fields(title="Alone", storyline="Two friends drive to the sea.")),
    ]
    ids = await store.import_entries(GUILD, entries, IMPORTER, now=NOW + timedelta(minutes=1))
    assert len(ids) == 3 and ids == sorted(ids)
    stored = await store.entries(GUILD)
    assert [entry.entry_id for entry in stored] == ids
    assert [entry_fields(entry.mv) for entry in stored] == [entry_fields(mv) for mv in entries]
    assert [entry.mv.id for entry in stored] == [server_mv_id(entry_id) for entry_id in ids]
    assert all(entry.approved_by == IMPORTER and entry.suggested_by is None for entry in stored)
    assert all(entry.created_at == NOW + timedelta(minutes=1) for entry in stored)
    for entry_id, mv in zip(ids, entries, strict=True):
        [added] = await store.history(GUILD, entry_id)
        assert (added.action, added.actor_id, added.at) == (HistoryAction.ADDED, IMPORTER, NOW + timedelta(minutes=1))
        assert added.changes["title"] == (None, mv.title)
    assert await counts(db) == {"server_entries": 3, "server_suggestions": 0, "server_entry_history": 3}
    assert changed == [GUILD] and await store.version(GUILD) == 1
    assert await store.entries(OTHER_GUILD) == []


async def test_many_entries_take_one_transaction(db: Database, store: ServerCatalogStore) -> None:
    ids = await store.import_entries(GUILD, mvs(1_200), IMPORTER, now=NOW)
    assert len(set(ids)) == 1_200
    assert await counts(db) == {"server_entries": 1_200, "server_suggestions": 0, "server_entry_history": 1_200}
    assert await store.version(GUILD) == 1


async def test_a_failure_midway_leaves_nothing_written(
    db: Database, store: ServerCatalogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_entry(store, title="Already here")
    before, version = await counts(db), await store.version(GUILD)

    def crash(*args: object) -> list[object]:
        raise RuntimeError("the disk fell off")  # after the entries were inserted, before the history

    monkeypatch.setattr(store_module, "_added_history", crash)
    with pytest.raises(RuntimeError):
        await store.import_entries(GUILD, mvs(50), IMPORTER, now=NOW)
    assert await counts(db) == before and await store.version(GUILD) == version
    assert [entry.mv.title for entry in await store.entries(GUILD)] == ["Already here"]


async def test_the_server_limit_counts_what_is_stored_and_what_comes(
    db: Database, store: ServerCatalogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "MAX_ENTRIES", 5)
    await add_entry(store, title="One")
    await refused(db, store.import_entries(GUILD, mvs(5), IMPORTER, now=NOW), "1 entry", "limit", "room for 4")
    await store.import_entries(GUILD, mvs(4), IMPORTER, now=NOW)  # exactly full
    await refused(db, store.import_entries(GUILD, mvs(1, "More"), IMPORTER, now=NOW), "room for 0")
    await store.import_entries(OTHER_GUILD, mvs(5), IMPORTER, now=NOW)  # the limit is per server


async def test_an_mv_the_server_has_refuses_the_whole_import(db: Database, store: ServerCatalogStore) -> None:
    await add_entry(store, title="Track 3", artist="Haneul")  # stored since the dry run
    await refused(db, store.import_entries(GUILD, mvs(5), IMPORTER, now=NOW), "Track 3", "already", "nothing")
    video = validate_server_entry(fields(title="Another Name", artist="Someone", youtube_url="youtu.be/Tra00000001"))
    await store.import_entries(GUILD, [video], IMPORTER, now=NOW)
    await refused(db, store.import_entries(GUILD, mvs(3), IMPORTER, now=NOW), "Track 1", "already")


async def test_two_entries_with_the_same_stored_keys_are_refused(db: Database, store: ServerCatalogStore) -> None:
    same_keys = [
        validate_server_entry(fields(title="Moon-light!", artist="Haneul")),
        validate_server_entry(fields(title="Moonlight", artist="HANEUL")),
    ]
    await refused(db, store.import_entries(GUILD, same_keys, IMPORTER, now=NOW), "same MV", "Moonlight")
    same_video = [mvs(1)[0], validate_server_entry(fields(title="Other", youtube_url="youtu.be/Tra00000000"))]
    await refused(db, store.import_entries(GUILD, same_video, IMPORTER, now=NOW), "same MV")
    await refused(db, store.import_entries(GUILD, [], IMPORTER, now=NOW), "nothing to import")


async def test_rules_across_entries_are_checked_against_the_guild_view(db: Database, store: ServerCatalogStore) -> None:
    view = GuildCatalog(builtin(), guild_id=GUILD)
    taken_alias = validate_server_entry(fields(title="Sprint", aliases=["Run BTS MV"]))
    exo = {"artist": "EXO", "universe": "EXO Superpowers"}
    taken_place = validate_server_entry(fields(title="Growl", universe_order=1, **exo))
    await refused(db, store.import_entries(GUILD, [taken_alias], IMPORTER, now=NOW, against=view), "Run BTS MV")
    await refused(db, store.import_entries(GUILD, [taken_place], IMPORTER, now=NOW, against=view), "order 1")
    free_place = validate_server_entry(fields(title="Growl", universe_order=2, **exo))
    [entry_id] = await store.import_entries(GUILD, [free_place], IMPORTER, now=NOW, against=view)
    assert (await store.entry(GUILD, entry_id)).mv.universe_order == 2  # type: ignore[union-attr]
    assert (await store.entry(GUILD, entry_id)).approved_by == IMPORTER  # type: ignore[union-attr]
    assert CURATOR != IMPORTER
