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


@pytest.mark.parametrize("crash", ["after claiming", "after posting"])
async def test_a_crash_between_claiming_and_recording_posts_the_poll_once(
    fake: FakeDiscord, bots: BotRunner, monkeypatch: pytest.MonkeyPatch, crash: str
) -> None:
    """The claim is written, then the process dies before the post (or after the post, before
    its message is recorded): after the restart the poll is up exactly once, counting votes.
    The fake clock stays behind real time, so the restart's look at the channel's messages
    since the claim sees the fake's (real-time) message ids as Discord's would be."""
    from bot.polls.store import PollStore

    start = datetime.now(UTC) - timedelta(hours=1)
    clock = FakeClock(start)
    world = await start_world(fake, bots, clock=clock)
    poll_id = await schedule(world, "Crash?", "in 30m")
    crashed: list[str] = []
    name = "claim_start" if crash == "after claiming" else "attach_message"
    original = getattr(PollStore, name)

    async def dies(self: PollStore, *args: object, **kwargs: object) -> object:
        """The claim is written before the death; the message id is not."""
        if crashed:
            return await original(self, *args, **kwargs)
        crashed.append(name)
        if name == "claim_start":
            await original(self, *args, **kwargs)
        raise RuntimeError(f"the process died {crash}")

    monkeypatch.setattr(PollStore, name, dies)
    await clock.advance(timedelta(minutes=31))
    await eventually(lambda: crashed == [name], timeout=10)
    await asyncio.sleep(0.1)
    assert len(poll_messages(world, "Crash?")) == (0 if crash == "after claiming" else 1)
    stale = await world.poll(poll_id)
    assert stale.is_scheduled  # claimed, no message recorded

    for minutes in (32, 33):  # the first start finishes it; the second finds nothing to do
        await world.restart(clock=FakeClock(start + timedelta(minutes=minutes)))

        async def recorded() -> bool:
            return (await world.poll(poll_id)).message_id is not None

        await eventually(recorded, timeout=10)
        await asyncio.wait_for(world.cog.wait_idle(), 10)
        (message,) = poll_messages(world, "Crash?")
        poll = await world.poll(poll_id)
        assert poll.message_id == int(message["id"]) and poll.is_open
        await world.wait_for_own_reactions(poll, message)
    await world.vote(message, world.fans[0], 1)
    await world.wait_counts(poll, [0, 1, 0])


async def test_a_start_is_read_in_the_storyline_timezone_and_posted_at_that_local_time(
    fake: FakeDiscord, bots: BotRunner
) -> None:
    start = datetime(2026, 3, 1, 3, tzinfo=UTC)  # 12:00 in Seoul
    clock = FakeClock(start)
    world = await start_world(fake, bots, clock=clock)
    setup = {"channel": int(world.news["id"]), "time": "21:00", "timezone": "Asia/Seoul"}
    record = await fake.slash_with("storyline setup", world.guild, world.general, world.mod, setup)
    await record.final_message()
    body = await world.reply("poll create", question="Seoul time?", options="A | B", duration="1h",
                             start="tomorrow 20:00")  # fmt: skip
    assert "2026-03-02 20:00 (Asia/Seoul)" in body["content"] and "UTC" not in body["content"], body
    poll = await world.latest_poll()
    local_start = datetime(2026, 3, 2, 11, tzinfo=UTC)  # 20:00 in Seoul (UTC+9)
    assert poll.starts_at == local_start
    await clock.set(local_start - timedelta(minutes=1))
    await asyncio.sleep(0.2)
    assert poll_messages(world, "Seoul time?") == []
    await clock.set(local_start)
    await eventually(lambda: len(poll_messages(world, "Seoul time?")) == 1, timeout=10)
