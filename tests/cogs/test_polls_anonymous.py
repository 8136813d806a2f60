"""Anonymous polls end to end, on SQLite and on PostgreSQL: every vote is counted and every
member's reaction removed, so nobody (members, moderators, the export, the audit) sees who
voted for what; the choice rules, reconciliation after a restart and 429s still hold."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from bot.polls import option_emoji
from tests.cogs.polls_world import EPHEMERAL, JSON, PollWorld, embed_of, start_world
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord

ONE, TWO, THREE = option_emoji(3)
POLL_POSTS = r"^/channels/\d+/messages$"


@pytest.fixture
def bots(engine_bots: BotRunner) -> BotRunner:
    return engine_bots


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    return await start_world(fake, bots)


async def settled(world: PollWorld) -> None:
    """Every vote written and every removal Lightstick asked for made."""
    await world.cog.wait_idle()


def removals(world: PollWorld, message: JSON) -> list[str]:
    calls = world.fake.calls_to("DELETE", rf"/messages/{message['id']}/reactions/")
    return ["/".join(call.path.split("/")[-2:]) for call in calls]


async def exported_rows(world: PollWorld, poll_id: int, member: Any) -> list[list[str]]:
    record = await world.slash("poll export", member=member, poll=str(poll_id))
    await record.response()
    call = world.fake.calls_to("POST", rf"/interactions/{record.id}/")[-1]
    return list(csv.reader(io.StringIO(call.files[0][1].decode())))


async def test_every_vote_is_counted_and_no_reaction_is_left(world: PollWorld) -> None:
    poll, message = await world.create("Secret favourite?", "A | B | C", anonymous=True)
    assert poll.anonymous
    footer = embed_of(message)["footer"]["text"]
    assert "anonymous" in footer and "react on an option you picked again to take that vote back" in footer
    assert "anonymous" in embed_of(message)["description"].splitlines()[-1]
    for fan, option in zip(world.fans, [0, 1, 1, 2, 1, 0], strict=True):
        await world.vote(message, fan, option)
    await world.wait_counts(poll, [2, 3, 1])
    await settled(world)
    assert world.reacted(poll, message) == set()  # nobody can see who voted for what
    assert len(removals(world, message)) == 6
    await world.wait_for_own_reactions(poll, message)  # the options stay there to tap
    await world.wait_shown(message, [2, 3, 1])
    # The removals Lightstick made withdrew nothing.
    assert await world.stored_counts(poll) == [2, 3, 1]

    mine = await (await world.slash("poll myvotes", member=world.fans[1], poll=str(poll.poll_id))).response()
    text = mine["data"]["embeds"][0]["description"]
    assert mine["data"]["flags"] & EPHEMERAL and text.startswith(f"Counted for you: {TWO} B.")
    assert "only you see this" in text


async def test_single_choice_latest_reaction_moves_and_a_second_reaction_takes_it_back(world: PollWorld) -> None:
    poll, message = await world.create("One only", "A | B | C", anonymous=True)
    fan = world.fans[0]
    await world.vote(message, fan, 0)
    await world.wait_counts(poll, [1, 0, 0])
    await eventually(lambda: world.reacted(poll, message) == set())
    await world.vote(message, fan, 2)  # the latest reaction moves the vote
    await world.wait_counts(poll, [0, 0, 1])
    await eventually(lambda: world.reacted(poll, message) == set())
    await world.vote(message, fan, 2)  # again on the counted option: taken back
    await world.wait_counts(poll, [0, 0, 0])
    await settled(world)
    assert world.reacted(poll, message) == set()
    assert removals(world, message) == [f"{ONE}/{fan.user_id}", f"{THREE}/{fan.user_id}", f"{THREE}/{fan.user_id}"]
    history = (await world.cog.voting.my_votes(poll, fan.user_id)).history
    assert [event.kind for event in history] == ["withdrawn", "moved", "added"]


async def test_multi_choice_limit_applies_without_visible_reactions(world: PollWorld) -> None:
    poll, message = await world.create("Pick two", "A | B | C", choices=2, anonymous=True)
    fan = world.fans[0]
    for option in (0, 1, 2):
        await world.vote(message, fan, option)
        await eventually(lambda: world.reacted(poll, message) == set())
    await world.wait_counts(poll, [1, 1, 0])
    mine = await world.cog.voting.my_votes(poll, fan.user_id)
    assert "the most this poll allows; react on one of your options again" in (mine.last_rejection.reason or "")
    await world.vote(message, fan, 0)  # takes A back: now C fits
    await world.wait_counts(poll, [0, 1, 0])
    await eventually(lambda: world.reacted(poll, message) == set())
    await world.vote(message, fan, 2)
    await world.wait_counts(poll, [0, 1, 1])
    await settled(world)
    assert world.reacted(poll, message) == set()


async def test_export_and_audit_give_no_names_even_to_moderators(world: PollWorld) -> None:
    poll, message = await world.create("Secret", "A | B | C", anonymous=True)
    young = world.fake.add_member(world.guild, "fresh", account_age=timedelta(days=2))
    await world.vote(message, young, 0)
    await world.vote(message, world.fans[0], 1)
    await world.wait_counts(poll, [1, 1, 0])
    await settled(world)
    voter_ids = {str(young.user_id), str(world.fans[0].user_id)}
    for member in (world.mod, world.fans[2]):
        rows = await exported_rows(world, poll.poll_id, member)
        assert ["1", "1", "A", "1", "50.00"] in rows and ["turnout", "2"] in rows
        assert ["user_id", "option", "label", "voted_at_utc"] not in rows
        assert not any(cell in voter_ids for row in rows for cell in row)
    body = await (await world.slash("poll audit", member=world.mod, poll=str(poll.poll_id))).response()
    text = body["data"]["embeds"][0]["description"]
    assert "when they voted**: 1" in text and "counts, never names" in text
    assert "<@" not in text and not any(user_id in text for user_id in voter_ids)


async def test_reactions_added_while_away_are_counted_then_removed_after_a_restart(world: PollWorld) -> None:
    poll, message = await world.create("Away", "A | B | C", anonymous=True)
    mover, keeper, newcomer, picky = world.fans[:4]
    await world.vote(message, mover, 0)
    await world.vote(message, keeper, 1)
    await world.wait_counts(poll, [1, 1, 0])
    await settled(world)
    await world.bots.stop(world.bot)
    await world.fake.react(message, mover, THREE, send_event=False)  # moves the single-choice vote
    await world.fake.react(message, keeper, TWO, send_event=False)  # on the counted option: no change
    await world.fake.react(message, newcomer, ONE, send_event=False)
    for emoji in (TWO, THREE):  # several while away: the lowest counts
        await world.fake.react(message, picky, emoji, send_event=False)
    world.bot = await world.bots.start()
    await world.ready_cog()
    await settled(world)
    assert await world.stored_votes(poll) == {
        (mover.user_id, 2), (keeper.user_id, 1), (newcomer.user_id, 0), (picky.user_id, 1),
    }  # fmt: skip
    assert world.reacted(poll, message) == set()
    await world.wait_shown(message, [1, 2, 1])


async def test_creation_without_manage_messages_is_refused_naming_it(world: PollWorld) -> None:
    world.fake.deny_bot(world.news, "manage_messages")
    await world.fake.update_channel(world.news)
    posts = len(world.fake.calls_to("POST", POLL_POSTS))
    options = {"question": "Secret?", "options": "A | B", "anonymous": True, "channel": world.news["id"]}
    record = await world.fake.slash_with("poll create", world.guild, world.general, world.creator, options)
    body = await record.response()
    content = body["data"]["content"]
    assert body["data"]["flags"] & EPHEMERAL
    assert "**Manage Messages**" in content and f"<#{world.news['id']}>" in content and "anonymous poll" in content
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM polls") == 0
    assert len(world.fake.calls_to("POST", POLL_POSTS)) == posts
    # The same poll, not anonymous, is fine there.
    options.pop("anonymous")
    record = await world.fake.slash_with("poll create", world.guild, world.general, world.creator, options)
    assert "is up in" in (await record.final_message())["content"]


async def test_rate_limited_removals_are_waited_out(world: PollWorld) -> None:
    poll, message = await world.create("Busy", "A | B | C", anonymous=True)
    world.fake.fail("DELETE", rf"/messages/{poll.message_id}/reactions/", 429, times=3, retry_after=0.05)
    for fan, option in zip(world.fans, [0, 1, 2, 0], strict=False):
        await world.vote(message, fan, option)
    await world.wait_counts(poll, [2, 1, 1])
    await settled(world)
    calls = world.fake.calls_to("DELETE", rf"/messages/{poll.message_id}/reactions/")
    assert sum(1 for call in calls if call.status == 429) == 3
    assert sum(1 for call in calls if call.status == 204) == 4
    assert world.reacted(poll, message) == set()
    assert await world.stored_counts(poll) == [2, 1, 1]
    assert poll.poll_id not in world.cog.problems
