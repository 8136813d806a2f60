"""1,000 servers due in the same minute: the real bot posts every one against the fake Discord.

The fake holds 1,000 guilds (each with a "storyline" channel) before the bot starts, so the
bot's guild cache resolves every channel. The schedules are written through the store (as
`/storyline setup` would, without 1,000 interactions), all for 21:00 Asia/Seoul. The bot's
FakeClock is then moved to 21:00 and the wall time is taken until every post and thread is
recorded. A few 429s are injected on message creation; discord.py must wait them out.

Goals: every server posted exactly once, concurrency bounded by the service's limit, no
429 left unhandled (every 429 retried), wall time ≤ 60 s (the minute they are due in).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import discord

from bot.clock import FakeClock
from bot.db import SqliteDatabase
from bot.storyline import StorylineConfig, StorylineStore, parse_setup
from bot.storyline.service import DEFAULT_CONCURRENCY
from tests.conftest import BotRunner
from tests.fakediscord import FakeDiscord

GUILDS = 1_000
INJECTED_429S = 20
WALL_GOAL_SECONDS = 60.0
#: 20:58 in Seoul on 1 March 2026; every server posts at 21:00.
START = datetime(2026, 3, 1, 11, 58, tzinfo=UTC)
DUE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MESSAGES = r"^/channels/\d+/messages$"
THREADS = r"^/channels/\d+/messages/\d+/threads$"


def build_world(fake: FakeDiscord) -> list[StorylineConfig]:
    configs = []
    for number in range(GUILDS):
        guild = fake.add_guild(f"Fan club {number}", channels=("storyline",))
        channel = fake.channel(guild, "storyline")
        configs.append(
            parse_setup(guild_id=guild.id, channel_id=int(channel["id"]), time_text="21:00", timezone_text="Asia/Seoul")
        )
    # The fake gives the bot one member for every guild, carrying its role in each; 1,000 role
    # ids in each of 1,000 GUILD_CREATEs would only measure the fake. @everyone's permissions
    # (view, send, embed, threads) are what a post needs.
    fake.bot.roles = []
    return configs


async def save_schedules(path: Path, configs: list[StorylineConfig]) -> None:
    database = SqliteDatabase(path)
    await database.connect()
    await database.migrate()
    try:
        store = StorylineStore(database)
        for config in configs:
            await store.save_setup(config, START)
    finally:
        await database.close()


async def wait_until(check: object, timeout: float) -> None:
    assert callable(check)
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("the benchmark did not finish in time")
        await asyncio.sleep(0.01)


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # discord.http logs every 429 it waits out
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    with tempfile.TemporaryDirectory() as tmp:
        runner = BotRunner(fake, Path(tmp))
        try:
            configs = build_world(fake)
            await save_schedules(runner.database_path, configs)
            clock = FakeClock(START)
            ready_started = time.perf_counter()
            bot = await runner.start(clock=clock)
            ready_seconds = time.perf_counter() - ready_started
            cog = bot.get_cog("Storyline")
            assert cog is not None
            service = cog.service  # type: ignore[attr-defined]
            await wait_until(lambda: service.dispatcher.running, 30)
            cached = sum(1 for config in configs if bot.get_channel(config.channel_id) is not None)

            fake.fail("POST", MESSAGES, 429, times=INJECTED_429S)
            started = time.perf_counter()
            await clock.set(DUE)
            await wait_until(lambda: len(fake.calls_to("POST", THREADS)) >= GUILDS, 300)
            posted_rows = await bot.db.fetchval("SELECT COUNT(*) FROM storyline_posts WHERE state = 'posted'")
            while posted_rows < GUILDS and time.perf_counter() - started < 300:
                await asyncio.sleep(0.01)
                posted_rows = await bot.db.fetchval("SELECT COUNT(*) FROM storyline_posts WHERE state = 'posted'")
            wall = time.perf_counter() - started

            message_calls = fake.calls_to("POST", MESSAGES)
            waited_out = sum(1 for call in message_calls if call.status == 429)
            posts = [call for call in message_calls if call.status == 200]
            channels_posted = {call.path for call in posts}
            await clock.advance(timedelta(minutes=30))
            await asyncio.sleep(0.5)
            again = len([c for c in fake.calls_to("POST", MESSAGES) if c.status == 200]) - len(posts)
            peak = service.peak_concurrency
            await runner.stop_all()
        finally:
            await fake.stop()

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED GOAL"

    print(f"guilds: {GUILDS} (GUILD_CREATE + ready in {ready_seconds:.2f} s; {cached} channels in the cache)")
    print(f"posts made: {len(posts)} in {len(channels_posted)} channels, {posted_rows} recorded "
          f"(goal = {GUILDS}) {verdict(len(channels_posted) == GUILDS == posted_rows == len(posts))}")  # fmt: skip
    print(f"second posts after the minute: {again} (goal = 0) {verdict(again == 0)}")
    print(f"wall time, due -> all posted with threads: {wall:.2f} s (goal <= {WALL_GOAL_SECONDS:.0f} s) "
          f"{verdict(wall <= WALL_GOAL_SECONDS)}")  # fmt: skip
    print(f"throughput: {GUILDS / wall:.0f} posts/s (each post = message + thread)")
    print(f"429s injected and waited out: {waited_out} of {INJECTED_429S} (goal = all, none unhandled) "
          f"{verdict(waited_out == INJECTED_429S)}")  # fmt: skip
    print(f"peak concurrent posts: {peak} (goal <= {DEFAULT_CONCURRENCY}) {verdict(peak <= DEFAULT_CONCURRENCY)}")


if __name__ == "__main__":
    asyncio.run(main())
