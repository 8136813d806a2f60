"""Sharding end to end: the real bot against the sharded fake Discord, in-process and as
`python -m bot`, from IDENTIFY per shard to reconciling one shard's polls after it reconnects."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path

import discord
import pytest

from bot.__main__ import GATEWAY_REFUSALS
from bot.client import REQUIRED_PERMISSIONS, LightstickBot
from bot.config import ConfigError
from bot.paths import PROJECT_DIR
from bot.polls import option_emoji
from bot.sharding import GuildOwnership
from tests.cogs.polls_world import PollWorld, message_id
from tests.conftest import BotRunner, bot_process_env, eventually
from tests.fakediscord import FakeDiscord, Guild
from tests.fakediscord.payloads import shard_of

ONE, TWO, THREE = option_emoji(3)


@pytest.fixture(autouse=True)
def identify_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py spaces a process's IDENTIFYs 5 s apart; the fake needs no such courtesy."""

    async def identify_now(self: LightstickBot, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    monkeypatch.setattr(LightstickBot, "before_identify_hook", identify_now)


def guilds_on(fake: FakeDiscord, shard_count: int, per_shard: int = 2) -> dict[int, list[Guild]]:
    return {
        shard: [fake.add_guild(f"shard {shard} #{n}", shard=(shard, shard_count)) for n in range(per_shard)]
        for shard in range(shard_count)
    }


def guild_ids(guilds: list[Guild]) -> set[int]:
    return {guild.id for guild in guilds}


async def test_two_shards_connect_and_together_see_every_guild(fake: FakeDiscord, bots: BotRunner) -> None:
    by_shard = guilds_on(fake, 2)
    bot = await bots.start(settings={"shard_count": 2})
    assert sorted(fake.identified_shards) == [(0, 2), (1, 2)]
    assert fake.connected_shards == [(0, 2), (1, 2)]
    assert {guild.id for guild in bot.guilds} == guild_ids(by_shard[0] + by_shard[1])
    assert bot.ownership == GuildOwnership(2, None)
    assert all(bot.ownership.owns(guild.id) for guild in bot.guilds)
    assert not fake.calls_to("GET", r"^/gateway/bot$")  # the count was given


async def test_a_bot_running_shard_1_of_2_sees_and_owns_only_its_guilds(fake: FakeDiscord, bots: BotRunner) -> None:
    by_shard = guilds_on(fake, 2)
    bot = await bots.start(settings={"shard_count": 2, "shard_ids": (1,)})
    assert fake.identified_shards == [(1, 2)]
    assert {guild.id for guild in bot.guilds} == guild_ids(by_shard[1])
    assert [bot.ownership.owns(guild.id) for guild in by_shard[0] + by_shard[1]] == [False, False, True, True]


async def test_auto_shard_count_is_discords_recommendation_known_before_cogs_load(
    fake: FakeDiscord, bots: BotRunner
) -> None:
    by_shard = guilds_on(fake, 3, per_shard=1)
    fake.recommended_shards = 3
    bot = await bots.start()
    assert bot.shard_count == 3
    assert sorted(fake.identified_shards) == [(0, 3), (1, 3), (2, 3)]
    assert {guild.id for guild in bot.guilds} == guild_ids([g for group in by_shard.values() for g in group])
    gateway = fake.calls.index(fake.calls_to("GET", r"^/gateway/bot$")[0])
    sync = fake.calls.index(fake.calls_to("PUT", r"^/applications/\d+/commands$")[0])
    assert gateway < sync


async def test_shard_ids_beyond_the_recommended_count_stop_the_start(fake: FakeDiscord, bots: BotRunner) -> None:
    fake.add_guild()
    fake.recommended_shards = 2
    with pytest.raises(ConfigError, match=r"SHARD_IDS 2-3 reaches shard 3, but Discord recommends 2"):
        await bots.start(settings={"shard_ids": (2, 3)})
    assert fake.identifies == 0


# -- one shard reconnects: only its polls are reconciled -----------------------------------


async def poll_world_on_shard(fake: FakeDiscord, bots: BotRunner, bot: LightstickBot, guild: Guild) -> PollWorld:
    voters = fake.add_role(guild, "Voters")
    mods = fake.add_role(guild, "Mods", permissions=discord.Permissions(manage_guild=True).value)
    creator = fake.add_member(guild, "creator")
    mod = fake.add_member(guild, "mod", roles=[mods])
    world = PollWorld(
        fake, bots, bot, guild, fake.channel(guild, "general"), fake.channel(guild, "news"), voters, mods, creator, mod
    )
    world.add_fans(3)
    return world


async def sharded_worlds(fake: FakeDiscord, bots: BotRunner) -> tuple[PollWorld, PollWorld]:
    """A bot running shards 0 and 1 of 2, with one server (and one open poll) on each."""
    guilds = [
        fake.add_guild(
            f"shard {shard}", bot_permissions=REQUIRED_PERMISSIONS.value, channels=("general", "news"), shard=(shard, 2)
        )
        for shard in (0, 1)
    ]
    bot = await bots.start(settings={"shard_count": 2})
    worlds = [await poll_world_on_shard(fake, bots, bot, guild) for guild in guilds]
    await worlds[0].ready_cog()
    return worlds[0], worlds[1]


def reaction_reads(fake: FakeDiscord, since: int) -> list[str]:
    return [c.path for c in fake.calls[since:] if c.method == "GET" and "/reactions/" in c.path]


async def reconnect_shard(world: PollWorld, shard_id: int, *, fresh: bool = False) -> int:
    """Drop one shard's socket; wait for the reconciliation it causes. Returns the call index before."""
    await world.cog.wait_idle()
    passes, before = world.cog.reconcile_passes, len(world.fake.calls)
    world.fake.refuse_resume = fresh
    assert await world.fake.drop_shard(shard_id) == 1
    await eventually(lambda: world.cog.reconcile_passes > passes, timeout=10)
    await world.cog.wait_idle()
    return before


@pytest.mark.parametrize("fresh", [False, True], ids=["resume", "identify"])
async def test_a_reconnecting_shard_reconciles_only_its_own_polls(
    fake: FakeDiscord, bots: BotRunner, caplog: pytest.LogCaptureFixture, fresh: bool
) -> None:
    on0, on1 = await sharded_worlds(fake, bots)
    poll0, message0 = await on0.create()
    poll1, message1 = await on1.create()
    assert [shard_of(poll.guild_id, 2) for poll in (poll0, poll1)] == [0, 1]
    await fake.react(message0, on0.fans[0], TWO, send_event=False)  # while nobody listened
    await fake.react(message1, on1.fans[0], THREE, send_event=False)
    caplog.set_level(logging.INFO, logger="cogs.polls.cog")

    before = await reconnect_shard(on1, 1, fresh=fresh)

    reads = reaction_reads(fake, before)
    assert reads, "shard 1's poll was not read again"
    assert all(f"/messages/{message_id(poll1)}/reactions/" in path for path in reads), reads
    assert await on1.stored_counts(poll1) == [0, 0, 1]
    assert await on0.stored_counts(poll0) == [0, 0, 0]  # shard 0 never lost its connection
    reason = "identified again" if fresh else "resumed"
    assert f"shard 1: {reason}; reconciling 1 open polls" in caplog.text
    assert (fake.identifies, fake.resumes) == ((3, 0) if fresh else (2, 1))

    before = await reconnect_shard(on0, 0)
    assert all(f"/messages/{message_id(poll0)}/reactions/" in path for path in reaction_reads(fake, before))
    assert await on0.stored_counts(poll0) == [0, 1, 0]


# -- a real `python -m bot` process ---------------------------------------------------------


async def run_bot_process(fake: FakeDiscord, tmp_path: Path, timeout: float = 60, **env: str) -> tuple[int, str]:
    """Run `python -m bot` against the fake until it ends; its exit code and whole output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord.runner",
        cwd=PROJECT_DIR,
        env=bot_process_env(fake, tmp_path / "process.db", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the bot process did not end") from None
    assert process.returncode is not None
    return process.returncode, output.decode()


def assert_ends_with_one_line(returncode: int, output: str, code: int) -> None:
    assert returncode == 2, output
    assert "Traceback" not in output, output
    problems = [line for line in output.splitlines() if line.startswith("lightstick:")]
    assert problems == [f"lightstick: {GATEWAY_REFUSALS[code]}"], output
    assert "ERROR" not in output, output


async def test_sharding_required_ends_the_process_with_one_line(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.max_guilds_per_shard = 1
    guilds_on(fake, 1, per_shard=2)
    returncode, output = await run_bot_process(fake, tmp_path)
    assert fake.identified_shards == [(0, 1)]
    assert_ends_with_one_line(returncode, output, 4011)
    assert "SHARD_COUNT=auto" in output


async def test_an_invalid_shard_ends_the_process_with_one_line(fake: FakeDiscord, tmp_path: Path) -> None:
    guilds_on(fake, 2, per_shard=1)
    fake.refuse_identify(4010)
    returncode, output = await run_bot_process(fake, tmp_path, SHARD_COUNT="2", SHARD_IDS="1")
    assert fake.identified_shards == [(1, 2)]
    assert_ends_with_one_line(returncode, output, 4010)


async def test_disallowed_intents_end_the_process_with_one_line(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.add_guild()
    # As if Discord counted one of Lightstick's default intents as privileged and not granted.
    fake.privileged_intents |= discord.Intents(guild_reactions=True).value
    returncode, output = await run_bot_process(fake, tmp_path)
    assert_ends_with_one_line(returncode, output, 4014)


async def test_a_real_start_logs_each_shard_and_no_voice_warning(fake: FakeDiscord, tmp_path: Path) -> None:
    guilds_on(fake, 2, per_shard=2)
    fake.add_guild("third on shard 1", shard=(1, 2))
    fake.recommended_shards = 2
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord.runner",
        cwd=PROJECT_DIR,
        env=bot_process_env(fake, tmp_path / "process.db"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    assert process.stdout is not None
    try:
        async with asyncio.timeout(60):
            while not any("logged in as" in line for line in lines):
                raw = await process.stdout.readline()
                assert raw, "".join(lines)
                lines.append(raw.decode())
    finally:
        process.terminate()
        rest, _ = await asyncio.wait_for(process.communicate(), 15)
    output = "".join(lines) + rest.decode()
    assert process.returncode == 0, output
    assert "shard 0: ready with 2 guilds" in output
    assert "shard 1: ready with 3 guilds" in output
    assert "running all 2 shard(s)" in output
    assert "voice will NOT be supported" not in output
    assert "PyNaCl" not in output and "davey" not in output
    assert "WARNING" not in output, output
