"""ServerCatalogStore on both engines: suggest → review, limits, duplicates, history."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.catalog.server import (
    CurationSettings,
    HistoryAction,
    ServerCatalogStore,
    SuggestionStatus,
    server_mv_id,
)
from bot.catalog.server import store as store_module
from bot.catalog.server.entries import entry_fields, stored_mv, to_json, validate_server_entry
from bot.db import Database
from bot.errors import UserError
from tests.catalog.support import CURATOR, GUILD, MEMBER, NOW, OTHER_GUILD, REVIEW_CHANNEL, builtin, fields
from tests.support.databases import index_leading_columns, reconnect, table_columns

TABLES = ("server_catalog_settings", "server_entries", "server_suggestions", "server_entry_history")


@pytest.fixture
async def store(db: Database) -> ServerCatalogStore:
    store = ServerCatalogStore(db, builtin())
    for guild in (GUILD, OTHER_GUILD):
        await store.save_settings(
            CurationSettings(guild, review_channel_id=REVIEW_CHANNEL, cooldown=timedelta(0)), now=NOW
        )
    return store


async def counts(db: Database) -> dict[str, int]:
    return {table: int(await db.fetchval(f"SELECT COUNT(*) FROM {table}")) for table in TABLES[1:]}


async def refused(db: Database, attempt: object, *words: str) -> None:
    """`attempt` raises a UserError saying `words`, and no row was written anywhere."""
    before = await counts(db)
    with pytest.raises(UserError) as caught:
        await attempt  # type: ignore[misc]
    for word in words:
        assert word.lower() in str(caught.value).lower(), str(caught.value)
    assert await counts(db) == before


async def add_entry(store: ServerCatalogStore, guild: int = GUILD, member: int = MEMBER, **entry: object):
    suggestion = await store.submit(guild, member, fields(**entry), now=NOW)  # type: ignore[arg-type]
    return await store.approve(guild, suggestion.suggestion_id, CURATOR, now=NOW)


# -- schema -----------------------------------------------------------------------------------------


async def test_every_table_and_index_starts_with_the_guild(db: Database) -> None:
    for table in TABLES:
        assert "guild_id" in await table_columns(db, table)
        for index, first in (await index_leading_columns(db, table)).items():
            assert first == "guild_id", f"{table}.{index} starts with {first}"
    assert "server_entries" in await table_columns(db, "storyline_guilds")


# -- settings ---------------------------------------------------------------------------------------


async def test_settings_default_then_saved(db: Database) -> None:
    store = ServerCatalogStore(db)
    assert await store.settings(7) == CurationSettings(7)
    saved = await store.save_settings(
        CurationSettings(7, review_channel_id=1, curator_role_id=2, suggest_role_id=3, cooldown=timedelta(hours=1)),
        now=NOW,
    )
    assert saved == CurationSettings(7, 1, 2, 3, timedelta(hours=1)) and saved.open
    with pytest.raises(UserError):
        await store.save_settings(CurationSettings(7, cooldown=timedelta(days=30)), now=NOW)
    assert saved.may_curate([2], manage_guild=False) and saved.may_curate([], manage_guild=True)
    assert not saved.may_curate([3], manage_guild=False) and not CurationSettings(7).may_curate([2], manage_guild=False)
    assert saved.may_suggest([3]) and not saved.may_suggest([2]) and CurationSettings(7).may_suggest([])


# -- submitting -------------------------------------------------------------------------------------


async def test_a_minimal_suggestion_is_stored_pending_and_normalised(store: ServerCatalogStore) -> None:
    sent = fields(year=None, release_date="2023-05-04", youtube_url="youtu.be/BBBBBBBBBBB?t=12")
    suggestion = await store.submit(GUILD, MEMBER, sent, now=NOW)
    assert suggestion.status is SuggestionStatus.PENDING and suggestion.member_id == MEMBER
    assert suggestion.fields == {
        "title": "Moonlight Road",
        "artist": "Haneul",
        "year": 2023,
        "release_date": "2023-05-04",
        "youtube_url": "https://www.youtube.com/watch?v=BBBBBBBBBBB",
    }
    assert suggestion.mv.year == 2023 and suggestion.mv.from_server
    assert (await store.pending(GUILD)).items == (suggestion,)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"year": None}, ["year", "release_date"]),
        ({"title": None}, ["title", "missing"]),
        ({"youtube_url": "https://example.com/watch?v=x"}, ["youtube_url"]),
        ({"themes": ["scifi"]}, ["themes", "sci-fi"]),
        ({"release_date": "2022-01-01"}, ["release_date", "2023"]),
        ({"colour": "red"}, ["unknown field"]),
    ],
)
async def test_an_invalid_entry_is_refused_by_the_catalog_validator(
    db: Database, store: ServerCatalogStore, entry: dict[str, Any], words: list[str]
) -> None:
    await refused(db, store.submit(GUILD, MEMBER, fields(**entry), now=NOW), *words)


async def test_suggestions_need_a_review_channel(db: Database) -> None:
    store = ServerCatalogStore(db, builtin())
    await refused(db, store.submit(9, MEMBER, fields(), now=NOW), "/mv curation")
    assert await db.fetchval("SELECT COUNT(*) FROM server_catalog_settings WHERE guild_id = 9") == 0


async def test_the_suggest_role_is_required_when_set(db: Database, store: ServerCatalogStore) -> None:
    await store.save_settings(CurationSettings(GUILD, review_channel_id=REVIEW_CHANNEL, suggest_role_id=77), now=NOW)
    await refused(db, store.submit(GUILD, MEMBER, fields(), now=NOW, member_role_ids=[1, 2]), "role")
    assert (
        await store.submit(GUILD, MEMBER, fields(), now=NOW, member_role_ids=[77])
    ).status is SuggestionStatus.PENDING


async def test_at_most_three_pending_per_member(db: Database, store: ServerCatalogStore) -> None:
    for number in range(3):
        await store.submit(GUILD, MEMBER, fields(title=f"Song {number}"), now=NOW)
    await refused(db, store.submit(GUILD, MEMBER, fields(title="Song 4"), now=NOW), "3 suggestions")
    await store.submit(GUILD, MEMBER + 1, fields(title="Song 4"), now=NOW)  # another member may
    first = (await store.pending(GUILD)).items[0]
    await store.reject(GUILD, first.suggestion_id, CURATOR, "not an MV", now=NOW)
    await store.submit(GUILD, MEMBER, fields(title="Song 5"), now=NOW)  # a decision frees a place


async def test_the_cooldown_counts_from_the_last_suggestion(db: Database, store: ServerCatalogStore) -> None:
    await store.save_settings(
        CurationSettings(GUILD, review_channel_id=REVIEW_CHANNEL, cooldown=timedelta(minutes=10)), now=NOW
    )
    await store.submit(GUILD, MEMBER, fields(title="One"), now=NOW)
    later = NOW + timedelta(minutes=9, seconds=30)
    await refused(db, store.submit(GUILD, MEMBER, fields(title="Two"), now=later), "in 1 minute")
    await store.submit(GUILD, MEMBER, fields(title="Two"), now=NOW + timedelta(minutes=10))


async def test_a_full_server_catalog_takes_no_suggestion_and_no_approval(
    db: Database, store: ServerCatalogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "MAX_ENTRIES", 2)
    waiting = await store.submit(GUILD, MEMBER + 9, fields(title="Waiting"), now=NOW)
    await add_entry(store, title="One")
    await add_entry(store, title="Two")
    await refused(db, store.submit(GUILD, MEMBER, fields(title="Three"), now=NOW), "full", "2 entries")
    await refused(db, store.approve(GUILD, waiting.suggestion_id, CURATOR, now=NOW), "full")
    assert (await store.suggestion(GUILD, waiting.suggestion_id)).status is SuggestionStatus.PENDING  # type: ignore[union-attr]
    await add_entry(store, guild=OTHER_GUILD, title="Three")  # the limit is per server


async def test_concurrent_submissions_stay_under_the_member_limit(db: Database, store: ServerCatalogStore) -> None:
    other = await reconnect(db)
    try:
        other_store = ServerCatalogStore(other, builtin())
        await store.submit(GUILD, MEMBER, fields(title="A"), now=NOW)
        await store.submit(GUILD, MEMBER, fields(title="B"), now=NOW)
        results = await asyncio.gather(
            store.submit(GUILD, MEMBER, fields(title="C"), now=NOW),
            other_store.submit(GUILD, MEMBER, fields(title="D"), now=NOW),
            return_exceptions=True,
        )
    finally:
        await other.close()
    assert sum(isinstance(result, UserError) for result in results) == 1
    assert (await store.pending(GUILD)).total == 3


# -- duplicates -----------------------------------------------------------------------------------------


async def test_a_built_in_mv_is_a_duplicate(db: Database, store: ServerCatalogStore) -> None:
    await refused(db, store.submit(GUILD, MEMBER, fields(title="error", artist="vixx"), now=NOW), "error — vixx")
    by_video = fields(title="Other", youtube_url="https://m.youtube.com/watch?v=AAAAAAAAAAA")
    await refused(db, store.submit(GUILD, MEMBER, by_video, now=NOW), "already in the catalog")
    by_alias = fields(title="Run BTS MV", artist="BTS")
    await refused(db, store.submit(GUILD, MEMBER, by_alias, now=NOW), "run — bts")


async def test_an_alias_or_universe_place_taken_in_the_catalog_is_refused(
    db: Database, store: ServerCatalogStore
) -> None:
    await refused(db, store.submit(GUILD, MEMBER, fields(aliases=["Error"]), now=NOW), "aliases", "error")
    clash = fields(artist="EXO", universe="EXO Superpowers", universe_order=1)
    await refused(db, store.submit(GUILD, MEMBER, clash, now=NOW), "universe_order", "mama")
    spelt = fields(artist="EXO", universe="exo superpowers", universe_order=2)
    await refused(db, store.submit(GUILD, MEMBER, spelt, now=NOW), "spelt")
    fits = await store.submit(
        GUILD, MEMBER, fields(artist="EXO", universe="EXO Superpowers", universe_order=2), now=NOW
    )
    assert fits.mv.universe_order == 2


async def test_a_server_entry_pending_or_rejected_mv_is_a_duplicate(db: Database, store: ServerCatalogStore) -> None:
    entry = await add_entry(store, title="Snowfall", artist="Moonbyul", youtube_url="https://youtu.be/CCCCCCCCCCC")
    await refused(
        db, store.submit(GUILD, MEMBER + 1, fields(title="SNOWFALL!", artist="moonbyul"), now=NOW), entry.mv_id
    )
    same_video = fields(title="Else", youtube_url="https://www.youtube.com/watch?v=CCCCCCCCCCC&t=3")
    await refused(db, store.submit(GUILD, MEMBER + 1, same_video, now=NOW), "already in this server")

    waiting = await store.submit(GUILD, MEMBER, fields(title="Pending One"), now=NOW)
    await refused(db, store.submit(GUILD, MEMBER + 1, fields(title="pending one"), now=NOW), "waiting for review")

    await store.reject(GUILD, waiting.suggestion_id, CURATOR, "It's a fan edit, not an official MV", now=NOW)
    await refused(db, store.submit(GUILD, MEMBER + 2, fields(title="Pending One"), now=NOW), "turned down", "fan edit")


async def test_one_servers_entries_and_suggestions_are_not_anothers(db: Database, store: ServerCatalogStore) -> None:
    entry = await add_entry(store, title="Snowfall")
    waiting = await store.submit(GUILD, MEMBER, fields(title="Waiting"), now=NOW)
    assert await store.entries(OTHER_GUILD) == []
    assert await store.entry(OTHER_GUILD, entry.entry_id) is None
    assert await store.suggestion(OTHER_GUILD, waiting.suggestion_id) is None
    assert (await store.pending(OTHER_GUILD)).total == 0
    # the same MVs may be suggested and added in the other server
    await add_entry(store, guild=OTHER_GUILD, title="Snowfall")
    await store.submit(OTHER_GUILD, MEMBER, fields(title="Waiting"), now=NOW)
    with pytest.raises(UserError):
        await store.approve(OTHER_GUILD, waiting.suggestion_id, CURATOR, now=NOW)
    with pytest.raises(UserError):
        await store.remove_entry(OTHER_GUILD, entry.entry_id, CURATOR, now=NOW)


# -- review -----------------------------------------------------------------------------------------------


async def test_approving_creates_the_entry_and_its_history(store: ServerCatalogStore) -> None:
    suggestion = await store.submit(GUILD, MEMBER, fields(storyline="Two friends drive to the sea."), now=NOW)
    entry = await store.approve(GUILD, suggestion.suggestion_id, CURATOR, now=NOW + timedelta(minutes=1))
    assert entry.mv.id == server_mv_id(entry.entry_id) and entry.mv.from_server
    assert (entry.mv.suggested_by, entry.mv.approved_by) == (MEMBER, CURATOR)
    assert entry.suggestion_id == suggestion.suggestion_id
    decided = await store.suggestion(GUILD, suggestion.suggestion_id)
    assert decided is not None and decided.status is SuggestionStatus.APPROVED
    assert (decided.decided_by, decided.entry_id) == (CURATOR, entry.entry_id)
    [added] = await store.history(GUILD, entry.entry_id)
    assert (added.action, added.actor_id, added.at) == (HistoryAction.ADDED, CURATOR, NOW + timedelta(minutes=1))
    assert added.changes["title"] == (None, "Moonlight Road")
    assert added.changes["storyline"] == (None, "Two friends drive to the sea.")
    assert await store.entries(GUILD) == [entry]
    assert await store.version(GUILD) == 1


async def test_a_suggestion_is_approved_exactly_once(db: Database, store: ServerCatalogStore) -> None:
    suggestion = await store.submit(GUILD, MEMBER, fields(), now=NOW)
    other = await reconnect(db)
    try:
        other_store = ServerCatalogStore(other, builtin())
        results = await asyncio.gather(
            store.approve(GUILD, suggestion.suggestion_id, CURATOR, now=NOW),
            other_store.approve(GUILD, suggestion.suggestion_id, CURATOR + 1, now=NOW),
            return_exceptions=True,
        )
    finally:
        await other.close()
    errors = [result for result in results if isinstance(result, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], UserError) and "already approved" in str(errors[0])
    assert await counts(db) == {"server_entries": 1, "server_suggestions": 1, "server_entry_history": 1}
    await refused(db, store.approve(GUILD, suggestion.suggestion_id, CURATOR, now=NOW), "already approved")
    await refused(db, store.reject(GUILD, suggestion.suggestion_id, CURATOR, "late", now=NOW), "already approved")


async def test_rejecting_keeps_the_reason(db: Database, store: ServerCatalogStore) -> None:
    suggestion = await store.submit(GUILD, MEMBER, fields(), now=NOW)
    await refused(db, store.reject(GUILD, suggestion.suggestion_id, CURATOR, "   ", now=NOW), "reason")
    await refused(db, store.reject(GUILD, suggestion.suggestion_id, CURATOR, "x" * 501, now=NOW), "500")
    rejected = await store.reject(GUILD, suggestion.suggestion_id, CURATOR, "  Not  official ", now=NOW)
    assert (rejected.status, rejected.reason, rejected.decided_by) == (
        SuggestionStatus.REJECTED,
        "Not official",
        CURATOR,
    )
    await refused(
        db, store.approve(GUILD, suggestion.suggestion_id, CURATOR, now=NOW), "already rejected", "not official"
    )
    await refused(db, store.reject(GUILD, 12345, CURATOR, "why", now=NOW), "no suggestion")


async def test_pending_suggestions_come_in_pages(store: ServerCatalogStore) -> None:
    for number in range(5):
        await store.submit(GUILD, MEMBER + number, fields(title=f"Song {number}"), now=NOW)
    first = await store.pending(GUILD, per_page=2)
    last = await store.pending(GUILD, page=2, per_page=2)
    assert (first.total, first.pages) == (5, 3)
    assert [s.fields["title"] for s in first.items] == ["Song 0", "Song 1"]
    assert [s.fields["title"] for s in last.items] == ["Song 4"]
    await store.set_review_message(GUILD, first.items[0].suggestion_id, 4242)
    assert (await store.suggestion(GUILD, first.items[0].suggestion_id)).review_message_id == 4242  # type: ignore[union-attr]


# -- editing and removing ------------------------------------------------------------------------------------


async def test_an_edit_records_each_changed_field(db: Database, store: ServerCatalogStore) -> None:
    entry = await add_entry(store, album="First", themes=["romance"])
    later = NOW + timedelta(hours=1)
    edited = await store.edit_entry(
        GUILD,
        entry.entry_id,
        CURATOR + 5,
        {"album": None, "themes": ["romance", "drama"], "storyline": "She waits at the station.", "year": 2023},
        now=later,
    )
    assert edited.mv.album is None and edited.mv.themes == ("romance", "drama")
    assert edited.mv.id == entry.mv.id and edited.updated_at == later
    latest, added = await store.history(GUILD, entry.entry_id)
    assert (latest.action, latest.actor_id, latest.at) == (HistoryAction.EDITED, CURATOR + 5, later)
    assert latest.changes == {
        "album": ("First", None),
        "themes": (["romance"], ["romance", "drama"]),
        "storyline": (None, "She waits at the station."),
    }
    assert added.action is HistoryAction.ADDED
    await refused(db, store.edit_entry(GUILD, entry.entry_id, CURATOR, {"year": 2023}, now=later), "changes nothing")
    await refused(db, store.edit_entry(GUILD, entry.entry_id, CURATOR, {"year": None}, now=later), "year")
    await refused(db, store.edit_entry(GUILD, entry.entry_id, CURATOR, {"colour": 1}, now=later), "unknown field")


async def test_an_edit_may_not_make_a_duplicate(db: Database, store: ServerCatalogStore) -> None:
    first = await add_entry(store, title="First")
    second = await add_entry(store, title="Second")
    await refused(db, store.edit_entry(GUILD, second.entry_id, CURATOR, {"title": "first"}, now=NOW), first.mv_id)
    await refused(
        db, store.edit_entry(GUILD, second.entry_id, CURATOR, {"title": "Error", "artist": "VIXX"}, now=NOW), "catalog"
    )
    renamed = await store.edit_entry(GUILD, first.entry_id, CURATOR, {"title": "First!"}, now=NOW)  # itself is fine
    assert renamed.mv.title == "First!"


async def test_removing_keeps_the_history(db: Database, store: ServerCatalogStore) -> None:
    entry = await add_entry(store, title="Gone Soon")
    removed = await store.remove_entry(GUILD, entry.entry_id, CURATOR, now=NOW + timedelta(days=1))
    assert removed == entry
    assert await store.entries(GUILD) == [] and await store.entry(GUILD, entry.entry_id) is None
    latest, _ = await store.history(GUILD, entry.entry_id)
    assert latest.action is HistoryAction.REMOVED and latest.changes["title"] == ("Gone Soon", None)
    await refused(db, store.remove_entry(GUILD, entry.entry_id, CURATOR, now=NOW), "no entry")
    assert await store.version(GUILD) == 2
    await store.submit(GUILD, MEMBER + 1, fields(title="Gone Soon"), now=NOW)  # it may come back


# -- what is stored -------------------------------------------------------------------------------------------


def test_a_stored_entry_reads_back_as_the_validated_mv() -> None:
    rich = fields(
        title_ko="달빛 길",
        group="Skyline",
        release_date="2023-09-01",
        album="Nights",
        cast=[{"name": "Haneul", "role": "a courier"}, {"name": "Dami"}],
        themes=["romance", "mystery"],
        universe="Courier Tales",
        universe_order=1,
        storyline="A courier follows a letter across town.",
        twist="The letter was hers.",
        content_warnings=["car-crash"],
        mature=True,
        aliases=["Moon Road"],
        sources=["https://example.com/moonlight-road"],
        youtube_url="https://youtu.be/DDDDDDDDDDD",
    )
    mv = validate_server_entry(rich)
    stored = to_json(entry_fields(mv))
    read = stored_mv(stored, 7, suggested_by=MEMBER, approved_by=CURATOR)
    assert read == replace(mv, id="s-7", suggested_by=MEMBER, approved_by=CURATOR)
    assert (
        stored_mv(to_json(entry_fields(validate_server_entry(fields()))), 8, suggested_by=None, approved_by=None).year
        == 2023
    )


def test_a_stored_entry_that_no_longer_decodes_goes_through_the_validator() -> None:
    odd = to_json({"title": "  Spaced  ", "artist": "Haneul", "release_date": "2020-02-02"})
    assert stored_mv(odd, 3, suggested_by=None, approved_by=None).year == 2020
    with pytest.raises(ValueError, match="year"):
        stored_mv(to_json({"title": "X", "artist": "Y"}), 4, suggested_by=None, approved_by=None)


async def test_an_entry_broken_in_the_database_is_skipped(db: Database, store: ServerCatalogStore) -> None:
    good = await add_entry(store, title="Fine")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO server_entries (guild_id, entry, title_key, artist_key, created_at, updated_at)"
            " VALUES (?, ?, 'broken', 'broken', 0, 0)",
            (GUILD, '{"title": "Broken"}'),
        )
    assert await store.entries(GUILD) == [good]
