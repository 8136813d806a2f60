"""Scale-out end to end: real `python -m bot` children under the supervisor, one PostgreSQL,
a few hundred guilds of the fake Discord spread over shards.

Every scheduled guild gets its storyline once; polls on different shards count votes; a
child killed with SIGKILL in a vote storm is restarted and loses nothing; and a restart with
another shard and process count finds the same state and gives the same answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.db.postgres import PostgresDatabase
from bot.paths import PROJECT_DIR
from bot.polls import option_emoji
from bot.storyline.models import StorylineConfig
from bot.storyline.store import StorylineStore
from cogs.storyline.render import post_title
from tests.conftest import bot_process_env, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild, Member
from tests.pg import PostgresServer

GUILDS = 180
SCHEDULED = 90
FIRST_SHARDS, FIRST_PROCESSES = 6, 3
SECOND_SHARDS, SECOND_PROCESSES = 4, 2
POLL_OPTIONS = "Spell | WHIPLASH | Supernova"
EMOJI = option_emoji(3)


@dataclass
class Fleet:
    """The supervisor process and what it has printed."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    def children(self) -> dict[int, int]:
        """Process index → pid of each running child."""
        found = {}
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for pid in path.read_text().split():
            with contextlib.suppress(OSError):
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                for item in environ:
                    if item.startswith(b"LIGHTSTICK_PROCESS_INDEX="):
                        found[int(item.split(b"=", 1)[1])] = int(pid)
        return found

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 5)
        return code


