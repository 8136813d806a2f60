"""Voting by reaction, end to end: counts, rules, removals, hidden results, coalesced edits."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from bot.clock import FakeClock
from bot.polls import option_emoji
from tests.cogs.polls_world import EPHEMERAL, JSON, PollWorld, embed_of, message_id, shown_counts, start_world
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord

ONE, TWO, THREE = option_emoji(3)


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    return await start_world(fake, bots)


def removals(world: PollWorld, message: JSON) -> list[str]:
    """`emoji/user` of every reaction removal Lightstick asked for on this message."""
    calls = world.fake.calls_to("DELETE", rf"/messages/{message['id']}/reactions/")
    return ["/".join(call.path.split("/")[-2:]) for call in calls]


async def test_votes_from_several_members_are_stored_and_shown(world: PollWorld) -> None:
    poll, message = await world.create()
    for fan, option in zip(world.fans, [0, 1, 1, 2, 1], strict=False):
        await world.vote(message, fan, option)
    await world.wait_counts(poll, [1, 3, 1])
    await world.wait_shown(message, [1, 3, 1])
    description = embed_of(world.fake.messages[message_id(poll)])["description"]
    assert "**5 voters**" in description
    assert "`██████████` 3 (60%)" in description
    await world.unvote(message, world.fans[1], 1)
    await world.wait_counts(poll, [1, 2, 1])
    await world.wait_shown(message, [1, 2, 1])
    assert await world.cog.voting.results(poll) == await world.cog.store.tally(poll)


async def test_single_choice_switch_moves_the_vote_and_removes_the_old_reaction(world: PollWorld) -> None:
    poll, message = await world.create()
    fan = world.fans[0]
    await world.vote(message, fan, 0)
    await world.wait_counts(poll, [1, 0, 0])
    await world.vote(message, fan, 1)
    await world.wait_counts(poll, [0, 1, 0])
    await eventually(lambda: fan.user_id not in world.fake.reaction_users(message, ONE))
    assert removals(world, message) == [f"{ONE}/{fan.user_id}"]
    await world.cog.wait_idle()
    # The removal Lightstick made is not the member withdrawing: the vote for 2 stands.
    assert await world.stored_counts(poll) == [0, 1, 0]
    mine = await world.cog.voting.my_votes(poll, fan.user_id)
    assert mine.counted == (1,)
    assert [event.kind for event in mine.history] == ["moved", "added"]


async def test_multi_choice_limit_removes_the_extra_reaction(world: PollWorld) -> None:
    poll, message = await world.create("Pick two", "A | B | C", choices=2)
    fan = world.fans[0]
    for option in (0, 1, 2):
        await world.vote(message, fan, option)
    await world.wait_counts(poll, [1, 1, 0])
    await eventually(lambda: fan.user_id not in world.fake.reaction_users(message, THREE))
    await world.cog.wait_idle()
    assert await world.stored_counts(poll) == [1, 1, 0]
    # Withdrawing one makes room again.
    await world.unvote(message, fan, 0)
    await world.vote(message, fan, 2)
    await world.wait_counts(poll, [0, 1, 1])
    body = await (await world.slash("poll myvotes", member=fan, poll=str(poll.poll_id))).response()
    assert body["data"]["flags"] & EPHEMERAL
    text = body["data"]["embeds"][0]["description"]
    assert text.startswith(f"Counted for you: {TWO} B, {THREE} C.")
    assert "you already picked 2 options" in text


async def test_role_rule(world: PollWorld) -> None:
    poll, message = await world.create("Voters only", "A | B | C", role=world.voters_role)
    member = world.fake.add_member(world.guild, "voter", roles=[world.voters_role])
    outsider = world.fans[0]
    await world.vote(message, member, 0)
    await world.vote(message, outsider, 1)
    await world.wait_counts(poll, [1, 0, 0])
    await eventually(lambda: outsider.user_id not in world.fake.reaction_users(message, TWO))
    assert world.fake.reaction_users(message, ONE) == sorted([world.fake.app_id, member.user_id])
    mine = await world.cog.voting.my_votes(poll, outsider.user_id)
    assert mine.counted == () and f"<@&{world.voters_role}>" in (mine.last_rejection.reason or "")


async def test_account_age_rule(world: PollWorld) -> None:
    poll, message = await world.create("No alts", "A | B | C", min_account_age=30)
    young = world.fake.add_member(world.guild, "alt", account_age=timedelta(days=3))
    await world.vote(message, young, 0)
    await world.vote(message, world.fans[0], 0)
    await world.wait_counts(poll, [1, 0, 0])
    await eventually(lambda: young.user_id not in world.fake.reaction_users(message, ONE))
    mine = await world.cog.voting.my_votes(poll, young.user_id)
    assert "your account is 3 days old" in (mine.last_rejection.reason or "")


async def test_member_age_rule(world: PollWorld) -> None:
    poll, message = await world.create("Regulars", "A | B | C", min_member_age=7)
    newcomer = world.fake.add_member(world.guild, "newcomer", member_for=timedelta(hours=1))
    await world.vote(message, newcomer, 2)
    await world.vote(message, world.fans[0], 2)
    await world.wait_counts(poll, [0, 0, 1])
    await eventually(lambda: newcomer.user_id not in world.fake.reaction_users(message, THREE))
    mine = await world.cog.voting.my_votes(poll, newcomer.user_id)
    assert "you joined this server 0 days ago" in (mine.last_rejection.reason or "")


async def test_bot_reactions_are_ignored_and_other_emoji_removed(world: PollWorld) -> None:
    poll, message = await world.create()
    other_bot = world.fake.add_member(world.guild, "otherbot", bot=True)
    await world.vote(message, other_bot, 0)
    await world.fake.react(message, world.fans[0], "🔥")
    await eventually(lambda: world.fans[0].user_id not in world.fake.reaction_users(message, "🔥"))
    await world.vote(message, world.fans[1], 1)
    await world.wait_counts(poll, [0, 1, 0])
    await world.cog.wait_idle()
    assert other_bot.user_id in world.fake.reaction_users(message, ONE)  # not counted, not removed
    assert removals(world, message) == [f"🔥/{world.fans[0].user_id}"]
    results = await world.cog.voting.results(poll)
    assert results.turnout == 1  # Lightstick's own option reactions are no votes


async def test_duplicate_and_out_of_order_events(world: PollWorld) -> None:
    poll, message = await world.create("Pick two", "A | B | C", choices=2)
    fan = world.fans[0]
    added = world.reaction_event(message, fan, ONE)
    world.fake.add_reaction_state(message_id(poll), ONE, fan.user_id)
    for _ in range(3):  # the gateway may deliver an event more than once
        await world.fake.dispatch("MESSAGE_REACTION_ADD", added)
    await world.wait_counts(poll, [1, 0, 0])
    await world.fake.dispatch("MESSAGE_REACTION_REMOVE", world.reaction_event(message, fan, THREE, add=False))
    # Discord saw: add 2, remove 2, add 3 — delivered as: remove 2, add 3, add 2.
    world.fake.add_reaction_state(message_id(poll), THREE, fan.user_id)
    await world.fake.dispatch("MESSAGE_REACTION_REMOVE", world.reaction_event(message, fan, TWO, add=False))
    await world.fake.dispatch("MESSAGE_REACTION_ADD", world.reaction_event(message, fan, THREE))
    await world.fake.dispatch("MESSAGE_REACTION_ADD", world.reaction_event(message, fan, TWO))
    await world.cog.wait_idle()
    passes = world.cog.reconcile_passes
    await world.fake.drop_connections()  # the next reconnect reconciles with Discord's reactions
    await eventually(lambda: world.cog.reconcile_passes > passes, timeout=10)
    await world.cog.wait_idle()
    assert await world.stored_votes(poll) == {(fan.user_id, 0), (fan.user_id, 2)}
    assert await world.stored_counts(poll) == [1, 0, 1]


async def test_hidden_results_hide_counts_from_members_not_moderators(world: PollWorld) -> None:
    poll, message = await world.create("Secret ballot", "A | B | C", hide_results=True)
    for fan, option in zip(world.fans, [0, 0, 2], strict=False):
        await world.vote(message, fan, option)
    await world.wait_counts(poll, [2, 0, 1])
    await world.cog.wait_idle()
    shown = embed_of(world.fake.messages[message_id(poll)])
    assert shown_counts(world.fake.messages[message_id(poll)]) == []
    assert "Results are hidden until the poll closes." in shown["description"]
    assert not world.fake.calls_to("PATCH", rf"/messages/{poll.message_id}$")  # nothing visible changed

    member_view = await (await world.slash("poll results", member=world.fans[0], poll=str(poll.poll_id))).response()
    text = member_view["data"]["embeds"][0]["description"]
    assert "hidden until the poll closes" in text and "votes" not in text
    body = await (await world.slash("poll export", member=world.fans[0], poll=str(poll.poll_id))).response()
    assert body["data"]["flags"] & EPHEMERAL and "hides its results" in body["data"]["content"]

    mod_view = await (await world.slash("poll results", member=world.mod, poll=str(poll.poll_id))).response()
    embed = mod_view["data"]["embeds"][0]
    assert embed["description"].startswith(f"**1.** {ONE} A — 2 votes (66.7%)")
    assert "hidden from members" in embed["footer"]["text"]
    assert mod_view["data"]["flags"] & EPHEMERAL
    record = await world.slash("poll export", member=world.mod, poll=str(poll.poll_id))
    assert (await record.response())["data"]["flags"] & EPHEMERAL
    [call] = world.fake.calls_to("POST", rf"/interactions/{record.id}/")
    rows = list(csv.reader(io.StringIO(call.files[0][1].decode())))
    assert ["1", "1", "A", "2", "66.67"] in rows and ["user_id", "option", "label", "voted_at_utc"] in rows
    mine = await (await world.slash("poll myvotes", member=world.fans[0], poll=str(poll.poll_id))).response()
    assert mine["data"]["embeds"][0]["description"] == f"Counted for you: {ONE} A."  # no totals

    await (await world.slash("poll close", poll=str(poll.poll_id))).final_message()
    assert shown_counts(world.fake.messages[message_id(poll)]) == [2, 0, 1]
    member_view = await (await world.slash("poll results", member=world.fans[0], poll=str(poll.poll_id))).response()
    assert member_view["data"]["embeds"][0]["description"].startswith(f"**1.** {ONE} A — 2 votes (66.7%)")


async def test_export_totals_for_members_and_voter_rows_for_moderators(world: PollWorld) -> None:
    poll, message = await world.create()
    await world.vote(message, world.fans[0], 1)
    await world.vote(message, world.fans[1], 1)
    await world.wait_counts(poll, [0, 2, 0])

    async def exported(member_index: int | None) -> list[list[str]]:
        member = world.mod if member_index is None else world.fans[member_index]
        record = await world.slash("poll export", member=member, poll=str(poll.poll_id))
        await record.response()
        call = world.fake.calls_to("POST", rf"/interactions/{record.id}/")[-1]
        assert call.files and call.files[0][0] == f"poll-{poll.poll_id}.csv"
        return list(csv.reader(io.StringIO(call.files[0][1].decode())))

    rows = await exported(0)
    assert ["1", "2", "WHIPLASH", "2", "100.00"] in rows
    assert ["user_id", "option", "label", "voted_at_utc"] not in rows
    rows = await exported(None)
    assert ["user_id", "option", "label", "voted_at_utc"] in rows
    voter_ids = {row[0] for row in rows[rows.index(["user_id", "option", "label", "voted_at_utc"]) + 1 :]}
    assert voter_ids == {str(world.fans[0].user_id), str(world.fans[1].user_id)}


async def test_audit_is_for_moderators_and_names_young_accounts_and_switchers(world: PollWorld) -> None:
    poll, message = await world.create()
    young = world.fake.add_member(world.guild, "fresh", account_age=timedelta(days=2))
    switcher = world.fans[0]
    await world.vote(message, young, 0)
    emojis = option_emoji(3)
    for previous, option in ((None, 0), (0, 1), (1, 2), (2, 0)):
        await world.vote(message, switcher, option)
        if previous is not None:  # Lightstick removes the old reaction; then the member moves on
            old_emoji = emojis[previous]
            await eventually(lambda: switcher.user_id not in world.fake.reaction_users(message, old_emoji))  # noqa: B023
    await world.wait_counts(poll, [2, 0, 0])
    body = await (await world.slash("poll audit", member=world.fans[1], poll=str(poll.poll_id))).response()
    assert body["data"]["flags"] & EPHEMERAL and "Manage Server" in body["data"]["content"]
    body = await (await world.slash("poll audit", member=world.mod, poll=str(poll.poll_id))).response()
    text = body["data"]["embeds"][0]["description"]
    assert f"<@{young.user_id}>" in text.split("\n\n")[0]
    assert f"<@{switcher.user_id}> (3×)" in text


async def test_without_manage_messages_counting_still_follows_the_rules(world: PollWorld) -> None:
    world.fake.deny_bot(world.news, "manage_messages")
    await world.fake.update_channel(world.news)
    record = await world.fake.slash_with(
        "poll create", world.guild, world.general, world.creator,
        {"question": "Best?", "options": "A | B | C", "channel": world.news["id"]},
    )  # fmt: skip
    assert "is up in" in (await record.final_message())["content"]
    poll = await world.latest_poll()
    message = world.fake.messages[message_id(poll)]
    await world.wait_for_own_reactions(poll, message)
    assert "it needs Manage Messages" in embed_of(message)["footer"]["text"]
    fan = world.fans[0]
    await world.vote(message, fan, 0)
    await world.vote(message, fan, 1)
    await world.fake.react(message, world.fans[1], "🔥")
    await world.wait_counts(poll, [0, 1, 0])
    await world.cog.wait_idle()
    assert removals(world, message) == []  # it knows it can't: no refused calls
    assert fan.user_id in world.fake.reaction_users(message, ONE)
    # The member takes the old reaction away later: that is not a withdrawal of the counted vote.
    await world.unvote(message, fan, 0)
    await world.cog.wait_idle()
    assert await world.stored_counts(poll) == [0, 1, 0]


async def test_a_refused_removal_does_not_crash_anything(world: PollWorld) -> None:
    poll, message = await world.create()
    world.fake.deny_bot(world.general, "manage_messages")  # Lightstick's cache doesn't know yet
    fan = world.fans[0]
    await world.vote(message, fan, 0)
    await world.vote(message, fan, 2)
    await world.wait_counts(poll, [0, 0, 1])
    await world.fake.wait_for_call("DELETE", rf"/messages/{poll.message_id}/reactions/")
    await world.cog.wait_idle()
    assert world.fake.calls_to("DELETE", r"/reactions/")[-1].status == 403
    assert fan.user_id in world.fake.reaction_users(message, ONE)
    await world.vote(message, world.fans[1], 1)
    await world.wait_counts(poll, [0, 1, 1])
    await world.wait_shown(message, [0, 1, 1])
    body = await (await world.slash("poll list", member=world.mod)).response()
    assert "Manage Messages" in body["data"]["embeds"][0]["description"]


async def test_edits_are_coalesced_many_votes_few_edits(fake: FakeDiscord, bots: BotRunner) -> None:
    """Edits are paced in real seconds: the bot's clock stands still here, and the trailing
    edit still comes one interval after the first, with the final counts."""
    interval = 1.5
    world = await start_world(fake, bots, clock=FakeClock(datetime.now(UTC)), fans=30,
                              edit_interval=timedelta(seconds=interval))  # fmt: skip
    poll, message = await world.create()
    edits = rf"^/channels/\d+/messages/{poll.message_id}$"
    for index, fan in enumerate(world.fans):
        await world.vote(message, fan, index % 3)
    await eventually(lambda: world.cog.voting.live_results(poll.poll_id).turnout == 30)
    await world.wait_shown(message, [10, 10, 10], timeout=3 * interval)
    await asyncio.wait_for(world.cog.wait_idle(), 3 * interval)
    calls = fake.calls_to("PATCH", edits)
    assert 2 <= len(calls) <= 3  # the first vote at once, then one edit per interval at most
    assert all(later.at - earlier.at >= interval - 0.05 for earlier, later in pairwise(calls))
    await asyncio.sleep(interval + 0.2)
    assert len(fake.calls_to("PATCH", edits)) == len(calls)
    assert await world.stored_counts(poll) == [10, 10, 10]


async def test_a_moderator_clearing_reactions_withdraws_those_votes(world: PollWorld) -> None:
    poll, message = await world.create()
    for fan, option in zip(world.fans, [0, 1, 1], strict=False):
        await world.vote(message, fan, option)
    await world.wait_counts(poll, [1, 2, 0])
    ids = {"channel_id": message["channel_id"], "message_id": message["id"], "guild_id": message["guild_id"]}
    world.fake.reactions[message_id(poll)].pop(TWO)
    await world.fake.dispatch("MESSAGE_REACTION_REMOVE_EMOJI", {**ids, "emoji": {"id": None, "name": TWO}})
    await world.wait_counts(poll, [1, 0, 0])
    await eventually(lambda: world.fake.reaction_users(message, TWO) == [world.fake.app_id])  # put back
    world.fake.reactions.pop(message_id(poll))
    await world.fake.dispatch("MESSAGE_REACTION_REMOVE_ALL", ids)
    await world.wait_counts(poll, [0, 0, 0])
    await world.wait_for_own_reactions(poll, message)
    await world.wait_shown(message, [0, 0, 0])
    await world.vote(message, world.fans[0], 2)
    await world.wait_counts(poll, [0, 0, 1])


async def test_super_reactions_are_not_votes(world: PollWorld) -> None:
    poll, message = await world.create()
    burst = {**world.reaction_event(message, world.fans[0], ONE), "burst": True, "type": 1}
    await world.fake.dispatch("MESSAGE_REACTION_ADD", burst)
    await world.vote(message, world.fans[1], 1)
    await world.wait_counts(poll, [0, 1, 0])
    await world.cog.wait_idle()
    assert removals(world, message) == []


async def test_a_twenty_option_poll_gets_its_last_option_once_a_stray_emoji_is_removed(world: PollWorld) -> None:
    """A message holds 20 different emoji. A member's stray emoji that took the 20th place
    before Lightstick added it makes Discord refuse that option (30010); once the stray one is
    removed, the option goes on, in order, and moderators saw why meanwhile."""
    emojis = option_emoji(20)
    world.fake.fail("PUT", rf"/reactions/{emojis[-1]}/@me$", 400, code=30010)
    reply = await world.reply("poll create", question="Twenty", options=" | ".join(f"MV {i}" for i in range(20)))
    assert "is up in" in reply["content"]
    poll = await world.latest_poll()
    message = world.fake.messages[message_id(poll)]
    await eventually(lambda: poll.poll_id in world.cog.problems)
    assert world.fake.app_id not in world.fake.reaction_users(message, emojis[-1])
    body = await (await world.slash("poll list", member=world.mod)).response()
    assert "20 different reactions" in body["data"]["embeds"][0]["description"]

    await world.fake.react(message, world.fans[0], "🔥")
    await world.wait_for_own_reactions(poll, message)
    await eventually(lambda: poll.poll_id not in world.cog.problems)
    assert world.fake.reaction_users(message, "🔥") == []
    puts = world.fake.calls_to("PUT", rf"/messages/{poll.message_id}/reactions/")
    assert [call.path.split("/")[-2] for call in puts] == [*emojis, emojis[-1]]
    await world.vote(message, world.fans[1], 19, 20)
    await world.wait_counts(poll, [0] * 19 + [1])
