"""Closing a 64-entry bracket's first round, measured at the fake Discord on loopback.

A 64-entry MV World Cup opens with 32 matches, each a two-option reaction poll. Its round
ends by time; from that moment until the next round is fully posted (16 match messages with
both option reactions), every REST call the bot makes is counted by kind, beside the budget
of the issue: 32 poll closes (one edit each) + 16 new match messages + 32 reactions (2 per
match) + 1 summary (the bracket picture rides on the summary message). Anything else counts
as "other" (goal 0). Printed beside their goals: the calls by kind, the wall time, and the
least time Discord's global 50 requests a second would allow for that many calls.

Run: `python benchmarks/bench_bracket_round.py` (a few seconds; a temporary database). The
real LightstickBot runs in this process with a fake clock that the benchmark moves past the
round's end.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord

from bot.client import REQUIRED_PERMISSIONS
from bot.clock import FakeClock
from bot.polls import option_emoji
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Call

ENTRIES = 64
MATCHES = ENTRIES // 2
NEXT_MATCHES = MATCHES // 2
REACTIONS_PER_MATCH = 2
DISCORD_GLOBAL_RATE = 50
#: Reactions in one channel: about one per 0.25 s (undocumented; see DISCORD.md).
CHANNEL_REACTION_RATE = 4
ROUND = timedelta(hours=1)
JSON = dict[str, Any]

CLOSES = "poll closes (message edits)"
MATCH_POSTS = "new match messages"
REACTIONS = "reaction PUTs"
SUMMARY = "round summary (with picture)"
OTHER = "other"
#: What the issue allows for closing a 32-match round and posting the next one.
BUDGET = {
    CLOSES: MATCHES,
    MATCH_POSTS: NEXT_MATCHES,
    REACTIONS: NEXT_MATCHES * REACTIONS_PER_MATCH,
    SUMMARY: 1,
    OTHER: 0,
}


async def start_fake() -> FakeDiscord:
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    return fake


def embed(call: Call) -> JSON:
    embeds = (call.json or {}).get("embeds") or [{}]
    return dict(embeds[0])


def footer(call: Call) -> str:
    return str((embed(call).get("footer") or {}).get("text", ""))


def kind(call: Call) -> str:
    if call.method == "PATCH" and "/messages/" in call.path:
        return CLOSES
    if call.method == "PUT" and "/reactions/" in call.path:
        return REACTIONS
    if call.method == "POST" and call.path.endswith("/messages"):
        is_reply = bool((call.json or {}).get("message_reference"))  # a poll's own results message
        if footer(call).startswith("Poll #") and str(embed(call).get("title", "")).startswith("[#") and not is_reply:
            return MATCH_POSTS
        if footer(call).startswith("Bracket #"):
            return SUMMARY
    return OTHER


def by_kind(calls: list[Call]) -> dict[str, int]:
    counted = dict.fromkeys(BUDGET, 0)
    for call in calls:
        counted[kind(call)] += 1
    return counted


async def bench(workdir: Path) -> None:
    fake = await start_fake()
    runner = BotRunner(fake, workdir)
    clock = FakeClock(datetime.now(UTC))
    try:
        guild = fake.add_guild(bot_permissions=REQUIRED_PERMISSIONS.value)
        creator = fake.add_member(guild, "creator")
        bot = await runner.start(clock=clock)
        polls: Any = bot.get_cog("Polls")
        brackets: Any = bot.get_cog("Brackets")
        await eventually(lambda: polls.reconcile_passes >= 1, timeout=10)
        general = fake.channel(guild, "general")
        entries = " | ".join(f"MV {n:02d} 뮤직비디오" for n in range(1, ENTRIES + 1))
        record = await fake.slash(
            "bracket create", guild, general, creator, title="MV World Cup 64", entries=entries, round_duration="1h"
        )
        reply = await record.final_message(timeout=60)
        assert "is up in" in reply.get("content", ""), reply
        stored = await brackets.store.in_guild(guild.id)
        assert len(await brackets.store.matches(stored, 1)) == MATCHES

        def reacted(poll_ids: list[int]) -> bool:
            emojis = option_emoji(REACTIONS_PER_MATCH)
            messages = [fake.messages.get(polls.voting.poll(p).message_id) for p in poll_ids if polls.voting.poll(p)]
            return len(messages) == len(poll_ids) and all(
                m is not None and all(fake.app_id in fake.reaction_users(m, e) for e in emojis) for m in messages
            )

        first_round = list((await brackets.store.matches(stored, 1)).values())
        await eventually(lambda: reacted(first_round), timeout=60)
        await polls.wait_idle()

        first_call = len(fake.calls)
        started = time.perf_counter()
        await clock.advance(ROUND + timedelta(seconds=1))

        async def next_round_posted() -> bool:
            after = await brackets.store.get(stored.bracket_id)
            if after is None or after.posted_round < 2:
                return False
            return reacted(list((await brackets.store.matches(after, 2)).values()))

        await eventually(next_round_posted, timeout=60)
        elapsed = time.perf_counter() - started
        posted_calls = len(fake.calls)
        await polls.wait_idle()
        await brackets.wait_idle()
        calls = fake.calls[first_call:posted_calls]
        stragglers = fake.calls[posted_calls:]

        counted = by_kind(calls)
        budget = sum(BUDGET.values())
        print(f"closing round 1 of a {ENTRIES}-entry bracket ({MATCHES} matches) and posting round 2 ({NEXT_MATCHES}):")
        for name, goal in BUDGET.items():
            verdict = "ok" if counted[name] <= goal else "OVER"
            print(f"  {name:<30} {counted[name]:4d}   budget {goal:3d}  [{verdict}]")
        verdict = "ok" if len(calls) <= budget else "OVER"
        print(f"  {'REST calls in all':<30} {len(calls):4d}   budget {budget:3d}  [{verdict}]")
        failed = [call for call in calls if call.status >= 400]
        print(f"  calls Discord refused: {len(failed)} (goal 0); after round 2 was up: {len(stragglers)} (goal 0)")
        least = len(calls) / DISCORD_GLOBAL_RATE
        print(
            f"  wall time from the round's end to round 2 fully posted: {elapsed:.2f} s "
            f"(Discord's {DISCORD_GLOBAL_RATE} requests/s allow no less than {least:.2f} s for {len(calls)} calls)"
        )
        slowest = counted[REACTIONS] / CHANNEL_REACTION_RATE
        print(
            f"  note: the fake sets no rate limits; on Discord the {counted[REACTIONS]} reactions in one channel "
            f"(about {CHANNEL_REACTION_RATE} a second there, undocumented) take about {slowest:.0f} s, "
            "and discord.py waits that out by itself"
        )
    finally:
        await runner.stop_all()
        await fake.stop()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench(Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
