"""Poll benchmarks that need Discord, measured at the fake Discord on loopback.

* 1,000 votes arriving over 10 s on one poll → edits of the poll message (goal ≤ 3).
* Reconciling a poll of 20 options and 5,000 voters (reactions added while Lightstick was
  stopped) → REST calls (goal ≤ Σ⌈voters per option / 100⌉ + 1).

Run: `python benchmarks/bench_polls_discord.py` (about 20 s; a temporary database). The real
LightstickBot runs in this process with its real 5-second edit interval and SystemClock.
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord

from bot.client import REQUIRED_PERMISSIONS
from bot.polls import option_emoji
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.payloads import snowflake
from tests.fakediscord.server import Call, Guild, Member

STORM_VOTES = 1_000
STORM_SECONDS = 10.0
RECONCILE_OPTIONS = 20
RECONCILE_VOTERS = 5_000
JSON = dict[str, Any]


async def start_fake() -> FakeDiscord:
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    return fake


async def create_poll(fake: FakeDiscord, guild: Guild, creator: Member, options: list[str]) -> JSON:
    """Run /poll create and wait for the poll message with all its option reactions."""
    general = fake.channel(guild, "general")
    record = await fake.slash("poll create", guild, general, creator, question="Benchmark poll",
                              options=" | ".join(options))  # fmt: skip
    reply = await record.final_message(timeout=10)
    assert "is up in" in reply.get("content", ""), reply
    message = next(m for m in fake.bot_messages(general) if m["embeds"] and m["embeds"][0]["title"] == "Benchmark poll")
    emojis = option_emoji(len(options))
    await eventually(lambda: all(fake.app_id in fake.reaction_users(message, e) for e in emojis), timeout=30)
    return message


async def bench_vote_storm(workdir: Path) -> None:
    fake = await start_fake()
    runner = BotRunner(fake, workdir / "storm")
    try:
        guild = fake.add_guild(bot_permissions=REQUIRED_PERMISSIONS.value)
        creator = fake.add_member(guild, "creator")
        bot = await runner.start()
        cog: Any = bot.get_cog("Polls")
        await eventually(lambda: cog.reconcile_passes >= 1, timeout=10)
        members = [fake.add_member(guild, f"fan{i}") for i in range(STORM_VOTES)]
        options = [f"MV {i + 1}" for i in range(9)]
        message = await create_poll(fake, guild, creator, options)
        poll_id = cog.voting.poll_for_message(int(message["id"])).poll_id
        edits = rf"^/channels/\d+/messages/{message['id']}$"
        emojis = option_emoji(len(options))
        rng = random.Random(2024)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index, member in enumerate(members):
            delay = start + index * STORM_SECONDS / STORM_VOTES - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await fake.react(message, member, rng.choice(emojis))
        sent_over = loop.time() - start
        await eventually(lambda: cog.voting.live_results(poll_id).turnout == STORM_VOTES, timeout=30)
        await eventually(lambda: not cog.coalescer.busy(poll_id), timeout=30)
        patches = fake.calls_to("PATCH", edits)
        shown = message_voters(fake.messages[int(message["id"])])
        print(
            f"poll message edits for {STORM_VOTES:,} votes over {sent_over:.1f} s: {len(patches)} (goal <= 3); "
            f"the message shows {shown:,} voters"
        )
        await runner.stop_all()
    finally:
        await runner.stop_all()
        await fake.stop()


def message_voters(message: JSON) -> int:
    description = message["embeds"][0]["description"]
    line = next(line for line in description.splitlines() if line.endswith("voters**"))
    return int(line.strip("*").split()[0].replace(",", ""))


def reconcile_calls(calls: list[Call]) -> list[Call]:
    """What reconciliation costs: reading the message, its reactions, members; removals."""
    return [
        call
        for call in calls
        if (call.method == "GET" and "/messages/" in call.path)
        or (call.method == "GET" and "/members/" in call.path)
        or (call.method in ("PUT", "DELETE") and "/reactions/" in call.path)
    ]


async def bench_reconcile(workdir: Path) -> None:
    fake = await start_fake()
    runner = BotRunner(fake, workdir / "reconcile")
    try:
        guild = fake.add_guild(bot_permissions=REQUIRED_PERMISSIONS.value)
        creator = fake.add_member(guild, "creator")
        bot = await runner.start()
        options = [f"MV {i + 1}" for i in range(RECONCILE_OPTIONS)]
        message = await create_poll(fake, guild, creator, options)
        await runner.stop(bot)

        emojis = option_emoji(RECONCILE_OPTIONS)
        rng = random.Random(5000)
        old = datetime.now(UTC) - timedelta(days=800)
        for _ in range(RECONCILE_VOTERS):  # votes cast while Lightstick was stopped
            fake.add_reaction_state(int(message["id"]), rng.choice(emojis), snowflake(old))
        users = [len(fake.reaction_users(message, e)) for e in emojis]  # includes Lightstick's own
        voters = [n - 1 for n in users]

        first_call = len(fake.calls)
        started = time.perf_counter()
        bot = await runner.start()
        cog: Any = bot.get_cog("Polls")
        await eventually(lambda: cog.reconcile_passes >= 1, timeout=60)
        took = time.perf_counter() - started
        await cog.wait_idle()
        calls = fake.calls[first_call:]
        spent = reconcile_calls(calls)
        pages = sum(1 for call in spent if "/reactions/" in call.path and call.method == "GET")
        edits = [call for call in calls if call.method == "PATCH"]
        goal = sum(math.ceil(n / 100) for n in voters) + 1
        with_own = sum(math.ceil(n / 100) for n in users) + 1
        poll = (await cog.store.open_polls())[0]
        counted = (await cog.store.tally(poll)).turnout
        print(
            f"reconcile {RECONCILE_OPTIONS} options × {RECONCILE_VOTERS:,} voters: {len(spent)} REST calls "
            f"(goal <= Σ⌈voters/100⌉ + 1 = {goal}; Σ⌈users incl. Lightstick's own reaction/100⌉ + 1 = {with_own})"
        )
        print(
            f"  = 1 message read + {pages} reaction pages; then {len(edits)} coalesced edit of the poll message; "
            f"{counted:,} votes counted; start to reconciled in {took:.2f} s"
        )
        await runner.stop_all()
    finally:
        await runner.stop_all()
        await fake.stop()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench_vote_storm(Path(tmp))
        await bench_reconcile(Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