async def start_fleet(fake: FakeDiscord, url: str, tmp_path: Path, shards: int, processes: int) -> Fleet:
    env = bot_process_env(
        fake,
        tmp_path / "unused.db",
        DATABASE_URL=url,
        SHARD_COUNT=str(shards),
        LIGHTSTICK_FAKE_IDENTIFY_INTERVAL="0.1",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord.runner",
        "--processes",
        str(processes),
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    fleet = Fleet(process)

    async def read() -> None:
        assert process.stdout is not None
        while raw := await process.stdout.readline():
            fleet.lines.append(raw.decode(errors="replace"))

    fleet.reader = asyncio.create_task(read())
    return fleet


def all_shards_connected(fake: FakeDiscord, shards: int) -> bool:
    connected = {shard for shard in fake.socket_shards.values() if shard[1] == shards}
    return len(connected) == shards


async def wait_until_ready(
    fake: FakeDiscord, fleet: Fleet, shards: int, *, since: int = 0, expect: int | None = None, timeout: float = 60
) -> None:
    """Until every shard is connected and `expect` shards logged "ready" after line `since`."""

    def ready() -> bool:
        if fleet.process.returncode is not None:
            raise AssertionError("the supervisor stopped:\n" + "".join(fleet.lines[-40:]))
        readied = sum("ready with" in line for line in fleet.lines[since:])
        return all_shards_connected(fake, shards) and readied >= (shards if expect is None else expect)

    await eventually(ready, timeout=timeout, interval=0.1)


async def seed_schedules(url: str, fake: FakeDiscord, guilds: list[Guild]) -> None:
    """Storyline schedules due a minute ago, written as /storyline setup would write them."""
    database = PostgresDatabase(url)
    await database.connect()
    try:
        store = StorylineStore(database)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        due = now - timedelta(minutes=2)
        for guild in guilds:
            channel = fake.channel(guild, "general")
            config = StorylineConfig(guild.id, int(channel["id"]), due.time(), "UTC", thread=False)
            await store.save_setup(config, due - timedelta(minutes=1))
    finally:
        await database.close()


def storyline_posts(fake: FakeDiscord, guilds: list[Guild]) -> dict[int, int]:
    """Guild → how many storyline posts the bot made in its channel."""
    counts = {}
    for guild in guilds:
        messages = fake.bot_messages(fake.channel(guild, "general"))
        counts[guild.id] = sum(1 for m in messages if is_storyline_post(m))
    return counts


def is_storyline_post(message: dict[str, Any]) -> bool:
    prefix = post_title(date(2000, 1, 1)).split(" — ")[0]  # "Storyline of the day"
    return any(str(embed.get("title", "")).startswith(prefix) for embed in message.get("embeds", []))


@dataclass
class PollOnShard:
    guild: Guild
    message: dict[str, Any]
    voters: list[Member]


async def create_poll(fake: FakeDiscord, guild: Guild, creator: Member) -> dict[str, Any]:
    channel = fake.channel(guild, "general")
    before = {int(m["id"]) for m in fake.bot_messages(channel)}
    record = await fake.slash("poll create", guild, channel, creator, question="Best MV?", options=POLL_OPTIONS)
    body = await record.final_message(timeout=15)
    assert "is up in" in body.get("content", ""), body

    def posted() -> dict[str, Any] | None:
        new = [m for m in fake.bot_messages(channel) if int(m["id"]) not in before]
        return new[0] if new else None

    await eventually(lambda: posted() is not None, timeout=10)
    message = posted()
    assert message is not None
    await eventually(lambda: len(fake.reactions.get(int(message["id"]), {})) == 3, timeout=10)
    return message


def reaction_counts(fake: FakeDiscord, poll: PollOnShard) -> list[int]:
    """Votes per option as Discord shows them: reactions minus the bot's own."""
    reactions = fake.reactions.get(int(poll.message["id"]), {})
    return [len([user for user in reactions.get(EMOJI[i], []) if user != fake.app_id]) for i in range(3)]


async def stored_counts(database: PostgresDatabase, poll: PollOnShard) -> list[int]:
    rows = await database.fetchall(
        "SELECT v.option, COUNT(*) FROM poll_votes v JOIN polls p USING (guild_id, poll_id)"
        " WHERE p.message_id = ? GROUP BY v.option",
        (int(poll.message["id"]),),
    )
    found = {row[0]: row[1] for row in rows}
    return [found.get(i, 0) for i in range(3)]


@pytest.fixture
async def fake_world(fake: FakeDiscord) -> AsyncIterator[FakeDiscord]:
    fake.max_guilds_per_shard = 60  # unsharded, this many guilds would be refused with 4011
    yield fake


async def test_processes_share_one_postgresql_and_survive_a_kill_and_a_reshard(
    fake_world: FakeDiscord, pg_server: PostgresServer, tmp_path: Path
) -> None:
    fake = fake_world
    guilds = [fake.add_guild(f"fandom {n}", shard=(n % FIRST_SHARDS, FIRST_SHARDS)) for n in range(GUILDS)]
    scheduled = guilds[:SCHEDULED]
    url = await pg_server.new_database()
    await seed_schedules(url, fake, scheduled)
    database = PostgresDatabase(url)
    await database.connect()

    fleet = await start_fleet(fake, url, tmp_path, FIRST_SHARDS, FIRST_PROCESSES)
    try:
        await wait_until_ready(fake, fleet, FIRST_SHARDS)
        assert len(fleet.children()) == FIRST_PROCESSES

        # Every scheduled guild gets its storyline, once, whichever process owns it.
        await eventually(lambda: all(storyline_posts(fake, scheduled).values()), timeout=60, interval=0.2)
        assert set(storyline_posts(fake, scheduled).values()) == {1}

        # One poll on each shard, created through the process that owns the guild.
        polls = []
        for shard in range(FIRST_SHARDS):
            guild = guilds[SCHEDULED + shard]  # guild n sits on shard n % 6
            creator = fake.add_member(guild, "creator")
            voters = [fake.add_member(guild, f"fan{i}") for i in range(30)]
            polls.append(PollOnShard(guild, await create_poll(fake, guild, creator), voters))

        # A vote storm; halfway through, SIGKILL the process that runs shards 0-1.
        victim, killed_at = fleet.children()[0], 0
        for round_ in range(30):
            if round_ == 15:
                os.kill(victim, signal.SIGKILL)
                killed_at = len(fleet.lines)
            for poll in polls:
                voter = poll.voters[round_]
                await fake.react(poll.message, voter, EMOJI[round_ % 3])
            await asyncio.sleep(0.02)

        await eventually(lambda: fleet.children().get(0) not in (None, victim), timeout=30, interval=0.2)
        await wait_until_ready(fake, fleet, FIRST_SHARDS, since=killed_at, expect=FIRST_SHARDS // FIRST_PROCESSES)
        assert any("process 0 (shards 0-1) killed by SIGKILL" in line for line in fleet.lines[killed_at:])

        for poll in polls:
            expected = reaction_counts(fake, poll)
            assert sum(expected) == 30

            async def matches(poll: PollOnShard = poll, expected: list[int] = expected) -> bool:
                return await stored_counts(database, poll) == expected

            await eventually(matches, timeout=30, interval=0.2)
        assert set(storyline_posts(fake, scheduled).values()) == {1}, "a post was doubled by the restart"
        assert await fleet.stop() == 0
        answers = {int(p.message["id"]): await stored_counts(database, p) for p in polls}

        # Reshard: another shard count and process count over the same database.
        fleet = await start_fleet(fake, url, tmp_path, SECOND_SHARDS, SECOND_PROCESSES)
        await wait_until_ready(fake, fleet, SECOND_SHARDS)
        assert len(fleet.children()) == SECOND_PROCESSES
        await asyncio.sleep(1.0)  # time for start-up reconciliation and any (wrong) repost
        assert {int(p.message["id"]): await stored_counts(database, p) for p in polls} == answers
        assert set(storyline_posts(fake, scheduled).values()) == {1}
        for poll in polls:  # the same answer, asked of whichever process owns it now
            creator = next(m for m in poll.guild.members.values() if m.name == "creator")
            poll_id = await database.fetchval(
                "SELECT poll_id FROM polls WHERE message_id = ?", (int(poll.message["id"]),)
            )
            channel = fake.channel(poll.guild, "general")
            record = await fake.slash("poll results", poll.guild, channel, creator, poll=str(poll_id))
            body = await record.final_message(timeout=15)
            text = str(body)
            for count in answers[int(poll.message["id"])]:
                assert str(count) in text
        assert await fleet.stop() == 0
    finally:
        if fleet.process.returncode is None:
            fleet.process.kill()
            await fleet.process.wait()
        await database.close()
