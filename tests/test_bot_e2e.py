"""The core end to end: the real LightstickBot against the fake Discord."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot.catalog import CatalogError
from bot.client import REQUIRED_PERMISSIONS, discover_extensions, invite_url
from bot.paths import PROJECT_DIR
from tests.conftest import BotRunner, spawn_bot_process, wait_for_output
from tests.fakediscord import FakeDiscord

EPHEMERAL = 64
WITH_FAILING = [*discover_extensions(), "tests.support.failing_commands"]


def command_names(fake: FakeDiscord) -> set[str]:
    return {c["name"] for c in fake.commands.get("global", [])}


async def test_logs_in_and_syncs_commands_once(fake: FakeDiscord, bots: BotRunner) -> None:
    fake.add_guild()
    bot = await bots.start()
    assert fake.identifies == 1
    assert bot.synced_commands
    assert len(fake.calls_to("PUT", r"^/applications/\d+/commands$")) == 1
    assert "help" in command_names(fake)
    await bots.stop(bot)

    again = await bots.start()
    assert not again.synced_commands
    assert len(fake.calls_to("PUT", r"^/applications/\d+/commands$")) == 1


async def test_changed_tree_or_sync_flag_syncs_again(fake: FakeDiscord, bots: BotRunner) -> None:
    fake.add_guild()
    await bots.stop(await bots.start())
    await bots.stop(await bots.start(extensions=WITH_FAILING))
    assert len(fake.calls_to("PUT", r"^/applications/\d+/commands$")) == 2
    assert "crashes" in command_names(fake)
    await bots.stop(await bots.start(extensions=WITH_FAILING, force_sync=True))
    assert len(fake.calls_to("PUT", r"^/applications/\d+/commands$")) == 3


async def test_dev_guild_gets_commands_directly(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    await bots.start(settings={"dev_guild_id": guild.id})
    assert fake.calls_to("PUT", rf"^/applications/\d+/guilds/{guild.id}/commands$")
    assert not fake.calls_to("PUT", r"^/applications/\d+/commands$")
    assert "help" in {c["name"] for c in fake.commands[str(guild.id)]}


async def test_help_lists_the_command_tree(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    bot = await bots.start()
    member = fake.add_member(guild, "fan")
    interaction = await fake.slash("help", guild, fake.channel(guild, "general"), member)
    body = await interaction.response()
    assert body["type"] == 4
    assert body["data"]["flags"] & EPHEMERAL
    embed = body["data"]["embeds"][0]
    text = embed["description"] + "".join(f["name"] + f["value"] for f in embed["fields"])
    for command in bot.tree.walk_commands():
        if not hasattr(command, "walk_commands"):
            assert f"/{command.qualified_name}" in text
    # Within Discord's limits, so nothing is cut: 25 fields of 1,024, 6,000 in all.
    assert len(embed["fields"]) <= 25 and all(len(f["value"]) <= 1024 for f in embed["fields"])
    assert len(embed["title"]) + len(text) <= 6000


async def test_user_error_becomes_ephemeral_reply(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    await bots.start(extensions=WITH_FAILING)
    member = fake.add_member(guild, "fan")
    body = await (await fake.slash("fails-for-user", guild, fake.channel(guild, "general"), member)).response()
    assert body["type"] == 4
    assert body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == "The option `time` must look like 21:00."


async def test_user_error_after_defer_uses_followup(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    await bots.start(extensions=WITH_FAILING)
    member = fake.add_member(guild, "fan")
    interaction = await fake.slash("fails-after-defer", guild, fake.channel(guild, "general"), member)
    assert (await interaction.response())["type"] == 5
    message = await interaction.final_message()
    assert message["content"] == "Too late, but still clear."
    assert message["flags"] & EPHEMERAL


async def test_unexpected_error_shows_an_id_that_is_logged(
    fake: FakeDiscord, bots: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    guild = fake.add_guild()
    await bots.start(extensions=WITH_FAILING)
    member = fake.add_member(guild, "fan")
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        body = await (await fake.slash("crashes", guild, fake.channel(guild, "general"), member)).response()
    match = re.search(r"error id `([0-9a-f]{8})`", body["data"]["content"])
    assert match, body
    assert body["data"]["flags"] & EPHEMERAL
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info and "kaboom" in str(logged[0].exc_info[1])
    assert "kaboom" not in body["data"]["content"]


async def test_missing_permission_is_named(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    await bots.start(extensions=WITH_FAILING)
    member = fake.add_member(guild, "fan")
    body = await (await fake.slash("needs-manage", guild, fake.channel(guild, "general"), member)).response()
    assert body["data"]["content"] == "You need the **Manage Server** permission to use this command."


async def test_every_extension_loads(fake: FakeDiscord, bots: BotRunner) -> None:
    fake.add_guild()
    bot = await bots.start()
    assert sorted(bot.extensions) == discover_extensions()
    assert {"cogs.errors", "cogs.help"} <= set(bot.extensions)
    for name in command_names(fake):
        assert re.fullmatch(r"[a-z0-9_-]{1,32}", name)


def test_invite_url_has_exactly_the_needed_permissions() -> None:
    url = invite_url(1234)
    assert f"permissions={REQUIRED_PERMISSIONS.value}" in url
    assert "scope=bot+applications.commands" in url
    assert not REQUIRED_PERMISSIONS.administrator and not REQUIRED_PERMISSIONS.mention_everyone


def test_make_run_without_env_names_the_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "MAKEFLAGS", "MFLAGS")}
    env["LIGHTSTICK_ENV_FILE"] = str(tmp_path / "missing.env")
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(PROJECT_DIR), "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


async def test_sigterm_shuts_down_cleanly(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.add_guild()
    database = tmp_path / "process.db"
    process = await spawn_bot_process(fake, database)
    await wait_for_output(process, "logged in as")
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0, output.decode()
    assert "received SIGTERM; shutting down" in output.decode()
    assert "Traceback" not in output.decode()
    # The database was closed cleanly: the WAL was checkpointed and the file opens at once.
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1


async def test_a_broken_catalog_stops_the_start(fake: FakeDiscord, bots: BotRunner, tmp_path: Path) -> None:
    fake.add_guild()
    broken = tmp_path / "mvs.toml"
    broken.write_text(
        '[[mv]]\nid = "x"\ntitle = "X"\nartist = "Y"\nyear = 2020\nthemes = ["scifi"]\nsources = ["a.txt"]\n'
    )
    with pytest.raises(CatalogError, match="entry 'x': field 'themes': unknown theme 'scifi'"):
        await bots.start(catalog_path=broken)
    assert not fake.calls_to("PUT", r"/commands$")
