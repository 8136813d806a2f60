"""Reconciliation end to end: reactions changed while Lightstick was disconnected, stopped or
killed become the counted votes, under the poll's rules; nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.polls import PollStatus, option_emoji
from bot.scheduler import cancel_and_wait
from tests.cogs.polls_world import JSON, PollWorld, build_guild, message_id, results_messages, start_world
from tests.conftest import BotRunner, eventually, spawn_bot_process, wait_for_output
from tests.fakediscord import FakeDiscord
from tests.fakediscord.payloads import snowflake

ONE, TWO, THREE = option_emoji(3)


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    return await start_world(fake, bots)


async def reconnect(world: PollWorld, *, fresh: bool = False) -> None:
    """Drop the gateway; the bot resumes (or, if `fresh`, must IDENTIFY again) and reconciles."""
    await world.cog.wait_idle()
    passes = world.cog.reconcile_passes
    world.fake.refuse_resume = fresh
    await world.fake.drop_connections()
    await eventually(lambda: world.cog.reconcile_passes > passes, timeout=10)
    await world.cog.wait_idle()


async def test_reactions_changed_while_disconnected_are_reconciled_on_resume(world: PollWorld) -> None:
    poll, message = await world.create()
    fan0, fan1, fan2 = world.fans[:3]
    await world.vote(message, fan0, 0)
    await world.vote(message, fan1, 1)
    await world.wait_counts(poll, [1, 1, 0])
    await world.fake.unreact(message, fan0, ONE, send_event=False)
    await world.fake.react(message, fan2, THREE, send_event=False)
    await world.fake.react(message, fan1, ONE, send_event=False)  # breaks "pick 1": the counted vote stands
    await reconnect(world)
    assert world.fake.resumes == 1
    assert await world.stored_votes(poll) == {(fan1.user_id, 1), (fan2.user_id, 2)}
    assert fan1.user_id not in world.fake.reaction_users(message, ONE)
    assert world.reacted(poll, message) == await world.stored_votes(poll)
    await world.wait_shown(message, [0, 1, 1])
    mine = await world.cog.voting.my_votes(poll, fan1.user_id)
    assert "the vote already counted stands" in (mine.last_rejection.reason or "")


async def test_a_fresh_identify_after_a_reconnect_reconciles_too(world: PollWorld) -> None:
    poll, message = await world.create()
    await world.fake.react(message, world.fans[0], TWO, send_event=False)

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before a repeated IDENTIFY; the fake needs no such courtesy."""

    world.bot.before_identify_hook = identify_now  # type: ignore[method-assign]
    await reconnect(world, fresh=True)
    assert world.fake.identifies == 2 and world.fake.resumes == 0
    assert await world.stored_counts(poll) == [0, 1, 0]


async def test_a_restart_counts_what_changed_while_lightstick_was_stopped(world: PollWorld) -> None:
    poll, message = await world.create("Pick two", "A | B | C", choices=2)
    fan0, fan1, fan2 = world.fans[:3]
    await world.vote(message, fan0, 0)
    await world.vote(message, fan1, 0)
    await world.wait_counts(poll, [2, 0, 0])
    await world.bots.stop(world.bot)
    await world.fake.unreact(message, fan1, ONE, send_event=False)
    await world.fake.react(message, fan1, TWO, send_event=False)
    for emoji in (ONE, TWO, THREE):  # three reactions, two allowed: the lowest two count
        await world.fake.react(message, fan2, emoji, send_event=False)
    world.bot = await world.bots.start()
    await world.ready_cog()
    await world.cog.wait_idle()
    assert await world.stored_votes(poll) == {
        (fan0.user_id, 0), (fan1.user_id, 1), (fan2.user_id, 0), (fan2.user_id, 1),
    }  # fmt: skip
    assert world.reacted(poll, message) == await world.stored_votes(poll)
    await world.wait_shown(message, [2, 2, 0])


