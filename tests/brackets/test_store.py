"""BracketStore on both engines: create, matches, advance exactly once, stop, cancel, due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.brackets import new_bracket, seed
from bot.brackets.store import BracketStatus, BracketStore
from bot.db import Database
from bot.errors import UserError

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(hours=24)
GUILD = 1 << 40


def bracket(count: int = 5):
    return new_bracket("Best MV", seed([f"MV {n}" for n in range(1, count + 1)]))


async def make(store: BracketStore, count: int = 5):
    return await store.create(bracket(count), guild_id=GUILD, channel_id=7, creator_id=9, round_duration=DAY, now=NOW)


async def test_create_reads_back_the_bracket(db: Database) -> None:
    store = BracketStore(db)
    stored = await make(store)
    assert stored.round == 1 and stored.posted_round == 0 and stored.status is BracketStatus.OPEN
    assert stored.bracket == bracket()
    assert stored.round_ends_at == NOW + DAY
    assert (await store.in_guild(GUILD)).bracket_id == stored.bracket_id
    with pytest.raises(UserError):
        await store.in_guild(GUILD + 1)
    with pytest.raises(UserError):
        await store.in_guild(GUILD, stored.bracket_id + 100)


async def test_not_due_until_every_match_is_posted(db: Database) -> None:
    store = BracketStore(db)
    stored = await make(store)
    assert await store.next_round_end() is None
    assert [b.bracket_id for b in await store.unfinished_work()] == [stored.bracket_id]
    for match in stored.bracket.open_matches():
        await store.add_match(stored, 1, match.index, 100 + match.index)
        await store.add_match(stored, 1, match.index, 100 + match.index)  # repeated: harmless
    assert await store.matches(stored, 1) == {m.index: 100 + m.index for m in stored.bracket.open_matches()}
    assert await store.mark_posted(stored.bracket_id, 1)
    assert not await store.mark_posted(stored.bracket_id, 1)
    assert await store.next_round_end() == NOW + DAY
    assert await store.due(NOW) == []
    assert [b.bracket_id for b in await store.due(NOW + DAY)] == [stored.bracket_id]
    assert await store.unfinished_work() == []


async def test_two_stores_racing_to_advance_one_round_only_one_wins(db: Database) -> None:
    first, second = BracketStore(db), BracketStore(db)
    stored = await make(first)
    await first.mark_posted(stored.bracket_id, 1)
    decided = stored.bracket.record_round({m.index: (1, 0) for m in stored.bracket.open_matches()})
    later = NOW + DAY
    results = await asyncio.gather(
        *(store.advance(stored.bracket_id, 1, decided, later) for store in (first, second, first, second))
    )
    assert sorted(results) == [False, False, False, True]
    after = await first.get(stored.bracket_id)
    assert after is not None
    assert after.round == 2 and after.bracket == decided and after.posted_round == 1
    assert after.round_ends_at == later + DAY
    assert not await second.advance(stored.bracket_id, 1, decided, later)  # a stale round read
    # The summary of round 1 is now owed (crash recovery finds it).
    assert [b.bracket_id for b in await first.unfinished_work()] == [stored.bracket_id]
    assert await first.mark_announced(stored.bracket_id, 1)
    assert not await second.mark_announced(stored.bracket_id, 1)


async def test_the_final_finishes_the_bracket(db: Database) -> None:
    store = BracketStore(db)
    stored = await make(store, 2)
    await store.mark_posted(stored.bracket_id, 1)
    decided = stored.bracket.record_round({0: (2, 2)})
    assert await store.advance(stored.bracket_id, 1, decided, NOW)
    after = await store.get(stored.bracket_id)
    assert after is not None and after.status is BracketStatus.FINISHED and after.round_ends_at is None
    assert after.bracket.champion == 1
    assert await store.next_round_end() is None
    assert not await store.cancel(stored.bracket_id, NOW)


async def test_stop_and_cancel_only_open_brackets(db: Database) -> None:
    store = BracketStore(db)
    one, two = await make(store), await make(store)
    assert await store.stop(one.bracket_id, "the match message was deleted", NOW)
    assert not await store.stop(one.bracket_id, "again", NOW)
    stopped = await store.get(one.bracket_id)
    assert stopped is not None and stopped.status is BracketStatus.STOPPED
    assert stopped.stop_reason == "the match message was deleted"
    assert await store.cancel(two.bracket_id, NOW)
    assert not await store.cancel(two.bracket_id, NOW)
    decided = two.bracket.record_round({m.index: (0, 1) for m in two.bracket.open_matches()})
    assert not await store.advance(two.bracket_id, 1, decided, NOW)
    assert await store.unfinished_work() == []
