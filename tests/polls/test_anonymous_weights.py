"""Anonymous polls, role weights, reopen and again: rules (pure), the ledger and the store
(on SQLite and on PostgreSQL, through the suite's `db` fixture), and the removal pacer."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from bot.clock import FakeClock, to_unix
from bot.db import Database
from bot.errors import UserError
from bot.polls.pacing import Pacer
from bot.polls.reconcile import ANONYMOUS_SEVERAL_REASON, ReactionUser, plan_reconciliation, users_needing_lookup
from bot.polls.render import audit_text, export_csv, footer_text, my_votes_text, results_summary, rules_line
from bot.polls.rules import (
    Poll,
    PollStatus,
    VoteAction,
    Voter,
    build_poll_spec,
    decide_reaction_add,
    decide_reaction_remove,
    option_emoji,
    parse_weights,
    reopened_deadline,
    resolve_weights,
    spec_again,
    voter_weight,
)
from bot.polls.store import EventRow, PollStore, VoteKey, VoteRow
from bot.polls.voting import PollVoting
from tests.polls.factories import CHANNEL, CREATOR, GUILD, MESSAGE, NOW, make_poll, member, snowflake_at, user
from tests.support.databases import table_columns

EMOJI = option_emoji(4)
T = to_unix(NOW)
MODS, MEMBERS, VIPS = 501, 502, 503
ROLES = {MODS: "Mods", MEMBERS: "Members", VIPS: "VIP Fans", GUILD: "@everyone"}


def with_rules(poll: Poll, **changes: object) -> Poll:
    from dataclasses import replace

    return replace(poll, **changes)  # type: ignore[arg-type]


# -- weights: parsing and resolving ---------------------------------------------------------


def test_weights_parse_mentions_and_names() -> None:
    entries = parse_weights(f"<@&{MODS}>=3, @Members = 2; @VIP Fans=100\n<@&{VIPS}>=1")
    assert [(e.role_id, e.role_name, e.weight) for e in entries] == [
        (MODS, None, 3), (None, "Members", 2), (None, "VIP Fans", 100), (VIPS, None, 1),
    ]  # fmt: skip
    assert parse_weights("") == () and parse_weights(None) == ()
    assert resolve_weights(parse_weights("@mods=3, @Members=2"), ROLES, GUILD) == ((MODS, 3), (MEMBERS, 2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Mods=0", "weights must be from 1 to 100"),
        ("@Mods=-2", "weights must be from 1 to 100"),
        ("@Mods=101", "weights must be from 1 to 100"),
        ("@Mods=1.5", "a weight is a whole number"),
        ("@Mods=three", "a weight is a whole number"),
        ("@Mods", "can't read the weight"),
        ("=3", "can't read the weight"),
        ("@=3", "can't read the weight"),
        (", ".join(f"<@&{i}>=2" for i in range(1, 27)), "at most 25 roles"),
    ],
)
def test_bad_weights_are_refused_when_parsed(text: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected):
        parse_weights(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Nobody=3", "There is no role named @Nobody"),
        ("<@&999>=3", "There is no role <@&999>"),
        ("@everyone=2", "@everyone can't have a weight"),
        (f"<@&{GUILD}>=2", "@everyone can't have a weight"),
        (f"@Mods=3, <@&{MODS}>=2", "is given a weight twice"),
    ],
)
def test_unknown_roles_and_repeats_are_refused_when_resolved(text: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected):
        resolve_weights(parse_weights(text), ROLES, GUILD)


def test_a_name_two_roles_share_must_be_mentioned() -> None:
    roles = {**ROLES, 504: "mods"}
    assert resolve_weights(parse_weights("@Mods=2"), roles, GUILD) == ((MODS, 2),)  # the exact name wins
    with pytest.raises(UserError, match="Several roles are called @MODS"):
        resolve_weights(parse_weights("@MODS=2"), roles, GUILD)


def test_a_voter_weighs_the_highest_of_their_roles_and_the_rest_weigh_one() -> None:
    poll = make_poll(weights=((MODS, 3), (MEMBERS, 2)))
    assert voter_weight(poll, member(1, roles=frozenset({MODS, MEMBERS}))) == 3
    assert voter_weight(poll, member(1, roles=frozenset({MEMBERS, VIPS}))) == 2
    assert voter_weight(poll, member(1, roles=frozenset({VIPS}))) == 1
    assert voter_weight(make_poll(), member(1, roles=frozenset({MODS}))) == 1
    assert poll.needs_member_lookup and not make_poll().needs_member_lookup
    unknown = Voter(user(1))  # no member object: its roles can't be checked
    assert decide_reaction_add(poll, (), 0, unknown, NOW).reason == "Lightstick couldn't check your roles"
    counted = decide_reaction_add(poll, (), 0, member(1, roles=frozenset({MODS, MEMBERS})), NOW)
    assert counted.action is VoteAction.COUNT and counted.weight == 3


def test_spec_checks_weights_and_again_copies_every_rule() -> None:
    with pytest.raises(UserError, match="weights must be from 1 to 100"):
        build_poll_spec("Best?", "A | B", weights=[(MODS, 0)])
    poll = make_poll(
        3, choices=2, role_id=MEMBERS, min_account_age_days=3, min_member_age_days=2, hide_results=True,
        anonymous=True, weights=((MODS, 3),), duration=timedelta(days=2), status=PollStatus.CLOSED,
    )  # fmt: skip
    spec = spec_again(poll)
    assert (spec.question, spec.options, spec.choices, spec.role_id, spec.hide_results) == (
        poll.question, poll.options, 2, MEMBERS, True,
    )  # fmt: skip
    assert spec.anonymous and spec.weights == ((MODS, 3),) and spec.duration == timedelta(days=2)
    assert (spec.min_account_age_days, spec.min_member_age_days) == (3, 2)
    assert spec_again(with_rules(poll, closes_at=poll.created_at + timedelta(days=200))).duration == timedelta(days=90)


def test_only_a_closed_poll_with_its_message_can_reopen() -> None:
    closed = make_poll(status=PollStatus.CLOSED)
    assert reopened_deadline(closed, timedelta(hours=2), NOW) == NOW + timedelta(hours=2)
    with pytest.raises(UserError, match="still open"):
        reopened_deadline(make_poll(), timedelta(hours=2), NOW)
    with pytest.raises(UserError, match="`/poll again` posts it anew"):
        reopened_deadline(make_poll(status=PollStatus.CLOSED_MISSING), timedelta(hours=2), NOW)
    with pytest.raises(UserError, match="at most 90 days"):
        reopened_deadline(closed, timedelta(days=91), NOW)


# -- anonymous: rules ------------------------------------------------------------------------


def test_anonymous_rules_remove_every_members_reaction_and_a_second_reaction_takes_the_vote_back() -> None:
    single = make_poll(anonymous=True)
    first = decide_reaction_add(single, (), 0, member(1), NOW)
    assert first.action is VoteAction.COUNT and first.remove_trigger
    moved = decide_reaction_add(single, (0,), 1, member(1), NOW)
    assert moved.action is VoteAction.MOVE and moved.remove_trigger and moved.remove_options == ()
    again = decide_reaction_add(single, (1,), 1, member(1), NOW)
    assert again.action is VoteAction.WITHDRAW and again.withdrawn == (1,) and again.remove_trigger
    assert decide_reaction_add(single, (), 0, member(99, bot=True), NOW).action is VoteAction.IGNORE
    assert decide_reaction_remove(single, (0,), 0, NOW).action is VoteAction.IGNORE  # removals never withdraw

    double = make_poll(anonymous=True, choices=2)
    full = decide_reaction_add(double, (0, 1), 2, member(1), NOW)
    assert full.action is VoteAction.REJECT and full.remove_trigger
    assert "react on one of your options again to take it back" in (full.reason or "")


def reacted(**by_option: list[int]) -> dict[int, list[ReactionUser]]:
    return {int(name[1:]): [ReactionUser(uid, False) for uid in users] for name, users in by_option.items()}


def test_anonymous_reconciliation_counts_what_it_finds_and_removes_it_all() -> None:
    a, b, c, d = user(1), user(2), user(3), user(4)
    single = make_poll(3, anonymous=True)
    plan = plan_reconciliation(
        single, {a: [0], b: [1], d: [2]}, reacted(o0=[c], o1=[a, b, c], o2=[c]), NOW
    )  # a moves 0 → 1; b's reaction on the counted 1 changes nothing; c picks several: the lowest
    assert plan.add == ((a, 1), (c, 0))
    assert plan.withdraw == ((a, 0),)  # never for want of a reaction: d's vote stands
    assert plan.remove_reactions == ((a, 1), (b, 1), (c, 0), (c, 1), (c, 2))
    assert [(r.user_id, r.option, r.reason) for r in plan.rejected] == [
        (c, 1, ANONYMOUS_SEVERAL_REASON), (c, 2, ANONYMOUS_SEVERAL_REASON),
    ]  # fmt: skip

    double = make_poll(3, anonymous=True, choices=2)
    plan = plan_reconciliation(double, {a: [0]}, reacted(o1=[a], o2=[a, b]), NOW)
    assert plan.add == ((a, 1), (b, 2)) and plan.withdraw == ()
    assert "allows 2 options" in plan.rejected[0].reason and plan.rejected[0].option == 2

    weighted = make_poll(3, anonymous=True, weights=((MODS, 2),))
    assert users_needing_lookup(weighted, {a: [0]}, reacted(o0=[a], o1=[a, b])) == [a, b]
    skipped = plan_reconciliation(weighted, {}, reacted(o1=[b]), NOW, voters={})
    assert skipped.skipped_users == (b,) and skipped.remove_reactions == ()  # judged once it can be


# -- the ledger and the store ------------------------------------------------------------------


async def open_poll(store: PollStore, voting: PollVoting, *, message_id: int = MESSAGE, **rules: object) -> Poll:
    spec = build_poll_spec("Best MV?", "Spell | WHIPLASH | Who | Chk Chk Boom", **rules)  # type: ignore[arg-type]
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    return await voting.attach_message(poll, message_id)


@pytest.fixture
async def voting(store: PollStore, clock: FakeClock) -> PollVoting:
    return PollVoting(store, clock)


async def test_schema_has_the_new_columns(db: Database) -> None:
    assert {"anonymous", "weights"} <= set(await table_columns(db, "polls"))
    assert "weight" in await table_columns(db, "poll_votes")


async def test_anonymous_ledger_counts_each_reaction_once_and_ignores_removals(
    store: PollStore, voting: PollVoting
) -> None:
    poll = await open_poll(store, voting, anonymous=True)
    counted = voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    assert counted is not None and counted.action is VoteAction.COUNT and counted.remove_trigger
    # The same event again before Discord reports the removal: the same reaction, not a toggle.
    repeat = voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    assert repeat is not None and repeat.action is VoteAction.IGNORE and not repeat.remove_trigger
    assert voting.reaction_removed(MESSAGE, user(1), EMOJI[0]).action is VoteAction.IGNORE  # type: ignore[union-attr]
    assert voting.counted_for(poll.poll_id, user(1)) == (0,)
    # A member who removes a reaction before Lightstick does withdraws nothing either.
    voting.reaction_added(MESSAGE, EMOJI[2], member(2))
    voting.reaction_removed(MESSAGE, user(2), EMOJI[2])
    assert voting.counted_for(poll.poll_id, user(2)) == (2,)
    # Reacting again on the counted option, once the first reaction is gone, takes it back.
    toggled = voting.reaction_added(MESSAGE, EMOJI[0], member(1))
    assert toggled is not None and toggled.action is VoteAction.WITHDRAW and toggled.remove_trigger
    voting.reaction_removed(MESSAGE, user(1), EMOJI[0])
    assert voting.counted_for(poll.poll_id, user(1)) == ()
    moved = voting.reaction_added(MESSAGE, EMOJI[3], member(2))
    assert moved is not None and moved.action is VoteAction.MOVE and moved.remove_options == ()
    assert voting.reactions_cleared(MESSAGE) is False  # a moderator clearing reactions clears no vote
    assert voting.counted_for(poll.poll_id, user(2)) == (3,)
    mine = await voting.my_votes(poll, user(1))
    assert mine.counted == () and [e.kind for e in mine.history] == ["withdrawn", "added"]
    assert (await voting.results(poll)).turnout == 1


async def test_anonymous_reconciliation_skips_reactions_whose_removal_is_on_its_way(
    store: PollStore, voting: PollVoting
) -> None:
    poll = await open_poll(store, voting, anonymous=True, choices=2)
    voting.reaction_added(MESSAGE, EMOJI[0], member(1))  # counted; its removal not yet reported

    async def read() -> dict[int, list[ReactionUser]]:
        return reacted(o0=[user(1), user(2)], o1=[user(1)])

    report = await voting.reconcile(poll.poll_id, read)
    assert report is not None
    assert report.plan.add == ((user(1), 1), (user(2), 0))
    assert set(report.remove_reactions) == {(user(1), 1), (user(2), 0)}
    assert voting.counted_for(poll.poll_id, user(1)) == (0, 1)
    for user_id, option in report.remove_reactions:  # Discord reports the removals: no change
        voting.reaction_removed(MESSAGE, user_id, EMOJI[option])
    voting.reaction_removed(MESSAGE, user(1), EMOJI[0])
    assert (await voting.results(poll)).total_votes == 3


async def test_weighted_votes_keep_their_weight_through_a_restart_and_reconciliation(
    store: PollStore, voting: PollVoting, clock: FakeClock
) -> None:
    poll = await open_poll(store, voting, choices=2, weights=[(MODS, 3), (MEMBERS, 2)])
    both = frozenset({MODS, MEMBERS})
    voting.reaction_added(MESSAGE, EMOJI[0], member(1, roles=both))  # 3
    voting.reaction_added(MESSAGE, EMOJI[1], member(1, roles=both))  # 3
    voting.reaction_added(MESSAGE, EMOJI[0], member(2, roles=frozenset({MEMBERS})))  # 2
    voting.reaction_added(MESSAGE, EMOJI[1], member(3, roles=frozenset({VIPS})))  # 1
    live = voting.live_results(poll.poll_id)
    assert live is not None and live.weighted
    assert [live.for_option(o).votes for o in range(4)] == [5, 4, 0, 0]
    assert [live.for_option(o).voters for o in range(4)] == [2, 2, 0, 0]
    assert (live.turnout, live.turnout_weight) == (3, 6)
    assert live.for_option(0).percent == pytest.approx(500 / 6)
    await voting.flush()
    assert await store.tally(poll) == live
    # A member's roles change after their vote: the vote keeps the weight it was counted with.
    voting.reaction_added(MESSAGE, EMOJI[2], member(2, roles=both))
    await voting.flush()
    assert {(r.user_id, r.option): r.weight for r in await store.voter_rows(poll)}[(user(2), 0)] == 2
    assert (await store.my_votes(poll, user(2))).weights == (2, 3)

    restarted = PollVoting(store, clock)
    await restarted.load()
    assert restarted.live_results(poll.poll_id) == voting.live_results(poll.poll_id) == await store.tally(poll)

    async def read() -> dict[int, list[ReactionUser]]:  # user 1 took back option 1; user 4 voted
        return reacted(o0=[user(1), user(2), user(4)], o1=[user(3)], o2=[user(2)])

    async def lookup(user_id: int) -> Voter | None:
        return member(4, roles=frozenset({MODS})) if user_id == user(4) else None

    report = await restarted.reconcile(poll.poll_id, read, lookup)
    assert report is not None and report.plan.add == ((user(4), 0),) and report.plan.withdraw == ((user(1), 1),)
    results = await restarted.results(poll)
    assert results == restarted.live_results(poll.poll_id)
    assert [results.for_option(o).votes for o in range(4)] == [8, 1, 3, 0]
    assert (results.turnout, results.turnout_weight) == (4, 3 + 3 + 1 + 3)
    await restarted.aclose()
    await voting.aclose()


async def test_a_vote_withdrawn_and_counted_again_in_one_batch_takes_the_new_weight(store: PollStore) -> None:
    spec = build_poll_spec("Best?", "A | B", weights=[(MODS, 3)])
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    voting = PollVoting(store, FakeClock(NOW), max_delay=60)
    poll = await voting.attach_message(poll, MESSAGE)
    voting.reaction_added(MESSAGE, option_emoji(2)[0], member(1, roles=frozenset({MODS})))
    await voting.flush()
    voting.reaction_removed(MESSAGE, user(1), option_emoji(2)[0])
    voting.reaction_added(MESSAGE, option_emoji(2)[0], member(1, roles=frozenset()))
    await voting.flush()
    assert [r.weight for r in await store.voter_rows(poll)] == [1]
    assert (await store.tally(poll)).for_option(0).votes == 1 == voting.live_results(poll.poll_id).for_option(0).votes  # type: ignore[union-attr]
    await voting.aclose()


async def test_store_keeps_the_new_rules_and_reopens_only_closed_polls(store: PollStore, clock: FakeClock) -> None:
    spec = build_poll_spec("Best?", "A | B | C", anonymous=True, weights=[(MODS, 3), (MEMBERS, 2)])
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    assert await store.reopen(poll.poll_id, NOW + timedelta(hours=1)) is False  # open, no message yet
    poll = await store.attach_message(poll.poll_id, MESSAGE)
    assert poll.anonymous and poll.weights == ((MODS, 3), (MEMBERS, 2)) and await store.get(poll.poll_id) == poll
    await store.write_batch([VoteRow(GUILD, poll.poll_id, user(1), 1, T, None, 3)], [], [])
    assert await store.reopen(poll.poll_id, NOW + timedelta(hours=1)) is False  # still open
    assert await store.close(poll.poll_id, NOW + timedelta(days=1))
    await store.set_results_message(poll.poll_id, 42)
    voting = PollVoting(store, clock)
    closed = await store.get(poll.poll_id)
    assert closed is not None
    reopened = await voting.reopen(closed, timedelta(hours=5))
    assert reopened.is_open and reopened.closes_at == NOW + timedelta(hours=5)
    assert reopened.closed_at is None and reopened.results_message_id is None
    assert voting.counted_for(poll.poll_id, user(1)) == (1,)
    assert voting.live_results(poll.poll_id).for_option(1).votes == 3  # type: ignore[union-attr]
    with pytest.raises(UserError, match="still open"):
        await voting.reopen(reopened, timedelta(hours=1))
    assert await store.close(poll.poll_id, NOW, missing=True)
    assert await store.reopen(poll.poll_id, NOW + timedelta(hours=1)) is False  # its message is gone
    await voting.aclose()


async def test_anonymous_export_and_audit_give_no_names(store: PollStore) -> None:
    spec = build_poll_spec("Best?", "A | B | C", anonymous=True)
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    poll = await store.attach_message(poll.poll_id, MESSAGE)
    young = snowflake_at(NOW - timedelta(days=2))
    await store.write_batch(
        [VoteRow(GUILD, poll.poll_id, young, 0, T, T + 60), VoteRow(GUILD, poll.poll_id, user(2), 1, T, None)],
        [],
        [EventRow(GUILD, poll.poll_id, user(2), "withdrawn", 1, None, None, "member", T + i) for i in range(3)],
    )
    report = await store.audit(poll, young_account_days=30, min_switches=3)
    assert report.anonymous and report.young_accounts == () and report.late_joiners == () and report.switchers == ()
    assert (report.young_accounts_total, report.late_joiners_total, report.switchers_total) == (1, 1, 1)
    text = audit_text(report)
    assert "<@" not in text and str(young) not in text and "counts, never names" in text
    results = await store.tally(poll)
    rows = list(csv.reader(io.StringIO(export_csv(poll, results, await store.voter_rows(poll)))))
    assert ["user_id", "option", "label", "voted_at_utc"] not in rows
    assert not any(str(young) in cell or str(user(2)) in cell for row in rows for cell in row)
    assert "anonymous" in rules_line(poll) and "take that vote back" in footer_text(poll)
    mine = await store.my_votes(poll, user(2))
    assert "only you see this" in my_votes_text(poll, mine)


async def test_weighted_results_text_and_export_have_totals_and_voters(store: PollStore) -> None:
    spec = build_poll_spec("Best?", "A | B", weights=[(MODS, 3)])
    poll = await store.create(spec, guild_id=GUILD, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    poll = await store.attach_message(poll.poll_id, MESSAGE)
    await store.write_batch(
        [
            VoteRow(GUILD, poll.poll_id, user(1), 0, T, None, 3),
            VoteRow(GUILD, poll.poll_id, user(2), 1, T, None, 1),
            VoteRow(GUILD, poll.poll_id, user(3), 1, T, None, 1),
        ],
        [],
        [],
    )
    await store.write_batch([], [VoteKey(GUILD, poll.poll_id, user(9), 0)], [])
    results = await store.tally(poll)
    text = results_summary(results)
    assert text.splitlines()[0] == f"**1.** {EMOJI[0]} A — 3 weighted votes from 1 voter (60%)"
    assert "Turnout: 3 voters (weighing 5 in all)" in text
    assert f"<@&{MODS}> ×3, others ×1" in rules_line(poll)
    rows = list(csv.reader(io.StringIO(export_csv(poll, results, await store.voter_rows(poll)))))
    assert ["turnout", "3"] in rows and ["turnout_weight", "5"] in rows
    assert ["rank", "option", "label", "weighted_votes", "voters", "percent"] in rows
    assert ["1", "1", "A", "3", "1", "60.00"] in rows and ["2", "2", "B", "2", "2", "40.00"] in rows
    assert ["user_id", "option", "label", "voted_at_utc", "weight"] in rows
    assert [str(user(1)), "1", "A", NOW.isoformat(), "3"] in rows


# -- the pacer -------------------------------------------------------------------------------


async def test_the_pacer_lets_a_burst_through_then_keeps_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(40, 10, now=lambda: now[0], sleep=sleep)
    for _ in range(50):
        await pacer.wait()
    assert pacer.passed == 50 and pacer.delayed == 40
    assert now[0] == pytest.approx(40 / 40)  # 10 at once, then 40 more at 40 a second
    now[0] += 5  # idle: the burst refills, no more
    for _ in range(10):
        await pacer.wait()
    assert pacer.delayed == 40
    with pytest.raises(ValueError):
        Pacer(0)