async def test_reading_reactions_pages_100_users_a_call(world: PollWorld) -> None:
    poll, _ = await world.create()
    old = datetime.now(UTC) - timedelta(days=500)
    voters = [snowflake(old) for _ in range(250)]
    for user_id in voters:
        world.fake.add_reaction_state(message_id(poll), TWO, user_id)
    calls_before = len(world.fake.calls)
    await reconnect(world)
    reads = [c for c in world.fake.calls[calls_before:] if c.method == "GET" and "/reactions/" in c.path]
    assert len(reads) == 3  # 250 members + Lightstick's own reaction, 100 a page
    assert all(call.path.endswith(f"/reactions/{TWO}") for call in reads)
    assert [call.query.get("limit") for call in reads] == ["100", "100", "51"]
    assert await world.stored_counts(poll) == [0, 250, 0]


async def test_role_rules_look_up_only_members_lightstick_has_not_seen(world: PollWorld) -> None:
    poll, message = await world.create("Voters only", "A | B | C", choices=2, role=world.voters_role)
    seen = world.fake.add_member(world.guild, "seen", roles=[world.voters_role])
    unseen = world.fake.add_member(world.guild, "unseen", roles=[world.voters_role])
    gone = world.fake.add_member(world.guild, "gone", roles=[world.voters_role])
    no_role = world.fake.add_member(world.guild, "norole")
    await world.vote(message, seen, 0)
    await world.wait_counts(poll, [1, 0, 0])
    del world.guild.members[gone.user_id]  # left the server while Lightstick was away
    await world.fake.react(message, seen, TWO, send_event=False)
    for member in (unseen, gone, no_role):
        await world.fake.react(message, member, ONE, send_event=False)
    await reconnect(world)
    looked_up = {int(call.path.rsplit("/", 1)[1]) for call in world.fake.calls_to("GET", r"^/guilds/\d+/members/")}
    assert looked_up == {unseen.user_id, gone.user_id, no_role.user_id}
    assert await world.stored_votes(poll) == {(seen.user_id, 0), (seen.user_id, 1), (unseen.user_id, 0)}
    assert world.reacted(poll, message) == await world.stored_votes(poll)
    reason = (await world.cog.voting.my_votes(poll, gone.user_id)).last_rejection.reason
    assert reason == "you are no longer a member of this server"


async def test_missing_message_or_channel_found_on_start_closes_those_polls_only(world: PollWorld) -> None:
    first, first_message = await world.create("First", "A | B | C")
    second, second_message = await world.create("Second", "A | B | C")
    elsewhere = world.news
    third_body = await world.fake.slash_with(
        "poll create", world.guild, world.general, world.creator,
        {"question": "Third", "options": "A | B", "channel": elsewhere["id"]},
    )  # fmt: skip
    await third_body.final_message()
    await world.vote(first_message, world.fans[0], 2)
    await world.wait_counts(first, [0, 0, 1])
    await world.bots.stop(world.bot)
    del world.fake.messages[message_id(first)]  # deleted while Lightstick was stopped
    world.fake.channels.pop(int(elsewhere["id"]))
    world.guild.channels.pop(int(elsewhere["id"]))
    await world.fake.react(second_message, world.fans[1], TWO, send_event=False)
    world.bot = await world.bots.start()
    await world.ready_cog()
    await world.cog.wait_idle()
    closed = await world.poll(first.poll_id)
    assert closed.status is PollStatus.CLOSED_MISSING
    assert await world.stored_counts(closed) == [0, 0, 1]  # votes kept
    third = await world.poll(second.poll_id + 1)
    assert third.question == "Third" and third.status is PollStatus.CLOSED_MISSING
    assert (await world.poll(second.poll_id)).is_open
    assert await world.stored_counts(second) == [0, 1, 0]
    assert results_messages(world.fake, world.general) == []


