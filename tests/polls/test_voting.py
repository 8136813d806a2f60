"""PollVoting: the vote ledger, its batched writer and reconciliation, on a real SQLite file."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database, SqliteDatabase
from bot.errors import UserError
from bot.polls.reconcile import ReactionUser
from bot.polls.rules import Poll, VoteAction, Voter, build_poll_spec, option_emoji
from bot.polls.store import EventRow, PollStore, VoteKey, VoteRow
from bot.polls.voting import PollVoting
from tests.polls.factories import CHANNEL, CREATOR, GUILD, MESSAGE, NOW, member, user

EMOJI = option_emoji(4)
ROLE = 77


async def open_poll(store: PollStore, voting: PollVoting, *, message_id: int = MESSAGE, **rules: object) -> Poll:
    spec = build_poll_spec("Best MV?", "Spell | WHIPLASH | Who | Chk Chk Boom", **rules)  # type: ignore[arg-type]
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    return await voting.attach_message(poll, message_id)


@pytest.fixture
def changes() -> list[int]:
    return []


@pytest.fixture
async def voting(store: PollStore, clock: FakeClock, changes: list[int]) -> PollVoting:
    return PollVoting(store, clock, on_change=lambda poll: changes.append(poll.poll_id))


async def test_votes_are_counted_live_and_written(store: PollStore, voting: PollVoting, changes: list[int]) -> None:
    poll = await open_poll(store, voting)
    for n, option in [(1, 0), (2, 0), (3, 2)]:
        outcome = voting.reaction_added(MESSAGE, EMOJI[option], member(n))
        assert outcome is not None and outcome.action is VoteAction.COUNT and outcome.changed
    live = voting.live_results(poll.poll_id)
    assert live is not None and live.turnout == 3 and live.for_option(0).votes == 2
    assert changes == [poll.poll_id] * 3
    await voting.flush()
    assert await store.tally(poll) == live
    assert voting.reaction_added(MESSAGE + 1, EMOJI[0], member(1)) is None  # not a poll


async def test_single_choice_switch_moves_and_our_removal_is_not_a_withdrawal(
    store: PollStore, voting: PollVoting
) -> None:
    poll = await open_poll(store, voting)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    moved = voting.reaction_added(MESSAGE, EMOJI[1], member(1))
    assert moved is not None and moved.action is VoteAction.MOVE and moved.remove_options == (0,)
    # Discord then reports the removal Lightstick asked for.
    echo = voting.reaction_removed(MESSAGE, user(1), EMOJI[0])
    assert echo is not None and echo.action is VoteAction.IGNORE and not echo.changed
    assert voting.counted_for(poll.poll_id, user(1)) == (1,)
    mine = await voting.my_votes(poll, user(1))
    assert mine.counted == (1,)
    assert [e.kind for e in mine.history] == ["moved", "added"]
    assert mine.history[0].from_option == 0


async def test_multi_choice_limit_rejects_and_removes(store: PollStore, voting: PollVoting) -> None:
    poll = await open_poll(store, voting, choices=2)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    voting.reaction_added(MESSAGE, EMOJI[1], member(1))
    third = voting.reaction_added(MESSAGE, EMOJI[2], member(1))
    assert third is not None and third.action is VoteAction.REJECT and third.remove_trigger
    assert voting.reaction_removed(MESSAGE, user(1), EMOJI[2]).action is VoteAction.IGNORE  # type: ignore[union-attr]
    # The member removes one of theirs: now a third pick fits.
    assert voting.reaction_removed(MESSAGE, user(1), EMOJI[0]).action is VoteAction.WITHDRAW  # type: ignore[union-attr]
    assert voting.reaction_added(MESSAGE, EMOJI[2], member(1)).action is VoteAction.COUNT  # type: ignore[union-attr]
    assert voting.counted_for(poll.poll_id, user(1)) == (1, 2)
    mine = await voting.my_votes(poll, user(1))
    assert "already picked 2 options" in str(mine.last_rejection and mine.last_rejection.reason)


async def test_bots_ineligible_members_and_stray_emoji(store: PollStore, voting: PollVoting) -> None:
    poll = await open_poll(store, voting, role_id=ROLE)
    ours = voting.reaction_added(MESSAGE, EMOJI[0], member(99, bot=True))
    assert ours is not None and ours.action is VoteAction.IGNORE and not ours.remove_trigger
    outsider = voting.reaction_added(MESSAGE, EMOJI[0], member(1, roles=frozenset()))
    assert outsider is not None and outsider.action is VoteAction.REJECT and outsider.remove_trigger
    stray = voting.reaction_added(MESSAGE, "👍", member(2, roles=frozenset({ROLE})))
    assert stray is not None and stray.remove_trigger and stray.option is None
    assert voting.live_results(poll.poll_id).turnout == 0  # type: ignore[union-attr]
    mine = await voting.my_votes(poll, user(1))
    assert mine.counted == () and "<@&77> role" in str(mine.last_rejection and mine.last_rejection.reason)


async def test_duplicate_and_out_of_order_events_change_nothing(store: PollStore, voting: PollVoting) -> None:
    poll = await open_poll(store, voting)
    assert voting.reaction_removed(MESSAGE, user(1), EMOJI[0]).action is VoteAction.IGNORE  # type: ignore[union-attr]
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    assert voting.reaction_added(MESSAGE, EMOJI[0], member(1)).action is VoteAction.IGNORE  # type: ignore[union-attr]
    await voting.flush()
    # The same rows written again (e.g. a retried batch) are harmless too.
    await store.write_batch([VoteRow(GUILD, poll.poll_id, user(1), 0, 0, None)], [], [])
    assert (await voting.results(poll)).turnout == 1
    voting.reaction_removed(MESSAGE, user(1), EMOJI[0])
    voting.reaction_removed(MESSAGE, user(1), EMOJI[0])
    assert (await voting.results(poll)).turnout == 0


async def test_a_removal_we_could_not_make_leaves_the_members_removal_to_them(
    store: PollStore, voting: PollVoting
) -> None:
    poll = await open_poll(store, voting)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    voting.reaction_added(MESSAGE, EMOJI[1], member(1))  # MOVE; removing 0 fails (no permission)
    voting.removal_failed(poll.poll_id, user(1), 0)
    voting.reaction_removed(MESSAGE, user(1), EMOJI[1])  # the member withdraws
    assert voting.counted_for(poll.poll_id, user(1)) == ()
    mine = await voting.my_votes(poll, user(1))
    assert [e.kind for e in mine.history] == ["withdrawn", "moved", "added"]


async def test_writer_flushes_on_its_own_within_the_bound(store: PollStore, clock: FakeClock) -> None:
    voting = PollVoting(store, clock, max_delay=0.05)
    poll = await open_poll(store, voting)
    voting.reaction_added(MESSAGE, EMOJI[3], member(1))
    loop = asyncio.get_running_loop()
    started = loop.time()
    while (await store.tally(poll)).turnout == 0 or voting.writer.pending:
        assert loop.time() - started < 2.0, "the vote was never written"
        await asyncio.sleep(0.01)
    assert loop.time() - started < 0.5
    assert voting.writer.flushes == 1
    await voting.aclose()


class FlakyStore(PollStore):
    """Fails the first `failures` batch writes, as a locked or full disk would."""

    def __init__(self, db: Database, failures: int) -> None:
        super().__init__(db)
        self.failures_left = failures

    async def write_batch(
        self, adds: Sequence[VoteRow], removes: Sequence[VoteKey], events: Sequence[EventRow]
    ) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise OSError("disk I/O error")
        await super().write_batch(adds, removes, events)


async def test_a_failed_flush_is_retried_not_dropped(db: Database, clock: FakeClock) -> None:
    store = FlakyStore(db, failures=2)
    voting = PollVoting(store, clock, max_delay=0.02)
    poll = await open_poll(store, voting)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    voting.reaction_added(MESSAGE, EMOJI[1], member(2))
    with pytest.raises(OSError):
        await voting.flush()
    voting.reaction_removed(MESSAGE, user(2), EMOJI[1])  # newer word while the batch waits
    voting.reaction_added(MESSAGE, EMOJI[2], member(3))
    loop = asyncio.get_running_loop()
    started = loop.time()
    while voting.writer.pending:
        assert loop.time() - started < 3.0
        await asyncio.sleep(0.01)
    assert voting.writer.failures == 1  # one background failure, then success
    assert await store.counted_votes(poll) == {user(1): [0], user(3): [2]}
    await voting.aclose()


async def test_restart_loads_the_same_ledger(store: PollStore, voting: PollVoting, clock: FakeClock) -> None:
    poll = await open_poll(store, voting, choices=2)
    for n, option in [(1, 0), (1, 3), (2, 1)]:
        voting.reaction_added(MESSAGE, EMOJI[option], member(n))
    await voting.aclose()
    again = PollVoting(store, clock)
    assert [p.poll_id for p in await again.load()] == [poll.poll_id]
    assert again.counted_for(poll.poll_id, user(1)) == (0, 3)
    assert again.live_results(poll.poll_id) == voting.live_results(poll.poll_id)
    assert again.poll_for_message(MESSAGE) == poll


def reactions_of(model: Mapping[int, set[int]], bots: Sequence[int] = ()) -> dict[int, list[ReactionUser]]:
    by_option: dict[int, list[ReactionUser]] = {option: [ReactionUser(b, True) for b in bots] for option in range(4)}
    for user_id, options in model.items():
        for option in options:
            by_option[option].append(ReactionUser(user_id, False))
    return {option: sorted(users) for option, users in by_option.items()}


async def test_reconcile_counts_offline_votes_and_withdraws_gone_ones(
    store: PollStore, voting: PollVoting, changes: list[int]
) -> None:
    poll = await open_poll(store, voting)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    voting.reaction_added(MESSAGE, EMOJI[1], member(2))
    changes.clear()

    async def read() -> dict[int, list[ReactionUser]]:
        return reactions_of({user(1): {0, 2}, user(3): {3}}, bots=[user(99)])

    report = await voting.reconcile(poll.poll_id, read)
    assert report is not None
    assert report.plan.add == ((user(3), 3),)
    assert report.plan.withdraw == ((user(2), 1),)
    assert report.remove_reactions == ((user(1), 2),)  # the counted vote stands
    assert report.member_lookups == 0 and changes == [poll.poll_id]
    assert await store.counted_votes(poll) == {user(1): [0], user(3): [3]}  # already written
    # The removal Lightstick then makes is not mistaken for the member withdrawing.
    assert voting.reaction_removed(MESSAGE, user(1), EMOJI[2]).action is VoteAction.IGNORE  # type: ignore[union-attr]
    again = await voting.reconcile(poll.poll_id, read)
    assert again is not None and again.plan.add == () and again.plan.withdraw == ()


async def test_reconcile_looks_up_only_members_whose_rules_matter(store: PollStore, voting: PollVoting) -> None:
    poll = await open_poll(store, voting, role_id=ROLE, min_member_age_days=7)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1, roles=frozenset({ROLE})))
    asked: list[int] = []

    async def read() -> dict[int, list[ReactionUser]]:
        return reactions_of({user(1): {0, 1}, user(2): {2}, user(3): {3}, user(4): {1}})

    async def lookup(user_id: int) -> Voter | None:
        asked.append(user_id)
        return {
            user(2): member(2, roles=frozenset({ROLE})),
            user(3): member(3, roles=frozenset({ROLE}), joined_days_ago=1),
        }.get(user_id)

    report = await voting.reconcile(poll.poll_id, read, lookup)
    assert report is not None
    assert asked == [user(2), user(3), user(4)]  # user(1) is at the limit: no call needed
    assert report.plan.add == ((user(2), 2),)
    assert set(report.remove_reactions) == {(user(1), 1), (user(3), 3), (user(4), 1)}
    mine = await voting.my_votes(poll, user(3))
    assert "joined this server 1 day ago" in str(mine.last_rejection and mine.last_rejection.reason)


async def test_live_events_during_reconciliation_win(store: PollStore, voting: PollVoting) -> None:
    poll = await open_poll(store, voting)

    async def read() -> dict[int, list[ReactionUser]]:
        snapshot = reactions_of({user(1): {0}})  # read before user(1) switched and user(2) voted
        voting.reaction_added(MESSAGE, EMOJI[1], member(1))
        voting.reaction_added(MESSAGE, EMOJI[2], member(2))
        return snapshot

    report = await voting.reconcile(poll.poll_id, read)
    assert report is not None and report.plan.withdraw == ()
    assert set(report.plan.skipped_users) == {user(1), user(2)}
    assert voting.counted_for(poll.poll_id, user(1)) == (1,)
    assert voting.counted_for(poll.poll_id, user(2)) == (2,)


async def test_close_writes_everything_and_closes_exactly_once(store: PollStore, voting: PollVoting) -> None:
    poll = await open_poll(store, voting)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    assert sorted(await asyncio.gather(voting.close(poll.poll_id), voting.close(poll.poll_id))) == [False, True]
    assert voting.reaction_added(MESSAGE, EMOJI[1], member(2)) is None  # no longer counting
    closed = await store.get(poll.poll_id)
    assert closed is not None and not closed.is_open
    results = await voting.results(closed)
    assert results.turnout == 1 and results.final


async def test_votes_after_the_deadline_wait_for_the_scheduler(
    store: PollStore, voting: PollVoting, clock: FakeClock
) -> None:
    poll = await open_poll(store, voting, duration="1h")
    await clock.advance(timedelta(hours=1))
    late = voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    assert late is not None and late.action is VoteAction.REJECT and not late.remove_trigger
    assert [p.poll_id for p in await store.due_polls(clock.now())] == [poll.poll_id]
    assert await voting.close(poll.poll_id, missing=True)
    gone = await store.get(poll.poll_id)
    assert gone is not None and gone.status.value == "closed_missing"


async def test_extend_moves_the_deadline_in_the_ledger(
    store: PollStore, voting: PollVoting, clock: FakeClock, changes: list[int]
) -> None:
    poll = await open_poll(store, voting, duration="1h")
    extended = await voting.extend(poll, timedelta(hours=2))
    assert extended.closes_at == NOW + timedelta(hours=3)
    assert await store.next_close_at() == NOW + timedelta(hours=3)
    assert changes == [poll.poll_id]  # the message shows the new deadline
    await clock.advance(timedelta(hours=2))
    assert voting.reaction_added(MESSAGE, EMOJI[0], member(1)).action is VoteAction.COUNT  # type: ignore[union-attr]
    with pytest.raises(UserError, match="90 days"):
        await voting.extend(extended, timedelta(days=90))


async def test_reactions_cleared_withdraws(store: PollStore, voting: PollVoting) -> None:
    poll = await open_poll(store, voting, choices=2)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    voting.reaction_added(MESSAGE, EMOJI[1], member(1))
    voting.reaction_added(MESSAGE, EMOJI[1], member(2))
    assert voting.reactions_cleared(MESSAGE, EMOJI[1])
    assert voting.counted_for(poll.poll_id, user(1)) == (0,)
    assert voting.reactions_cleared(MESSAGE)
    assert (await voting.results(poll)).turnout == 0
    assert not voting.reactions_cleared(MESSAGE)


# -- a storm of votes against a model of Discord, with a crash and offline changes ---------------

# (user 0..4, option 0..3, add?, delivered twice?) or ("flush",) ; user 4 lacks the role.
_op = st.one_of(
    st.tuples(st.integers(0, 4), st.integers(0, 3), st.booleans(), st.booleans()),
    st.just(("flush",)),
)


def _voter(n: int) -> Voter:
    return member(n, roles=frozenset({ROLE}) if n != 4 else frozenset())


async def _storm(
    directory: Path, ops: list[tuple], choices: int, crash_at: int, restart_at: int, can_remove: bool
) -> None:
    db = SqliteDatabase(directory / "t.db")
    await db.connect()
    await db.migrate()
    store, clock = PollStore(db), FakeClock(NOW)
    voting = PollVoting(store, clock, max_delay=3600)  # writes only when flushed: a crash loses them
    poll = await open_poll(store, voting, choices=choices, role_id=ROLE)
    model: dict[int, set[int]] = {user(n): set() for n in range(5)}

    def remove_for(voting: PollVoting, user_id: int, options: Sequence[int]) -> None:
        for option in options:
            if can_remove:
                model[user_id].discard(option)
                voting.reaction_removed(MESSAGE, user_id, EMOJI[option])
            else:
                voting.removal_failed(poll.poll_id, user_id, option)

    async def read() -> dict[int, list[ReactionUser]]:
        return reactions_of(model)

    async def lookup(user_id: int) -> Voter | None:
        return _voter(user_id - user(0))

    down = False
    killed: list[PollVoting] = []

    async def restarted(old: PollVoting) -> PollVoting:
        """A new process after `old` was killed: load, reconcile, remove what breaks the rules."""
        killed.append(old)  # keep its idle writer task referenced until the loop ends
        fresh = PollVoting(store, clock, max_delay=3600)
        await fresh.load()
        report = await fresh.reconcile(poll.poll_id, read, lookup)
        assert report is not None
        for user_id, option in report.remove_reactions:
            remove_for(fresh, user_id, [option])
        return fresh

    for index, op in enumerate(ops):
        if index == crash_at:
            down = True  # killed: queued writes are lost, events are missed
        if index == restart_at and down:
            down = False
            voting = await restarted(voting)
        if op == ("flush",):
            if not down:
                await voting.flush()
            continue
        n, option, add, twice = op
        user_id = user(n)
        if add == (option in model[user_id]):
            continue  # Discord sends no event for a reaction that is already there (or not)
        (model[user_id].add if add else model[user_id].discard)(option)
        if down:
            continue
        for _ in range(2 if twice else 1):  # a duplicate event comes right after the first
            if add:
                outcome = voting.reaction_added(MESSAGE, EMOJI[option], _voter(n))
            else:
                outcome = voting.reaction_removed(MESSAGE, user_id, EMOJI[option])
            assert outcome is not None
            trigger = [option] if outcome.remove_trigger else []
            remove_for(voting, user_id, [*outcome.remove_options, *trigger])

    if down:  # start again after the storm
        voting = await restarted(voting)

    for n in range(5):
        counted = set(voting.counted_for(poll.poll_id, user(n)))
        assert len(counted) <= choices
        assert counted <= model[user(n)]
        if can_remove:  # the tallies equal the reactions that follow the rules
            assert counted == model[user(n)]
        if n == 4:
            assert not counted
    await voting.flush()
    ledger = {user(n): list(voting.counted_for(poll.poll_id, user(n))) for n in range(5)}
    assert await store.counted_votes(poll) == {u: o for u, o in ledger.items() if o}
    fresh = PollVoting(store, clock)
    await fresh.load()
    assert fresh.live_results(poll.poll_id) == voting.live_results(poll.poll_id)
    settled = await fresh.reconcile(poll.poll_id, read, lookup)
    assert settled is not None
    if can_remove:
        assert settled.plan.is_empty
    else:  # without Manage Messages the state still settles after one pass
        again = await fresh.reconcile(poll.poll_id, read, lookup)
        assert again is not None and again.plan.add == () and again.plan.withdraw == ()
    await fresh.aclose()
    await db.close()


@settings(max_examples=40, deadline=None)
@given(
    ops=st.lists(_op, max_size=60),
    choices=st.integers(1, 3),
    crash_at=st.integers(0, 70),
    restart_at=st.integers(0, 70),
    can_remove=st.booleans(),
)
def test_vote_storm_with_a_crash_ends_with_tallies_equal_to_the_rule_following_reactions(
    ops: list[tuple], choices: int, crash_at: int, restart_at: int, can_remove: bool
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(_storm(Path(directory), ops, choices, crash_at, restart_at, can_remove))
