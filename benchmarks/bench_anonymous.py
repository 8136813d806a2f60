"""Anonymous poll benchmark, measured at the fake Discord on loopback.

1,000 members vote on one anonymous poll over 10 s. Lightstick counts every vote and removes
every member's reaction, one REST call each, paced (REMOVAL_RATE a second after a burst) so
the burst of votes never becomes a burst of calls past Discord's global limit of 50 requests
a second. Discord answers some removals with 429 (injected); discord.py waits them out and
tries again. Printed beside their goals:

* votes counted (goal: all 1,000) and member reactions left on the message (goal: 0);
* REST calls from the first vote to the last removal, by kind, and 429s met and waited out;
* the most REST calls in any one second (goal: <= 50) and the wall time until every
  reaction is gone, beside the least Discord's 50 requests a second would allow.

Run: `python benchmarks/bench_anonymous.py` (about 40 s; a temporary database). The real
LightstickBot runs in this process with its real 5-second edit interval and SystemClock.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord

from bot.client import REQUIRED_PERMISSIONS
from bot.polls import option_emoji
from cogs.polls.cog import REMOVAL_BURST, REMOVAL_RATE
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Call

VOTES = 1_000
SECONDS = 10.0
OPTIONS = 9
DISCORD_GLOBAL_RATE = 50
#: 429 bursts: at these seconds into the storm, the next `INJECTED_EACH` removals get a 429.
INJECT_AT = (2.0, 5.0, 8.0, 12.0)
INJECTED_EACH = 5
RETRY_AFTER = 0.25
JSON = dict[str, Any]


async def start_fake() -> FakeDiscord:
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    return fake


def busiest_second(calls: list[Call]) -> int:
    """The most calls that arrived within any one second."""
    times = sorted(call.at for call in calls)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def kind(call: Call) -> str:
    if call.method == "DELETE" and "/reactions/" in call.path:
        return "reaction removals"
    if call.method == "PATCH" and "/channels/" in call.path:
        return "poll message edits"
    if "/interactions/" in call.path or "/webhooks/" in call.path:
        return "interaction replies"
    return f"other ({call.method})"


async def bench(workdir: Path) -> None:
    fake = await start_fake()
    runner = BotRunner(fake, workdir)
    try:
        guild = fake.add_guild(bot_permissions=REQUIRED_PERMISSIONS.value)
        creator = fake.add_member(guild, "creator")
        bot = await runner.start()
        cog: Any = bot.get_cog("Polls")
        await eventually(lambda: cog.reconcile_passes >= 1, timeout=10)
        members = [fake.add_member(guild, f"fan{i}") for i in range(VOTES)]
        general = fake.channel(guild, "general")
        record = await fake.slash(
            "poll create", guild, general, creator, question="Anonymous benchmark",
            options=" | ".join(f"MV {i + 1}" for i in range(OPTIONS)), anonymous=True,
        )  # fmt: skip
        reply = await record.final_message(timeout=10)
        assert "is up in" in reply.get("content", ""), reply
        message = next(m for m in fake.bot_messages(general) if m["embeds"][0]["title"] == "Anonymous benchmark")
        emojis = option_emoji(OPTIONS)
        await eventually(lambda: all(fake.app_id in fake.reaction_users(message, e) for e in emojis), timeout=30)
        poll = cog.voting.poll_for_message(int(message["id"]))
        removal_route = rf"/messages/{message['id']}/reactions/"

        rng = random.Random(1000)
        picks = [rng.randrange(OPTIONS) for _ in members]
        first_call = len(fake.calls)
        loop = asyncio.get_running_loop()
        started = loop.time()
        wall_started = time.monotonic()
        injections = list(INJECT_AT)
        for index, (member, option) in enumerate(zip(members, picks, strict=True)):
            at = index * SECONDS / VOTES
            while injections and at >= injections[0]:
                fake.fail("DELETE", removal_route, 429, times=INJECTED_EACH, retry_after=RETRY_AFTER)
                injections.pop(0)
            delay = started + at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await fake.react(message, member, emojis[option])
        sent_over = loop.time() - started
        while injections:  # the storm ended before the last burst: inject it now
            fake.fail("DELETE", removal_route, 429, times=INJECTED_EACH, retry_after=RETRY_AFTER)
            injections.pop(0)

        def reactions_left() -> int:
            return sum(1 for e in emojis for u in fake.reaction_users(message, e) if u != fake.app_id)

        await eventually(lambda: cog.voting.live_results(poll.poll_id).turnout == VOTES, timeout=60)
        await eventually(lambda: reactions_left() == 0 and cog.removals_in_flight == 0, timeout=120)
        removed_after = time.monotonic() - wall_started
        await cog.wait_idle()
        await eventually(lambda: not cog.coalescer.busy(poll.poll_id), timeout=30)
        stored = await cog.store.tally(poll)
        counted = stored.turnout
        expected = [picks.count(option) for option in range(OPTIONS)]
        exact = [stored.for_option(option).votes for option in range(OPTIONS)] == expected

        calls = fake.calls[first_call:]
        removals = [call for call in calls if kind(call) == "reaction removals"]
        limited = [call for call in removals if call.status == 429]
        by_kind: dict[str, int] = {}
        for call in calls:
            by_kind[kind(call)] = by_kind.get(kind(call), 0) + 1
        injected = len(INJECT_AT) * INJECTED_EACH
        peak = busiest_second(calls)
        least = VOTES / DISCORD_GLOBAL_RATE
        paced = max(0.0, (VOTES - REMOVAL_BURST) / REMOVAL_RATE)

        print(f"anonymous poll, {VOTES:,} votes sent over {sent_over:.1f} s:")
        print(f"  votes counted: {counted:,} (goal {VOTES:,}); per-option counts exact: {exact}")
        print(f"  member reactions left on the message: {reactions_left()} (goal 0)")
        print(
            f"  REST calls from the first vote to the last removal: {len(calls):,} = "
            + ", ".join(f"{n:,} {name}" for name, n in sorted(by_kind.items()))
        )
        print(
            f"  reaction removals: {len(removals) - len(limited):,} done (goal {VOTES:,}, one per vote) "
            f"+ {len(limited)} answered 429 and tried again (injected {injected}; goal: every one waited out)"
        )
        print(
            f"  busiest second: {peak} REST calls (goal <= {DISCORD_GLOBAL_RATE}; removals paced at "
            f"{REMOVAL_RATE:g}/s after a burst of {REMOVAL_BURST})"
        )
        print(
            f"  every reaction gone {removed_after:.1f} s after the first vote (Discord's {DISCORD_GLOBAL_RATE} "
            f"requests/s allow no less than {least:.0f} s for {VOTES:,} removals; "
            f"Lightstick's pace alone needs {paced:.1f} s)"
        )
        pacer = cog.removal_pacer
        print(f"  pacer: {pacer.delayed:,} removals waited their turn, {pacer.waited:.1f} s in all")
        await runner.stop_all()
    finally:
        await runner.stop_all()
        await fake.stop()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench(Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
