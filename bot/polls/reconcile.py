"""Reconciliation planning: make the counted votes match the reactions Discord actually has.

Reactions are Discord's ledger, SQLite is ours. After downtime or a gateway reconnect the two
may disagree; this module decides, purely, what to change. The rules:

* a counted vote whose reaction is gone is withdrawn;
* a reaction that is not counted becomes a vote if the member is eligible and has room
  under the poll's `choices`; the votes already counted stand, and extra reactions are
  removed. Among several new reactions the lowest-numbered options are kept (so with
  `choices: 1` and nothing counted, the lowest option wins);
* ineligible members' reactions are removed; bots' reactions are ignored;
* a poll past its deadline is frozen: nothing changes.

Anonymous polls have no visible votes: Lightstick removes every reaction once it is counted.
There a reaction found on the message is one added while Lightstick was away (or one whose
removal never happened); it is counted by the same rules as a live reaction and removed:

* counted votes are never withdrawn for want of a reaction;
* single choice: a new reaction moves the vote (the lowest new option, if several);
* several choices: new reactions fill the room left, lowest options first;
* a reaction on an option already counted is only removed. Live, such a reaction takes the
  vote back; found after downtime it may be one whose removal a crash interrupted, so it
  changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from bot.i18n import Number
from bot.polls import reasons
from bot.polls.rules import Poll, Voter, ineligibility_reason

#: Reasons as stored (English); :func:`bot.polls.reasons.shown` translates them.
NOT_A_MEMBER_REASON = reasons.stored(reasons.NOT_A_MEMBER)


class ReactionUser(NamedTuple):
    """One user under one option's reaction, as Discord lists them."""

    user_id: int
    is_bot: bool


@dataclass(frozen=True, slots=True)
class Rejection:
    user_id: int
    option: int
    reason: str


@dataclass(frozen=True, slots=True)
class ReconcilePlan:
    #: (user_id, option) votes to count.
    add: tuple[tuple[int, int], ...] = ()
    #: (user_id, option) votes whose reaction is gone.
    withdraw: tuple[tuple[int, int], ...] = ()
    #: (user_id, option) reactions the bot should remove (extra or ineligible).
    remove_reactions: tuple[tuple[int, int], ...] = ()
    rejected: tuple[Rejection, ...] = ()
    #: Members left as they are because their eligibility could not be judged, or because
    #: a live event about them arrived while the reactions were being read.
    skipped_users: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.add or self.withdraw or self.remove_reactions)


def member_reactions(reactions: Mapping[int, Sequence[ReactionUser]]) -> dict[int, set[int]]:
    """user_id → the options they reacted with (bots left out)."""
    by_user: dict[int, set[int]] = {}
    for option, users in reactions.items():
        for user in users:
            if not user.is_bot:
                by_user.setdefault(user.user_id, set()).add(option)
    return by_user


def _room_and_new(poll: Poll, have: Collection[int], reacted: set[int]) -> tuple[int, list[int]]:
    kept = reacted.intersection(have)
    return poll.choices - len(kept), sorted(reacted.difference(have))


def users_needing_lookup(
    poll: Poll,
    counted: Mapping[int, Collection[int]],
    reactions: Mapping[int, Sequence[ReactionUser]],
) -> list[int]:
    """Members whose eligibility decides something and needs their member object.

    Only for polls with role or membership-age rules, and only members with a new reaction
    and room for it: everyone else is decided from the user id alone.
    """
    if not poll.needs_member_lookup:
        return []
    needed = []
    for user_id, reacted in sorted(member_reactions(reactions).items()):
        room, new = _room_and_new(poll, counted.get(user_id, ()), reacted)
        if new and (room > 0 or poll.anonymous):
            needed.append(user_id)
    return needed


