"""Small Discord adapters for polls: members → voters, reactions → option users, errors.

Kept apart from the cog so the command handlers read as check → domain → render → respond.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import discord

from bot.polls import Poll, ReactionUser, Voter, option_for_emoji

#: Unknown Channel, Unknown Message: the poll message (or its channel) is gone for good.
MISSING_CODES = frozenset({10003, 10008})
#: Maximum number of reactions reached: a message holds at most 20 different emoji, so a
#: stray emoji added before Lightstick placed all 20 options of a poll takes an option's place.
REACTION_LIMIT_CODE = 30010

#: What Lightstick needs in a channel to run a poll there (Manage Messages is optional:
#: without it the rules still decide what counts, but extra reactions stay visible).
POLL_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "add_reactions", "read_message_history")
THREAD_POLL_PERMISSIONS = (
    "view_channel",
    "send_messages_in_threads",
    "embed_links",
    "add_reactions",
    "read_message_history",
)

PollChannel = discord.TextChannel | discord.Thread | discord.PartialMessageable


def is_missing(error: discord.HTTPException) -> bool:
    """The error says the message or channel no longer exists."""
    return isinstance(error, discord.NotFound) and error.code in MISSING_CODES


def is_reaction_limit(error: discord.HTTPException) -> bool:
    """Discord refused a reaction because the message already has 20 different emoji."""
    return error.code == REACTION_LIMIT_CODE


def required_permissions(channel: object, *, anonymous: bool = False) -> Sequence[str]:
    """What Lightstick needs there; an anonymous poll also needs Manage Messages (it removes
    every reaction once counted, or the reactions would show who voted for what)."""
    base = THREAD_POLL_PERMISSIONS if isinstance(channel, discord.Thread) else POLL_PERMISSIONS
    return (*base, "manage_messages") if anonymous else base


def voter_from_member(member: discord.Member) -> Voter:
    return Voter(
        user_id=member.id,
        is_bot=member.bot,
        role_ids=frozenset(role.id for role in member.roles),
        joined_at=member.joined_at,
    )


def reaction_page_limit(reaction: discord.Reaction) -> int:
    """How many normal (non-super) users to read: sizes the pages of `Reaction.users()`."""
    if reaction.normal_count or reaction.burst_count:
        return reaction.normal_count
    return reaction.count  # an old payload without count details


async def read_option_reactions(poll: Poll, message: discord.Message) -> dict[int, list[ReactionUser]]:
    """Every user under each option's reaction, paged 100 a call by discord.py.

    Options no member reacted with cost no call: the message's reaction counts say so.
    """
    found: dict[int, list[ReactionUser]] = {}
    for reaction in message.reactions:
        if not isinstance(reaction.emoji, str):
            continue  # a custom emoji is never an option
        option = option_for_emoji(poll, reaction.emoji)
        limit = reaction_page_limit(reaction)
        if option is None or limit <= 0 or (reaction.me and limit == 1):
            continue  # no users, or only Lightstick's own option reaction: nothing to read
        users = found.setdefault(option, [])
        async for user in reaction.users(limit=limit):
            users.append(ReactionUser(user.id, user.bot))
    return found


def own_reaction_options(poll: Poll, message: discord.Message) -> set[int]:
    """Options whose reaction Lightstick itself has on the message."""
    mine: set[int] = set()
    for reaction in message.reactions:
        if reaction.me and isinstance(reaction.emoji, str):
            option = option_for_emoji(poll, reaction.emoji)
            if option is not None:
                mine.add(option)
    return mine


class KnownVoters:
    """Members seen in reaction events (roles, join date), so reconciliation looks up only
    the ones it has never seen. Bounded: the oldest are forgotten first."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._voters: OrderedDict[tuple[int, int], Voter] = OrderedDict()

    def remember(self, guild_id: int, voter: Voter) -> None:
        key = (guild_id, voter.user_id)
        self._voters[key] = voter
        self._voters.move_to_end(key)
        while len(self._voters) > self.capacity:
            self._voters.popitem(last=False)

    def get(self, guild_id: int, user_id: int) -> Voter | None:
        return self._voters.get((guild_id, user_id))

    def __len__(self) -> int:
        return len(self._voters)
