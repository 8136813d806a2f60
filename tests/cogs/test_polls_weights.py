"""Role-weighted polls, `/poll reopen` and `/poll again` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.polls import PollStatus, option_emoji
from tests.cogs.polls_world import (
    EPHEMERAL,
    PollWorld,
    embed_of,
    message_id,
    results_messages,
    shown_counts,
    start_world,
)
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild

ONE, TWO, THREE = option_emoji(3)
POLL_POSTS = r"^/channels/\d+/messages$"


@pytest.fixture
def bots(engine_bots: BotRunner) -> BotRunner:
    return engine_bots


class Roles:
    members = 0
    twin_a = 0
    twin_b = 0


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    def add_roles(fake: FakeDiscord, guild: Guild) -> None:
        Roles.members = fake.add_role(guild, "Members")
        Roles.twin_a = fake.add_role(guild, "Twin")
        Roles.twin_b = fake.add_role(guild, "Twin")

    return await start_world(fake, bots, before_start=add_roles)


async def poll_rows(world: PollWorld) -> int:
    return int(await world.bot.db.fetchval("SELECT COUNT(*) FROM polls"))


async def export_rows(world: PollWorld, poll_id: int, member: Any) -> list[list[str]]:
    record = await world.slash("poll export", member=member, poll=str(poll_id))
    await record.response()
    call = world.fake.calls_to("POST", rf"/interactions/{record.id}/")[-1]
    return list(csv.reader(io.StringIO(call.files[0][1].decode())))


async def test_weighted_tallies_with_overlapping_roles(world: PollWorld) -> None:
    poll, message = await world.create(
        "Weighted", "A | B | C", choices=2, weights=f"@Mods=3, <@&{Roles.members}>=2"
    )  # fmt: skip
    assert poll.weights == ((world.mods_role, 3), (Roles.members, 2))
    both = world.fake.add_member(world.guild, "both", roles=[world.mods_role, Roles.members])
    member = world.fake.add_member(world.guild, "member", roles=[Roles.members])
    other = world.fake.add_member(world.guild, "other", roles=[world.voters_role])
    await world.vote(message, both, 0)  # 3: the highest of their roles
    await world.vote(message, both, 1)  # 3
    await world.vote(message, member, 0)  # 2
    await world.vote(message, other, 1)  # 1
    await world.vote(message, world.fans[0], 2)  # 1
    await world.wait_counts(poll, [5, 4, 1])
    await world.wait_shown(message, [5, 4, 1])
    description = embed_of(world.fake.messages[message_id(poll)])["description"]
    assert "` 5 (71%) · 2 voters" in description  # 5 of the voters' total weight 3 + 2 + 1 + 1
    assert "**4 voters** · weighing 7 in all" in description
    assert f"weighted: <@&{world.mods_role}> ×3, <@&{Roles.members}> ×2, others ×1" in description

    body = await (await world.slash("poll results", member=world.fans[1], poll=str(poll.poll_id))).response()
    text = body["data"]["embeds"][0]["description"]
    assert text.splitlines()[0] == f"**1.** {ONE} A — 5 weighted votes from 2 voters (71.4%)"
    assert "Turnout: 4 voters (weighing 7 in all)" in text
    assert f"Leading: {ONE} **A** (1) with 5 weighted votes." in text

    rows = await export_rows(world, poll.poll_id, world.fans[1])
    assert ["turnout", "4"] in rows and ["turnout_weight", "7"] in rows
    assert ["rank", "option", "label", "weighted_votes", "voters", "percent"] in rows
    assert ["1", "1", "A", "5", "2", "71.43"] in rows and ["2", "2", "B", "4", "2", "57.14"] in rows
    rows = await export_rows(world, poll.poll_id, world.mod)
    assert ["user_id", "option", "label", "voted_at_utc", "weight"] in rows
    weights = {(row[0], row[1]): row[4] for row in rows if len(row) == 5 and row[0].isdigit()}
    assert weights[(str(both.user_id), "1")] == "3" and weights[(str(member.user_id), "1")] == "2"
    assert weights[(str(other.user_id), "2")] == "1"

    # Roles change after the votes, then a restart with reactions added while away: the votes
    # counted keep their weight; the new one weighs what its voter weighs now.
    world.guild.members[member.user_id].roles = [world.mods_role]
    await world.bots.stop(world.bot)
    await world.fake.react(message, member, THREE, send_event=False)
    await world.fake.unreact(message, both, TWO, send_event=False)
    world.bot = await world.bots.start()
    await world.ready_cog()
    await world.cog.wait_idle()
    await world.wait_counts(poll, [5, 1, 4])
    results = await world.cog.voting.results(poll)
    assert results == world.cog.voting.live_results(poll.poll_id)
    assert [results.for_option(o).voters for o in range(3)] == [2, 1, 2]
    assert (results.turnout, results.turnout_weight) == (4, 3 + 3 + 1 + 1)  # member: 2 then 3, highest counts
    await world.wait_shown(message, [5, 1, 4])


BAD_WEIGHTS: list[tuple[str, str]] = [
    ("@Nobody=2", "There is no role named @Nobody in this server"),
    ("<@&12345>=2", "There is no role <@&12345> in this server"),
    ("@Mods=0", "The weight of @Mods is 0; weights must be from 1 to 100"),
    ("@Mods=-3", "The weight of @Mods is -3; weights must be from 1 to 100"),
    ("@Mods=101", "The weight of @Mods is 101; weights must be from 1 to 100"),
    ("@Mods=2.5", "a weight is a whole number from 1 to 100"),
    ("@Mods", "can't read the weight"),
    ("@everyone=2", "@everyone can't have a weight"),
    ("@Mods=2, @mods=3", "is given a weight twice"),
    ("@Twin=2", "Several roles are called @Twin"),
]


@pytest.mark.parametrize(("weights", "expected"), BAD_WEIGHTS, ids=[w for w, _ in BAD_WEIGHTS])
async def test_every_bad_weights_input_is_refused_and_nothing_is_written(
    world: PollWorld, weights: str, expected: str
) -> None:
    posts = len(world.fake.calls_to("POST", POLL_POSTS))
    record = await world.slash("poll create", question="Best?", options="A | B", weights=weights)
    body = await record.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert expected in body["data"]["content"]
    assert await poll_rows(world) == 0
    assert len(world.fake.calls_to("POST", POLL_POSTS)) == posts


async def test_reopen_keeps_the_votes_and_the_deadline_closes_it_again(fake: FakeDiscord, bots: BotRunner) -> None:
    clock = FakeClock(datetime.now(UTC))
    world = await start_world(fake, bots, clock=clock)
    poll, message = await world.create("Again?", "A | B | C", duration="1h")
    await world.vote(message, world.fans[0], 0)
    await world.vote(message, world.fans[1], 1)
    await world.wait_counts(poll, [1, 1, 0])
    await (await world.slash("poll close", poll=str(poll.poll_id))).final_message()
    assert len(results_messages(fake, world.general)) == 1

    body = await (
        await world.slash("poll reopen", member=world.fans[0], poll=str(poll.poll_id), duration="1h")
    ).response()
    assert body["data"]["flags"] & EPHEMERAL and "creator or someone with **Manage Server**" in body["data"]["content"]
    reply = await world.reply("poll reopen", member=world.mod, poll=str(poll.poll_id), duration="10m")
    assert reply["content"].startswith(f"Poll #{poll.poll_id} is open again, its votes kept")
    reopened = await world.poll(poll.poll_id)
    assert reopened.status is PollStatus.OPEN
    assert int(reopened.closes_at.timestamp()) == int((clock.now() + timedelta(minutes=10)).timestamp())
    shown = embed_of(world.fake.messages[message_id(poll)])
    assert not shown["description"].startswith("**This poll is closed.**")
    assert shown["footer"]["text"] == f"Poll #{poll.poll_id}"
    assert shown_counts(world.fake.messages[message_id(poll)]) == [1, 1, 0]
    body = await (await world.slash("poll reopen", poll=str(poll.poll_id), duration="1h")).response()
    assert "still open" in body["data"]["content"]

    await world.vote(message, world.fans[2], 2)  # counts again
    await world.wait_counts(poll, [1, 1, 1])
    await world.wait_shown(message, [1, 1, 1])
    await clock.advance(timedelta(minutes=11))  # the close dispatcher knows the new deadline
    await eventually(lambda: len(results_messages(fake, world.general)) == 2)

    async def results_recorded() -> bool:  # the message is posted first, then recorded
        return (await world.poll(poll.poll_id)).results_message_id is not None

    await eventually(results_recorded)
    closed = await world.poll(poll.poll_id)
    assert closed.status is PollStatus.CLOSED
    assert "Tie between" in embed_of(results_messages(fake, world.general)[-1])["description"]


async def test_reopen_refuses_a_poll_whose_message_is_gone(world: PollWorld) -> None:
    poll, message = await world.create("Gone", "A | B")
    await (await world.slash("poll close", poll=str(poll.poll_id))).final_message()
    await world.fake.delete_message_by_user(message)
    await asyncio.sleep(0.05)
    body = await (await world.slash("poll reopen", poll=str(poll.poll_id), duration="1h")).final_message()
    assert body["flags"] & EPHEMERAL
    assert "can't be reopened: its message was deleted. `/poll again` posts it anew." in body["content"]
    assert (await world.poll(poll.poll_id)).status is PollStatus.CLOSED


async def test_again_posts_the_same_poll_anew_with_no_votes(world: PollWorld) -> None:
    poll, message = await world.create(
        "Round one", "A | B | C", choices=2, anonymous=True, weights="@Mods=4", duration="2h",
        role=world.voters_role, min_account_age=5,
    )  # fmt: skip
    voter = world.fake.add_member(world.guild, "voter", roles=[world.voters_role])
    await world.vote(message, voter, 0)
    await world.wait_counts(poll, [1, 0, 0])
    body = await (await world.slash("poll again", member=world.fans[0], poll=str(poll.poll_id))).response()
    assert body["data"]["flags"] & EPHEMERAL and "creator or someone with **Manage Server**" in body["data"]["content"]

    reply = await world.reply("poll again", member=world.mod, poll=str(poll.poll_id))
    assert "is up in" in reply["content"]
    fresh = await world.latest_poll()
    assert fresh.poll_id != poll.poll_id and fresh.message_id != poll.message_id
    assert (fresh.question, fresh.options, fresh.choices, fresh.anonymous, fresh.weights) == (
        poll.question, poll.options, 2, True, ((world.mods_role, 4),),
    )  # fmt: skip
    assert (fresh.role_id, fresh.min_account_age_days, fresh.channel_id) == (world.voters_role, 5, poll.channel_id)
    assert fresh.closes_at - fresh.created_at == timedelta(hours=2) and fresh.creator_id == world.mod.user_id
    assert await world.stored_counts(fresh) == [0, 0, 0]
    fresh_message = world.fake.messages[message_id(fresh)]
    await world.wait_for_own_reactions(fresh, fresh_message)
    assert shown_counts(fresh_message) == [0, 0, 0]
    await world.vote(fresh_message, voter, 2)
    await world.wait_counts(fresh, [0, 0, 1])
    assert await world.stored_counts(poll) == [1, 0, 0]  # the first poll is untouched