def plan_reconciliation(
    poll: Poll,
    counted: Mapping[int, Collection[int]],
    reactions: Mapping[int, Sequence[ReactionUser]],
    now: datetime,
    voters: Mapping[int, Voter | None] | None = None,
    skip_users: Collection[int] = (),
) -> ReconcilePlan:
    """What to change so the counted votes follow the reactions and the rules.

    `reactions` must list every option's users (an option missing means no reactions).
    `voters` answers the member lookup for polls that need one (None: not a member any more);
    a member missing from it is skipped, never guessed.
    """
    if not poll.accepts_votes(now):
        return ReconcilePlan()
    voters = voters or {}
    reacted_by_user = member_reactions(reactions)
    if poll.anonymous:
        return _plan_anonymous(poll, counted, reacted_by_user, now, voters, skip_users)
    add: list[tuple[int, int]] = []
    withdraw: list[tuple[int, int]] = []
    remove: list[tuple[int, int]] = []
    rejected: list[Rejection] = []
    skipped: list[int] = []

    def refuse(user_id: int, options: Sequence[int], reason: str) -> None:
        for option in options:
            remove.append((user_id, option))
            rejected.append(Rejection(user_id, option, reason))

    for user_id in sorted(set(counted) | set(reacted_by_user)):
        if user_id in skip_users:
            skipped.append(user_id)
            continue
        have = set(counted.get(user_id, ()))
        reacted = reacted_by_user.get(user_id, set())
        withdraw.extend((user_id, option) for option in sorted(have - reacted))
        room, new = _room_and_new(poll, have, reacted)
        if not new:
            continue
        if room <= 0:
            refuse(user_id, new, _limit_reason(poll))
            continue
        if poll.needs_member_lookup and user_id not in voters:
            skipped.append(user_id)
            continue
        voter = voters.get(user_id) if poll.needs_member_lookup else Voter(user_id)
        reason = NOT_A_MEMBER_REASON if voter is None else ineligibility_reason(poll, voter, now)
        if reason is not None:
            refuse(user_id, new, reason)
            continue
        add.extend((user_id, option) for option in new[:room])
        refuse(user_id, new[room:], _limit_reason(poll))
    return ReconcilePlan(tuple(add), tuple(withdraw), tuple(remove), tuple(rejected), tuple(skipped))


def _limit_reason(poll: Poll) -> str:
    if poll.choices == 1:
        return reasons.stored(reasons.LIMIT_ONE)
    return reasons.stored(reasons.LIMIT_MANY, choices=Number(poll.choices))


ANONYMOUS_SEVERAL_REASON = reasons.stored(reasons.ANONYMOUS_SEVERAL)


def _plan_anonymous(
    poll: Poll,
    counted: Mapping[int, Collection[int]],
    reacted_by_user: Mapping[int, set[int]],
    now: datetime,
    voters: Mapping[int, Voter | None],
    skip_users: Collection[int],
) -> ReconcilePlan:
    """The plan for an anonymous poll: count what the reactions say, then remove them all."""
    add: list[tuple[int, int]] = []
    withdraw: list[tuple[int, int]] = []
    remove: list[tuple[int, int]] = []
    rejected: list[Rejection] = []
    skipped: list[int] = []
    for user_id in sorted(reacted_by_user):
        if user_id in skip_users:
            skipped.append(user_id)
            continue
        have = set(counted.get(user_id, ()))
        reacted = reacted_by_user[user_id]
        new = sorted(reacted - have)
        if new and poll.needs_member_lookup and user_id not in voters:
            skipped.append(user_id)  # judged next time; its reactions stay until then
            continue
        remove.extend((user_id, option) for option in sorted(reacted))
        if not new:
            continue
        voter = voters.get(user_id) if poll.needs_member_lookup else Voter(user_id)
        reason = NOT_A_MEMBER_REASON if voter is None else ineligibility_reason(poll, voter, now)
        if reason is not None:
            rejected.extend(Rejection(user_id, option, reason) for option in new)
            continue
        if poll.choices == 1:
            withdraw.extend((user_id, option) for option in sorted(have))
            add.append((user_id, new[0]))
            rejected.extend(Rejection(user_id, option, ANONYMOUS_SEVERAL_REASON) for option in new[1:])
            continue
        room = poll.choices - len(have)
        add.extend((user_id, option) for option in new[: max(room, 0)])
        rejected.extend(Rejection(user_id, option, _limit_reason(poll)) for option in new[max(room, 0) :])
    return ReconcilePlan(tuple(add), tuple(withdraw), tuple(remove), tuple(rejected), tuple(skipped))
