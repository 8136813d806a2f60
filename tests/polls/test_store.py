"""PollStore against a real SQLite file with every migration applied."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import to_unix
from bot.db import Database
from bot.errors import UserError
from bot.polls.rules import Poll, PollStatus, build_poll_spec, spec_again
from bot.polls.store import EventRow, PollStore, VoteKey, VoteRow
from bot.sharding import GuildOwnership
from tests.polls.factories import (
    CHANNEL,
    CREATOR,
    GUILD,
    NOW,
    SEED_OPTIONS,
    snowflake_at,
    user,
)
from tests.support.databases import INTEGRITY_ERRORS, index_leading_columns, reconnect, table_columns, table_names

T = to_unix(NOW)


async def create_poll(
    store: PollStore, *, guild_id: int = GUILD, question: str = "Best MV of 2024?", **rules: object
) -> Poll:
    spec = build_poll_spec(question, " | ".join(SEED_OPTIONS), **rules)  # type: ignore[arg-type]
    poll = await store.create(spec, guild_id=guild_id, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    return await store.attach_message(poll.poll_id, 900_000 + poll.poll_id)


def vote(poll: Poll, user_id: int, option: int, at: int = T, joined: int | None = None) -> VoteRow:
    return VoteRow(poll.guild_id, poll.poll_id, user_id, option, at, joined)


async def test_schema_keeps_guild_id_on_every_table_and_in_front_of_indexes(db: Database) -> None:
    tables = {name for name in await table_names(db) if name.startswith("poll")}
    assert tables == {"polls", "poll_votes", "poll_vote_events"}
    for table in tables:
        assert "guild_id" in await table_columns(db, table)
        indexes = await index_leading_columns(db, table)
        assert indexes, table
        for index, first in indexes.items():
            if index != "polls_open_by_deadline":  # the scheduler's global index
                assert first == "guild_id", index


async def test_create_attach_get_and_list(store: PollStore) -> None:
    poll = await create_poll(store, duration="2d", choices=2, hide_results=True, role_id=5)
    assert poll.poll_id > 0 and poll.message_id == 900_000 + poll.poll_id
    assert poll.options == SEED_OPTIONS and poll.choices == 2 and poll.hide_results
    assert poll.created_at == NOW and poll.closes_at == NOW + timedelta(days=2)
    assert poll.status is PollStatus.OPEN
    assert await store.get(poll.poll_id) == poll
    assert await store.list_open(GUILD) == [poll]
    assert await store.list_open(GUILD + 1) == []
    assert await store.open_polls() == [poll]


async def test_resolve_is_guild_scoped(store: PollStore) -> None:
    poll = await create_poll(store)
    assert (await store.resolve(GUILD, f"#{poll.poll_id}")).poll_id == poll.poll_id
    with pytest.raises(UserError, match=f"no poll #{poll.poll_id} in this server"):
        await store.resolve(GUILD + 1, str(poll.poll_id))


async def test_search_for_autocomplete(store: PollStore) -> None:
    first = await create_poll(store, question="하루하루 or 거짓말?")
    second = await create_poll(store, question="Best MV of 2024?")
    await create_poll(store, guild_id=GUILD + 1, question="Best MV elsewhere")
    assert [s.poll_id for s in await store.search(GUILD, "")] == [second.poll_id, first.poll_id]
    assert [s.poll_id for s in await store.search(GUILD, "하루")] == [first.poll_id]
    assert [s.poll_id for s in await store.search(GUILD, f"#{first.poll_id}")] == [first.poll_id]
    assert await store.search(GUILD, "100%") == []  # LIKE wildcards are literal
    await store.close(second.poll_id, NOW)
    assert [s.poll_id for s in await store.search(GUILD, "")] == [first.poll_id, second.poll_id]


async def test_close_exactly_once_even_when_two_callers_race(store: PollStore) -> None:
    poll = await create_poll(store)
    results = await asyncio.gather(store.close(poll.poll_id, NOW), store.close(poll.poll_id, NOW, missing=True))
    assert sorted(results) == [False, True]
    closed = await store.get(poll.poll_id)
    assert closed is not None and not closed.is_open and closed.closed_at == NOW
    assert not await store.close(poll.poll_id, NOW)


async def test_two_processes_racing_to_close_many_polls_close_each_once(store: PollStore) -> None:
    """Two connections (two processes) close the same due polls at once: one winner each."""
    polls = [await create_poll(store, question=f"Q{n}?") for n in range(10)]
    other_db = await reconnect(store.db)
    try:
        other = PollStore(other_db)
        outcomes = await asyncio.gather(
            *(s.close(poll.poll_id, NOW) for poll in polls for s in (store, other)),
        )
        assert outcomes.count(True) == len(polls)
        assert [outcomes[2 * i] or outcomes[2 * i + 1] for i in range(len(polls))] == [True] * len(polls)
    finally:
        await other_db.close()


async def test_ownership_limits_what_the_closer_sees(store: PollStore) -> None:
    mine, theirs = (3 << 22) | 1, (2 << 22) | 1  # shards 1 and 0 of 2
    for guild_id in (mine, theirs):
        await create_poll(store, guild_id=guild_id, duration="1h")
    owned = PollStore(store.db, owner=GuildOwnership(2, (1,)))
    assert [poll.guild_id for poll in await owned.open_polls()] == [mine]
    assert [poll.guild_id for poll in await owned.due_polls(NOW + timedelta(hours=2))] == [mine]
    assert {poll.guild_id for poll in await store.open_polls()} == {mine, theirs}


async def test_closed_missing_keeps_votes(store: PollStore) -> None:
    poll = await create_poll(store)
    await store.write_batch([vote(poll, user(1), 0)], [], [])
    assert await store.close(poll.poll_id, NOW, missing=True)
    closed = await store.get(poll.poll_id)
    assert closed is not None and closed.status is PollStatus.CLOSED_MISSING
    assert (await store.tally(closed)).turnout == 1
    assert await store.unannounced() == []  # a deleted message gets no results post


async def test_scheduler_queries_and_extend(store: PollStore) -> None:
    assert await store.next_close_at() is None
    soon = await create_poll(store, duration="1h")
    later = await create_poll(store, duration="2h")
    assert await store.next_close_at() == NOW + timedelta(hours=1)
    assert await store.due_polls(NOW) == []
    assert [p.poll_id for p in await store.due_polls(NOW + timedelta(hours=1))] == [soon.poll_id]
    assert await store.extend(soon.poll_id, NOW + timedelta(hours=3))
    assert await store.next_close_at() == NOW + timedelta(hours=2)
    await store.close(later.poll_id, NOW)
    assert not await store.extend(later.poll_id, NOW + timedelta(hours=5))
    assert [p.poll_id for p in await store.unannounced()] == [later.poll_id]
    await store.set_results_message(later.poll_id, 77)
    assert await store.unannounced() == []


async def test_a_quiet_poll_closes_without_results_and_stays_quiet(store: PollStore) -> None:
    """Quiet from its first write: closed by anyone it waits only for its final counts to be
    shown (recorded as its own message), and a reopen keeps it quiet; a loud poll stays loud."""
    spec = replace(build_poll_spec("Match 1: A vs B", "A | B", "1h"), quiet=True)
    created = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    assert created.quiet and created.results_message_id is None
    quiet = await store.attach_message(created.poll_id, 900_001)
    loud = await create_poll(store, duration="1h")
    assert quiet.quiet and not loud.quiet
    for poll in (quiet, loud):
        assert await store.close(poll.poll_id, NOW + timedelta(hours=1))
    unannounced = {p.poll_id: p for p in await store.unannounced()}
    assert set(unannounced) == {quiet.poll_id, loud.poll_id} and unannounced[quiet.poll_id].quiet
    await store.set_results_message(quiet.poll_id, 900_001)  # its final counts are shown
    assert [p.poll_id for p in await store.unannounced()] == [loud.poll_id]
    shown = await store.get(quiet.poll_id)
    assert shown is not None and shown.quiet and shown.results_message_id == 900_001
    await store.set_results_message(loud.poll_id, 77)
    for poll in (quiet, loud):
        assert await store.reopen(poll.poll_id, NOW + timedelta(hours=3))
    again = {poll.poll_id: await store.get(poll.poll_id) for poll in (quiet, loud)}
    assert again[quiet.poll_id].quiet and again[quiet.poll_id].results_message_id is None  # type: ignore[union-attr]
    assert not again[loud.poll_id].quiet and again[loud.poll_id].results_message_id is None  # type: ignore[union-attr]
    assert not spec_again(shown).quiet  # posted anew it stands alone


async def test_discard_unposted(store: PollStore) -> None:
    spec = build_poll_spec("Best?", "A | B")
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    assert await store.discard_unposted(poll.poll_id)
    assert await store.get(poll.poll_id) is None
    posted = await create_poll(store)
    assert not await store.discard_unposted(posted.poll_id)


async def test_write_batch_is_idempotent_and_tally_counts(store: PollStore) -> None:
    poll = await create_poll(store, choices=2)
    rows = [vote(poll, user(1), 0), vote(poll, user(1), 2), vote(poll, user(2), 0), vote(poll, user(3), 4)]
    await store.write_batch(rows, [], [])
    await store.write_batch(rows, [], [])  # a repeated batch changes nothing
    await store.write_batch([], [VoteKey(GUILD, poll.poll_id, user(3), 4)] * 2, [])
    results = await store.tally(poll)
    assert results.turnout == 2 and results.total_votes == 3
    assert results.for_option(0).votes == 2 and results.winners == (0,)
    assert results.for_option(0).percent == 100.0
    assert await store.counted_votes(poll) == {user(1): [0, 2], user(2): [0]}
    assert [(r.user_id, r.option) for r in await store.voter_rows(poll)] == [(user(1), 0), (user(1), 2), (user(2), 0)]


async def test_my_votes_and_audit(store: PollStore) -> None:
    poll = await create_poll(store)
    young = snowflake_at(NOW - timedelta(days=2))
    late_joined = T + 3600  # joined an hour after the poll started
    await store.write_batch(
        [
            vote(poll, user(1), 0, joined=T - 86400 * 100),
            vote(poll, young, 1),
            vote(poll, user(2), 2, joined=late_joined),
        ],
        [],
        [
            EventRow(GUILD, poll.poll_id, user(1), "rejected", 3, None, "bots don't vote", "member", T),
            *[EventRow(GUILD, poll.poll_id, user(2), "moved", 2, 1, None, "member", T + i) for i in range(3)],
            EventRow(GUILD, poll.poll_id, user(1), "withdrawn", 0, None, None, "lightstick", T),
            EventRow(GUILD, poll.poll_id, user(1), "withdrawn", 0, None, None, "offline", T),
            EventRow(GUILD, poll.poll_id, user(1), "withdrawn", 0, None, None, "member", T),
        ],
    )
    mine = await store.my_votes(poll, user(1))
    assert mine.counted == (0,)
    assert mine.last_rejection is not None and mine.last_rejection.reason == "bots don't vote"
    assert [e.kind for e in mine.history][:1] == ["withdrawn"]  # newest first

    report = await store.audit(poll, young_account_days=30, min_switches=3)
    assert [e.user_id for e in report.young_accounts] == [young]
    assert report.young_accounts_total == 1
    assert [(e.user_id, e.joined_at) for e in report.late_joiners] == [(user(2), NOW + timedelta(hours=1))]
    # Only the member's own switches count, not removals by Lightstick or while away.
    assert [(e.user_id, e.switches) for e in report.switchers] == [(user(2), 3)]
    assert report.switchers_total == 1


async def test_votes_of_another_poll_cannot_claim_a_wrong_guild(store: PollStore) -> None:
    poll = await create_poll(store)
    with pytest.raises(INTEGRITY_ERRORS, match=r"(?i)foreign key"):
        await store.write_batch([VoteRow(GUILD + 1, poll.poll_id, user(1), 0, T, None)], [], [])
    assert (await store.tally(poll)).turnout == 0


async def test_a_scheduled_poll_is_claimed_once_under_a_race_and_never_closed_early(store: PollStore) -> None:
    spec = build_poll_spec("Later?", "A | B", duration="1h")
    starts = NOW + timedelta(hours=2)
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW, starts_at=starts)
    assert poll.is_scheduled and poll.closes_at == starts + timedelta(hours=1)
    assert [p.poll_id for p in await store.list_scheduled(GUILD)] == [poll.poll_id]
    assert await store.list_open(GUILD) == []
    assert await store.next_close_at() is None and await store.due_polls(NOW + timedelta(days=1)) == []
    assert await store.next_start_at() == starts
    assert await store.due_starts(NOW) == []
    late = starts + timedelta(minutes=30)  # posted late: keeps its full hour
    other_db = await reconnect(store.db)
    try:
        other = PollStore(other_db)
        due = await store.due_starts(late)
        claims = await asyncio.gather(store.claim_start(due[0], late), other.claim_start(due[0], late))
    finally:
        await other_db.close()
    winners = [claim for claim in claims if claim is not None]
    assert len(winners) == 1 and winners[0].closes_at == late + timedelta(hours=1)
    assert await store.next_start_at() is None and await store.due_starts(late) == []
    assert [(p.poll_id, at) for p, at in await store.claimed_unposted()] == [(poll.poll_id, late)]
    assert not await store.cancel(poll.poll_id, late)  # claimed: being posted
    await store.attach_message(poll.poll_id, 4242)
    assert await store.claimed_unposted() == [] and await store.list_scheduled(GUILD) == []


async def test_cancel_a_scheduled_poll(store: PollStore) -> None:
    spec = build_poll_spec("Later?", "A | B")
    starts = NOW + timedelta(hours=2)
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW, starts_at=starts)
    assert await store.cancel(poll.poll_id, NOW)
    assert not await store.cancel(poll.poll_id, NOW)
    cancelled = await store.get(poll.poll_id)
    assert cancelled is not None and cancelled.cancelled_at == NOW and not cancelled.is_scheduled
    assert await store.next_start_at() is None and await store.list_scheduled(GUILD) == []
    assert await store.unannounced() == []  # no results for a poll never posted
    posted = await create_poll(store)
    assert not await store.cancel(posted.poll_id, NOW)
