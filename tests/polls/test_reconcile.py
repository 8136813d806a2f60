"""Reconciliation planning (pure): the counted votes follow the reactions and the rules."""

from __future__ import annotations

from datetime import timedelta

from bot.polls.reconcile import (
    NOT_A_MEMBER_REASON,
    ReactionUser,
    plan_reconciliation,
    users_needing_lookup,
)
from bot.polls.rules import Voter
from tests.polls.factories import NOW, make_poll, member, snowflake_at, user

A, B, C = user(1), user(2), user(3)
BOT = user(99)


def reactions(**by_option: list[int]) -> dict[int, list[ReactionUser]]:
    """reactions(o0=[A], o2=[B, C]) → option index → users (BOT marked as a bot)."""
    return {int(name[1:]): [ReactionUser(uid, uid == BOT) for uid in users] for name, users in by_option.items()}


def test_offline_reactions_become_votes_and_gone_ones_are_withdrawn() -> None:
    poll = make_poll(3)
    plan = plan_reconciliation(poll, {A: [0], B: [1]}, reactions(o0=[A, BOT], o1=[BOT], o2=[C, BOT]), NOW)
    assert plan.add == ((C, 2),)
    assert plan.withdraw == ((B, 1),)
    assert plan.remove_reactions == ()


def test_matching_state_plans_nothing() -> None:
    poll = make_poll(3, choices=2)
    plan = plan_reconciliation(poll, {A: [0, 2], B: [1]}, reactions(o0=[A], o1=[B], o2=[A]), NOW)
    assert plan.is_empty


def test_counted_vote_stands_and_offline_extras_are_removed() -> None:
    poll = make_poll(3)
    plan = plan_reconciliation(poll, {A: [1]}, reactions(o0=[A], o1=[A], o2=[A]), NOW)
    assert plan.add == ()
    assert plan.remove_reactions == ((A, 0), (A, 2))
    assert "the vote already counted stands" in plan.rejected[0].reason


def test_several_new_reactions_keep_the_lowest_options() -> None:
    single = plan_reconciliation(make_poll(3), {}, reactions(o1=[A], o2=[A]), NOW)
    assert single.add == ((A, 1),) and single.remove_reactions == ((A, 2),)
    double = plan_reconciliation(make_poll(4, choices=2), {A: [3]}, reactions(o0=[A], o1=[A], o2=[A], o3=[A]), NOW)
    assert double.add == ((A, 0),)
    assert double.remove_reactions == ((A, 1), (A, 2))


def test_member_who_switched_while_we_were_away() -> None:
    plan = plan_reconciliation(make_poll(3), {A: [0]}, reactions(o2=[A]), NOW)
    assert plan.withdraw == ((A, 0),) and plan.add == ((A, 2),)


def test_account_age_needs_no_lookup_and_removes_young_reactions() -> None:
    poll = make_poll(2, min_account_age_days=30)
    young = snowflake_at(NOW - timedelta(days=2))
    assert users_needing_lookup(poll, {}, reactions(o0=[A, young])) == []
    plan = plan_reconciliation(poll, {}, reactions(o0=[A, young]), NOW)
    assert plan.add == ((A, 0),)
    assert plan.remove_reactions == ((young, 0),)


def test_role_rule_asks_only_for_members_whose_eligibility_decides() -> None:
    poll = make_poll(3, role_id=77)
    counted = {A: [0]}
    seen = reactions(o0=[A, B], o1=[A, C, BOT], o2=[user(4)])
    # A is at the limit (extra removed regardless); BOT never counts.
    assert users_needing_lookup(poll, counted, seen) == [B, C, user(4)]
    voters: dict[int, Voter | None] = {
        B: member(2, roles=frozenset({77})),
        C: member(3, roles=frozenset()),
        user(4): None,
    }
    plan = plan_reconciliation(poll, counted, seen, NOW, voters)
    assert plan.add == ((B, 0),)
    assert set(plan.remove_reactions) == {(A, 1), (C, 1), (user(4), 2)}
    reasons = {r.user_id: r.reason for r in plan.rejected}
    assert "<@&77>" in reasons[C] and reasons[user(4)] == NOT_A_MEMBER_REASON


def test_member_not_looked_up_is_left_alone() -> None:
    poll = make_poll(2, min_member_age_days=7)
    plan = plan_reconciliation(poll, {}, reactions(o0=[A]), NOW, voters={})
    assert plan.is_empty and plan.skipped_users == (A,)


def test_users_touched_live_are_skipped_and_overdue_polls_frozen() -> None:
    poll = make_poll(2)
    plan = plan_reconciliation(poll, {A: [0]}, reactions(o1=[B]), NOW, skip_users={A})
    assert plan.add == ((B, 1),) and plan.withdraw == ()
    frozen = plan_reconciliation(poll, {A: [0]}, reactions(o1=[B]), NOW + timedelta(days=2))
    assert frozen.is_empty
