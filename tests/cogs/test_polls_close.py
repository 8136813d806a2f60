"""Closing polls end to end: by command, at the deadline, after downtime (exactly once), and
what happens when Discord refuses: deleted messages and channels, 403 and 429 on edits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.db import SqliteDatabase
from bot.polls import PollStatus, PollStore, option_emoji
from tests.cogs.polls_world import (
    EPHEMERAL,
    JSON,
    PollWorld,
    embed_of,
    message_id,
    results_messages,
    shown_counts,
    start_world,
)
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord

ONE, TWO, THREE = option_emoji(3)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    return await start_world(fake, bots)


def results_posts(world: PollWorld, channel: JSON | None = None) -> list[JSON]:
    """The bodies Lightstick sent to post results messages."""
    channel_id = (channel or world.general)["id"]
    return [
        call.json
        for call in world.fake.calls_to("POST", rf"^/channels/{channel_id}/messages$")
        if call.json and call.json.get("embeds") and "results" in call.json["embeds"][0]["title"]
    ]


async def test_close_shows_final_counts_and_posts_ranked_results_with_a_chart(world: PollWorld) -> None:
    poll, message = await world.create("Best MV of 2024?", "Spell | WHIPLASH | Who")
    for fan, option in zip(world.fans, [0, 0, 1], strict=False):
        await world.vote(message, fan, option)
    await world.wait_counts(poll, [2, 1, 0])

    body = await (await world.slash("poll close", member=world.fans[0], poll=str(poll.poll_id))).response()
    assert body["data"]["flags"] & EPHEMERAL and "creator or someone with **Manage Server**" in body["data"]["content"]
    reply = await (await world.slash("poll close", poll=str(poll.poll_id))).final_message()
    assert reply["content"].startswith(f"Poll #{poll.poll_id} is closed")

    closed = await world.poll(poll.poll_id)
    assert closed.status is PollStatus.CLOSED and closed.results_message_id is not None
    shown = world.fake.messages[message_id(poll)]
    assert embed_of(shown)["description"].startswith("**This poll is closed.** Final counts:")
    assert shown_counts(shown) == [2, 1, 0]
    assert embed_of(shown)["footer"]["text"] == f"Poll #{poll.poll_id} · closed"

    [posted] = results_messages(world.fake, world.general)
    embed = embed_of(posted)
    assert embed["title"] == "Final results: Best MV of 2024?"
    lines = embed["description"].splitlines()
    assert lines[0] == f"**1.** {ONE} Spell — 2 votes (66.7%)"
    assert lines[1] == f"**2.** {TWO} WHIPLASH — 1 vote (33.3%)"
    assert "Turnout: 3 voters" in lines and f"Winner: {ONE} **Spell** (1) with 2 votes." in lines
    assert embed["image"]["url"] == "attachment://results.png"
    call = world.fake.calls_to("POST", rf"^/channels/{world.general['id']}/messages$")[-1]
    assert call.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert int(call.json["message_reference"]["message_id"]) == poll.message_id
    assert call.files[0][0] == "results.png" and call.files[0][1].startswith(PNG_MAGIC)

    await world.vote(message, world.fans[3], 2)  # too late: not counted
    await asyncio.sleep(0.1)
    assert await world.stored_counts(closed) == [2, 1, 0]  # and the votes are kept
    body = await (await world.slash("poll close", poll=str(poll.poll_id))).response()
    assert "already closed" in body["data"]["content"]
    assert len(results_messages(world.fake, world.general)) == 1


async def test_a_tie_and_no_votes_are_named(world: PollWorld) -> None:
    tie, message = await world.create("Tie?", "A | B | C")
    await world.vote(message, world.fans[0], 0)
    await world.vote(message, world.fans[1], 2)
    await world.wait_counts(tie, [1, 0, 1])
    empty, _ = await world.create("Anyone?", "A | B")
    for poll in (tie, empty):
        await (await world.slash("poll close", member=world.mod, poll=str(poll.poll_id))).final_message()
    await eventually(lambda: len(results_messages(world.fake, world.general)) == 2)
    texts = [embed_of(m)["description"] for m in results_messages(world.fake, world.general)]
    assert any(f"Tie between {ONE} A, {THREE} C with 1 vote each." in t for t in texts)
    assert any("No votes were cast." in t for t in texts)


async def test_polls_close_by_themselves_at_the_deadline(fake: FakeDiscord, bots: BotRunner) -> None:
    clock = FakeClock(datetime.now(UTC))
    world = await start_world(fake, bots, clock=clock)
    poll, message = await world.create("Quick one", "A | B | C", duration="10m")
    later, _ = await world.create("Later one", "A | B", duration="1h")
    await world.vote(message, world.fans[0], 1)
    await eventually(lambda: world.cog.voting.counted_for(poll.poll_id, world.fans[0].user_id) == (1,))
    reply = await world.reply("poll extend", poll=str(poll.poll_id), duration="30m")
    assert "now closes" in reply["content"]
    await clock.advance(timedelta(minutes=20))
    await asyncio.sleep(0.1)
    assert (await world.poll(poll.poll_id)).is_open  # extended: not yet
    await clock.advance(timedelta(minutes=21))
    await eventually(lambda: len(results_messages(fake, world.general)) == 1)
    closed = await world.poll(poll.poll_id)
    assert closed.status is PollStatus.CLOSED
    assert closed.closes_at == poll.closes_at + timedelta(minutes=30)
    assert (await world.poll(later.poll_id)).is_open
    await clock.advance(timedelta(minutes=30))
    await eventually(lambda: len(results_messages(fake, world.general)) == 2)


async def test_a_deadline_passed_while_down_closes_exactly_once_on_start(fake: FakeDiscord, bots: BotRunner) -> None:
    start = datetime.now(UTC)
    world = await start_world(fake, bots, clock=FakeClock(start))
    due, message = await world.create("Due while down", "A | B | C", duration="10m")
    still_open, _ = await world.create("Still open", "A | B", duration="1d")
    await world.vote(message, world.fans[0], 2)
    await world.vote(message, world.fans[1], 2)
    await world.wait_counts(due, [0, 0, 2])
    await bots.stop(world.bot)

    for hours in (1, 2):  # the first start closes it; the second finds nothing to do
        world.bot = await bots.start(clock=FakeClock(start + timedelta(hours=hours)))
        await eventually(lambda: len(results_messages(fake, world.general)) == 1, timeout=10)
        await eventually(lambda: world.cog.reconcile_passes >= 1, timeout=10)
        await asyncio.sleep(0.1)
        await bots.stop(world.bot)
    assert len(results_posts(world)) == 1
    world.bot = await bots.start()
    closed = await world.poll(due.poll_id)
    assert closed.status is PollStatus.CLOSED
    assert closed.closed_at is not None and closed.closed_at - start < timedelta(hours=1, minutes=1)
    assert "Winner: 3️⃣ **C** (3) with 2 votes." in embed_of(results_messages(fake, world.general)[0])["description"]
    assert (await world.poll(still_open.poll_id)).is_open


async def test_results_lost_in_a_crash_after_closing_are_posted_on_start(world: PollWorld) -> None:
    poll, message = await world.create()
    await world.vote(message, world.fans[0], 0)
    await world.wait_counts(poll, [1, 0, 0])
    await world.bots.stop(world.bot)
    database = SqliteDatabase(world.bots.database_path)  # what a crash between the two steps leaves behind
    await database.connect()
    assert await PollStore(database).close(poll.poll_id, datetime.now(UTC))
    await database.close()
    world.bot = await world.bots.start()
    await eventually(lambda: len(results_messages(world.fake, world.general)) == 1, timeout=10)
    await world.restart()
    await asyncio.sleep(0.2)
    assert len(results_posts(world)) == 1
    assert (await world.poll(poll.poll_id)).results_message_id is not None


async def test_results_posted_just_before_a_crash_are_not_posted_again(world: PollWorld) -> None:
    poll, _ = await world.create()
    await (await world.slash("poll close", poll=str(poll.poll_id))).final_message()
    posted = (await world.poll(poll.poll_id)).results_message_id
    assert posted is not None
    await world.bots.stop(world.bot)
    with contextlib.closing(sqlite3.connect(world.bots.database_path)) as connection:  # the record was lost
        connection.execute("UPDATE polls SET results_message_id = NULL")
        connection.commit()
    await world.restart()
    await eventually(lambda: world.fake.calls_to("GET", rf"^/channels/{world.general['id']}/messages$") != [])
    await world.cog.wait_idle()
    assert (await world.poll(poll.poll_id)).results_message_id == posted
    assert len(results_posts(world)) == 1


async def test_extend_rules(world: PollWorld) -> None:
    poll, _ = await world.create(duration="1h")
    body = await (
        await world.slash("poll extend", member=world.fans[0], poll=str(poll.poll_id), duration="1h")
    ).response()
    assert body["data"]["flags"] & EPHEMERAL and "creator or someone with **Manage Server**" in body["data"]["content"]
    body = await (await world.slash("poll extend", poll=str(poll.poll_id), duration="90d")).response()
    assert "at most 90 days from its creation" in body["data"]["content"]
    reply = await world.reply("poll extend", member=world.mod, poll=str(poll.poll_id), duration="2h")
    extended = await world.poll(poll.poll_id)
    assert extended.closes_at == poll.closes_at + timedelta(hours=2)
    assert f"<t:{int(extended.closes_at.timestamp())}:R>" in reply["content"]
    await eventually(
        lambda: (
            f"closes <t:{int(extended.closes_at.timestamp())}:R>"
            in embed_of(world.fake.messages[message_id(poll)])["description"]
        )
    )
    await (await world.slash("poll close", poll=str(poll.poll_id))).final_message()
    await eventually(lambda: len(results_messages(world.fake, world.general)) == 1)
    body = await (await world.slash("poll extend", poll=str(poll.poll_id), duration="1h")).response()
    assert "already closed" in body["data"]["content"]


async def test_a_deleted_poll_message_closes_that_poll_only(world: PollWorld) -> None:
    gone, gone_message = await world.create("Deleted", "A | B | C")
    kept, kept_message = await world.create("Kept", "A | B | C")
    await world.vote(gone_message, world.fans[0], 1)
    await world.wait_counts(gone, [0, 1, 0])
    await world.fake.delete_message_by_user(gone_message)
    await eventually(lambda: world.cog.voting.poll(gone.poll_id) is None)
    closed = await world.poll(gone.poll_id)
    assert closed.status is PollStatus.CLOSED_MISSING
    assert await world.stored_counts(closed) == [0, 1, 0]
    await world.vote(kept_message, world.fans[1], 2)
    await world.wait_counts(kept, [0, 0, 1])
    await world.wait_shown(kept_message, [0, 0, 1])
    assert results_messages(world.fake, world.general) == []
    body = await (await world.slash("poll results", poll=str(gone.poll_id))).response()
    assert "Final results" in body["data"]["embeds"][0]["title"]


async def test_a_deleted_channel_closes_its_polls(world: PollWorld) -> None:
    record = await world.fake.slash_with(
        "poll create", world.guild, world.general, world.creator,
        {"question": "In news", "options": "A | B", "channel": world.news["id"]},
    )  # fmt: skip
    await record.final_message()
    poll = await world.latest_poll()
    await world.fake.delete_channel(world.news)
    await eventually(lambda: world.cog.voting.poll(poll.poll_id) is None)
    assert (await world.poll(poll.poll_id)).status is PollStatus.CLOSED_MISSING


async def test_edit_errors_never_crash_and_other_polls_go_on(world: PollWorld) -> None:
    first, first_message = await world.create("First", "A | B | C")
    _, second_message = await world.create("Second", "A | B | C")
    fake = world.fake
    fake.fail("PATCH", rf"/messages/{first.message_id}$", 403, code=50013)
    await world.vote(first_message, world.fans[0], 0)
    await world.vote(second_message, world.fans[0], 1)
    await world.wait_shown(second_message, [0, 1, 0])
    await eventually(lambda: first.poll_id in world.cog.problems)
    body = await (await world.slash("poll list", member=world.mod)).response()
    assert "can't edit this poll's message" in body["data"]["embeds"][0]["description"]

    fake.fail("PATCH", rf"/messages/{first.message_id}$", 429, retry_after=0.1)  # waited out
    await world.vote(first_message, world.fans[1], 0)
    await world.wait_shown(first_message, [2, 0, 0])
    assert any(call.status == 429 for call in fake.calls_to("PATCH", rf"/messages/{first.message_id}$"))
    await eventually(lambda: first.poll_id not in world.cog.problems)  # the edit worked again

    del fake.messages[message_id(first)]  # deleted, and the event never arrived
    await world.vote(first_message, world.fans[2], 1)
    await eventually(lambda: world.cog.voting.poll(first.poll_id) is None)
    assert (await world.poll(first.poll_id)).status is PollStatus.CLOSED_MISSING
    await world.vote(second_message, world.fans[3], 1)
    await world.wait_shown(second_message, [0, 2, 0])


async def test_unreadable_reactions_are_noted_and_other_polls_still_reconcile(world: PollWorld) -> None:
    blocked, _ = await world.create("Blocked", "A | B | C")
    fine, fine_message = await world.create("Fine", "A | B | C")
    world.fake.fail("GET", rf"/messages/{blocked.message_id}$", 403, code=50001)
    await world.fake.react(fine_message, world.fans[0], TWO, send_event=False)
    passes = world.cog.reconcile_passes
    await world.fake.drop_connections()
    await eventually(lambda: world.cog.reconcile_passes > passes, timeout=10)
    assert "can't read this poll's reactions" in world.cog.problems[blocked.poll_id]
    assert (await world.poll(blocked.poll_id)).is_open
    assert await world.stored_counts(fine) == [0, 1, 0]


async def test_results_go_out_without_the_chart_when_files_are_not_allowed(world: PollWorld) -> None:
    poll, message = await world.create()
    await world.vote(message, world.fans[0], 1)
    await world.wait_counts(poll, [0, 1, 0])
    world.fake.deny_bot(world.general, "attach_files")
    await world.fake.update_channel(world.general)
    await (await world.slash("poll close", poll=str(poll.poll_id))).final_message()
    await eventually(lambda: len(results_messages(world.fake, world.general)) == 1)
    [posted] = results_messages(world.fake, world.general)
    assert "image" not in embed_of(posted) and posted["attachments"] == []


async def test_unload_writes_pending_votes(world: PollWorld) -> None:
    poll, message = await world.create()
    world.cog.voting.writer._max_delay = 30.0  # hold the batch: only the shutdown flush can write it
    await world.vote(message, world.fans[0], 2)
    await eventually(lambda: world.cog.voting.counted_for(poll.poll_id, world.fans[0].user_id) == (2,))
    assert world.cog.voting.writer.pending > 0
    await world.bots.stop(world.bot)
    with contextlib.closing(sqlite3.connect(world.bots.database_path)) as connection:
        rows = connection.execute("SELECT user_id, option FROM poll_votes").fetchall()
    assert rows == [(world.fans[0].user_id, 2)]


async def test_one_broken_poll_never_stops_the_others_from_closing(fake: FakeDiscord, bots: BotRunner) -> None:
    """A poll whose stored row can't be rendered (21 options, by hand) fails on its own: its
    results can't be posted on start, yet the other overdue poll still closes with its results
    and reconciliation still runs."""
    start = datetime.now(UTC)
    world = await start_world(fake, bots, clock=FakeClock(start))
    broken, _ = await world.create("Broken", "A | B | C", duration="10m")
    fine, message = await world.create("Fine", "A | B | C", duration="20m")
    await world.vote(message, world.fans[0], 1)
    await world.wait_counts(fine, [0, 1, 0])
    await bots.stop(world.bot)
    with contextlib.closing(sqlite3.connect(world.bots.database_path)) as connection:
        options = json.dumps([f"MV {i}" for i in range(21)])
        connection.execute("UPDATE polls SET options = ? WHERE poll_id = ?", (options, broken.poll_id))
        connection.commit()
    database = SqliteDatabase(world.bots.database_path)  # closed just before a crash, results not posted yet
    await database.connect()
    assert await PollStore(database).close(broken.poll_id, start + timedelta(minutes=10))
    await database.close()

    world.bot = await bots.start(clock=FakeClock(start + timedelta(hours=1)))
    await eventually(lambda: len(results_messages(fake, world.general)) == 1, timeout=10)
    await eventually(lambda: world.cog.reconcile_passes >= 1, timeout=10)
    assert "Final results: Fine" in embed_of(results_messages(fake, world.general)[0])["title"]
    assert (await world.poll(fine.poll_id)).status is PollStatus.CLOSED
    assert (await world.poll(broken.poll_id)).status is PollStatus.CLOSED