async def drain(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    while await process.stdout.readline():
        pass


def stored_pairs(path: Path) -> set[tuple[int, int]]:
    """(user, option) votes in the database file, read while the bot process runs or after it died."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return set(connection.execute("SELECT user_id, option FROM poll_votes").fetchall())


def reacted_pairs(fake: FakeDiscord, message: JSON, emojis: tuple[str, ...]) -> set[tuple[int, int]]:
    return {
        (user, option)
        for option, emoji in enumerate(emojis)
        for user in fake.reaction_users(message, emoji)
        if user != fake.app_id
    }


async def test_killed_in_a_storm_of_votes_nothing_is_lost_or_doubled(fake: FakeDiscord, bots: BotRunner) -> None:
    guild, _, _ = build_guild(fake)
    general = fake.channel(guild, "general")
    creator = fake.add_member(guild, "creator")
    fans = [fake.add_member(guild, f"fan{i}") for i in range(25)]
    alt = fake.add_member(guild, "alt", account_age=timedelta(days=2))
    members = [*fans, alt]
    emojis = option_emoji(4)
    process = await spawn_bot_process(fake, bots.database_path)
    drainer: asyncio.Task[None] | None = None
    try:
        await wait_for_output(process, "logged in as", timeout=30)
        drainer = asyncio.create_task(drain(process))
        record = await fake.slash(
            "poll create", guild, general, creator, question="Storm", options="A | B | C | D", choices=2,
            min_account_age=7,
        )  # fmt: skip
        await record.final_message(timeout=10)
        message = next(m for m in fake.bot_messages(general) if m["embeds"] and m["embeds"][0]["title"] == "Storm")
        await eventually(lambda: all(fake.app_id in fake.reaction_users(message, e) for e in emojis), timeout=10)

        rng = random.Random(7)

        async def toggle(send_event: bool) -> None:
            member, emoji = rng.choice(members), rng.choice(emojis)
            if member.user_id in fake.reaction_users(message, emoji):
                await fake.unreact(message, member, emoji, send_event=send_event)
            else:
                await fake.react(message, member, emoji, send_event=send_event)

        for _ in range(150):  # a steady stream: Lightstick writes batches and removes reactions
            await toggle(True)
            await asyncio.sleep(0.003)
        await eventually(lambda: bool(stored_pairs(bots.database_path)), timeout=10)
        for _ in range(150):  # then a burst, and the process dies in the middle of it
            await toggle(True)
        process.kill()  # SIGKILL: no clean shutdown, queued writes and pending edits die with it
        await process.wait()
        await eventually(lambda: not fake.sockets, timeout=10)
        at_kill = stored_pairs(bots.database_path)
        assert at_kill and at_kill != reacted_pairs(fake, message, emojis)  # something was in flight
        for _ in range(120):  # members keep reacting while Lightstick is down
            await toggle(False)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await cancel_and_wait(drainer)

    bot = await bots.start()
    world = PollWorld(fake, bots, bot, guild, general, fake.channel(guild, "news"), 0, 0, creator, creator, fans)
    await world.ready_cog()
    await world.cog.wait_idle()
    poll = await world.latest_poll()
    stored = await world.stored_votes(poll)
    assert stored == world.reacted(poll, message)  # every remaining reaction counted, nothing else
    assert all(user != alt.user_id for user, _ in stored)  # the young account's reactions were removed
    assert not any(alt.user_id in fake.reaction_users(message, e) for e in emojis)
    per_member: dict[int, int] = {}
    for user, _ in stored:
        per_member[user] = per_member.get(user, 0) + 1
    assert max(per_member.values()) <= 2
    counts = await world.stored_counts(poll)
    assert counts == [sum(1 for _, option in stored if option == i) for i in range(4)]
    rows = await bot.db.fetchval("SELECT COUNT(*) FROM poll_votes WHERE poll_id = ?", (poll.poll_id,))
    assert rows == len(stored) > 0
    await world.wait_shown(message, counts)
    assert sum(counts) > 10
