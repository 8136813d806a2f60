"""`/poll create start:`: posted once at its time (and after downtime), listed, cancelled,
refused when bad; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from tests.cogs.polls_world import EPHEMERAL, JSON, PollWorld, embed_of, start_world
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord

POLL_POSTS = r"^/channels/\d+/messages$"


@pytest.fixture
def bots(engine_bots: BotRunner) -> BotRunner:
    return engine_bots


def poll_messages(world: PollWorld, question: str) -> list[JSON]:
    messages = world.fake.bot_messages(world.general)
    return [m for m in messages if m["embeds"] and m["embeds"][0].get("title") == question]


async def schedule(world: PollWorld, question: str, start: str) -> int:
    body = await world.reply("poll create", question=question, options="A | B | C", duration="1h", start=start)
    content = body["content"]
    assert "is scheduled" in content and "(UTC)" in content and ":F>" in content, content
    poll = await world.latest_poll()
    assert poll.is_scheduled
    return poll.poll_id


async def test_a_scheduled_poll_is_listed_then_posted_once_at_its_time(fake: FakeDiscord, bots: BotRunner) -> None:
    clock = FakeClock(datetime.now(UTC))
    world = await start_world(fake, bots, clock=clock)
    poll_id = await schedule(world, "Later?", "in 2h")
    listed = embed_of(await world.reply("poll list"))
    assert "Scheduled (1)" in listed["description"] and f"#{poll_id}" in listed["description"]
    await clock.advance(timedelta(hours=1))
    await asyncio.sleep(0.1)
    assert poll_messages(world, "Later?") == []
    await clock.advance(timedelta(hours=1, seconds=1))
    await eventually(lambda: len(poll_messages(world, "Later?")) == 1, timeout=10)

    async def recorded() -> bool:
        return (await world.poll(poll_id)).message_id is not None

    await eventually(recorded, timeout=10)
    poll = await world.poll(poll_id)
    assert poll.message_id == int(poll_messages(world, "Later?")[0]["id"]) and poll.is_open
    await world.wait_for_own_reactions(poll, poll_messages(world, "Later?")[0])
    assert "Scheduled" not in embed_of(await world.reply("poll list"))["description"]
    await clock.advance(timedelta(hours=1))  # it closes an hour after its start
    await eventually(lambda: not world.cog.voting.poll(poll_id), timeout=10)
    assert len(poll_messages(world, "Later?")) == 1


async def test_a_start_passed_while_down_is_posted_once_on_start(fake: FakeDiscord, bots: BotRunner) -> None:
    start = datetime.now(UTC)
    world = await start_world(fake, bots, clock=FakeClock(start))
    poll_id = await schedule(world, "During downtime?", "in 1h")
    await bots.stop(world.bot)
    for minutes in (180, 210):  # the first start posts it; the second finds nothing to do
        world.bot = await bots.start(clock=FakeClock(start + timedelta(minutes=minutes)))
        await eventually(lambda: len(poll_messages(world, "During downtime?")) == 1, timeout=10)
        await eventually(lambda: world.cog.reconcile_passes >= 1, timeout=10)
        await asyncio.sleep(0.1)
        await bots.stop(world.bot)
    world.bot = await bots.start(clock=FakeClock(start + timedelta(minutes=210)))
    poll = await world.poll(poll_id)
    assert poll.is_open and poll.message_id is not None
    assert abs(poll.closes_at - (start + timedelta(hours=4))) < timedelta(seconds=1)  # a full hour from its post
    assert len(poll_messages(world, "During downtime?")) == 1


async def test_cancel_stops_a_scheduled_poll(fake: FakeDiscord, bots: BotRunner) -> None:
    clock = FakeClock(datetime.now(UTC))
    world = await start_world(fake, bots, clock=clock)
    poll_id = await schedule(world, "Cancelled?", "in 1h")
    refused = await world.reply("poll cancel", member=world.fans[0], poll=str(poll_id))
    assert "creator" in refused["content"]
    body = await world.reply("poll cancel", poll=str(poll_id))
    assert "cancelled" in body["content"]
    await clock.advance(timedelta(hours=2))
    await asyncio.sleep(0.2)
    assert poll_messages(world, "Cancelled?") == []
    assert "Scheduled" not in embed_of(await world.reply("poll list"))["description"]
    posted, _ = await world.create("Posted")
    body = await world.reply("poll cancel", poll=str(posted.poll_id))
    assert "/poll close" in body["content"]


@pytest.mark.parametrize(
    ("start", "expected"),
    [("2020-01-01 20:00", "in the past"), ("in 91d", "at most 90 days"), ("whenever", "can't read the start")],
)
async def test_a_bad_start_is_refused_and_writes_nothing(
    fake: FakeDiscord, bots: BotRunner, start: str, expected: str
) -> None:
    world = await start_world(fake, bots)
    posts = len(fake.calls_to("POST", POLL_POSTS))
    options = {"question": "Bad?", "options": "A | B", "start": start}
    record = await fake.slash_with("poll create", world.guild, world.general, world.creator, options)
    body = await record.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert expected in body["data"]["content"]
    assert int(await world.bot.db.fetchval("SELECT COUNT(*) FROM polls")) == 0
    assert len(fake.calls_to("POST", POLL_POSTS)) == posts
