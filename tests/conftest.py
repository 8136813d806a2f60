"""Fixtures shared by the whole suite: a migrated database, a fake Discord, a real bot."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.client import LightstickBot
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, SqliteDatabase
from bot.db.postgres import PostgresDatabase
from bot.paths import PROJECT_DIR
from tests.fakediscord import FakeDiscord
from tests.pg import PostgresServer, start_server

FAKE_TOKEN = "MTIz.fake.token-for-tests"


ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole run (skips, or fails in CI, without it)."""
    server = start_server()
    yield server
    server.stop()


async def open_test_database(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """A migrated database on `engine`: a SQLite file, or a fresh PostgreSQL database."""
    database: Database
    if engine == "postgresql":
        server: PostgresServer = request.getfixturevalue("pg_server")
        database = PostgresDatabase(await server.new_database())
    else:
        database = SqliteDatabase(tmp_path / "lightstick.db")
    await database.connect()
    await database.migrate()
    return database


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once per database engine."""
    return str(request.param)


@pytest.fixture
async def db(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A real database with every migration applied: a SQLite file, then a PostgreSQL server."""
    database = await open_test_database(engine, request, tmp_path)
    yield database
    await database.close()


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A fake Discord on loopback that discord.py is pointed at."""
    server = FakeDiscord()
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", server.gateway_url)
    yield server
    await server.stop()
    assert not server.unknown_routes, f"the bot called routes the fake does not know: {server.unknown_routes}"


class BotRunner:
    """Starts real LightstickBot instances against the fake; restarts reuse one database."""

    def __init__(self, fake: FakeDiscord, tmp_path: Path, database_url: str | None = None) -> None:
        self.fake = fake
        self.database_path = tmp_path / "lightstick.db"
        #: A PostgreSQL database for every bot of the test (None: SQLite at database_path).
        self.database_url = database_url
        self._running: list[tuple[LightstickBot, asyncio.Task[None]]] = []

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "token": FAKE_TOKEN,
            "database_path": self.database_path,
            "dev_guild_id": None,
            "log_level": "INFO",
            "database_url": self.database_url,
        }
        values.update(overrides)
        return Settings(**values)

    async def start(self, *, clock: Clock | None = None, wait: bool = True, **options: Any) -> LightstickBot:
        settings = self.settings(**options.pop("settings", {}))
        bot = LightstickBot(settings, clock=clock, **options)
        bot._connection.guild_ready_timeout = 0.05
        bot.identify_interval = 0.05
        task = asyncio.create_task(bot.start(settings.token))
        self._running.append((bot, task))
        if wait:
            ready = asyncio.create_task(bot.wait_until_ready())
            done, _ = await asyncio.wait({ready, task}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                ready.cancel()
                task.result()
                raise AssertionError("the bot stopped before it was ready")
            if ready not in done:
                raise AssertionError("the bot did not become ready within 15 s")
        return bot

    async def stop(self, bot: LightstickBot) -> None:
        await bot.close()
        for running, task in list(self._running):
            if running is bot:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 5)
                self._running.remove((running, task))

    async def stop_all(self) -> None:
        for bot, _ in list(self._running):
            await self.stop(bot)


@pytest.fixture
async def bots(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotRunner]:
    runner = BotRunner(fake, tmp_path)
    yield runner
    await runner.stop_all()


@pytest.fixture
async def engine_bots(
    engine: str, fake: FakeDiscord, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BotRunner]:
    """Real bots on each database engine in turn (a module uses it as its `bots`)."""
    url = None
    if engine == "postgresql":
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = await server.new_database()
    runner = BotRunner(fake, tmp_path, database_url=url)
    yield runner
    await runner.stop_all()


def bot_process_env(fake: FakeDiscord, database_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "DATABASE_"))}
    env.update(
        DISCORD_TOKEN=FAKE_TOKEN,
        DATABASE_PATH=str(database_path),
        LOG_LEVEL="INFO",
        LIGHTSTICK_FAKE_API=fake.api_base,
        LIGHTSTICK_FAKE_GATEWAY=str(fake.gateway_url),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


async def spawn_bot_process(fake: FakeDiscord, database_path: Path, *args: str) -> asyncio.subprocess.Process:
    """`python -m bot` in a real process against the fake (for kill -9 tests)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakediscord.runner",
        *args,
        cwd=PROJECT_DIR,
        env=bot_process_env(fake, database_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


async def wait_for_output(process: asyncio.subprocess.Process, text: str, timeout: float = 15) -> list[str]:
    """Read the process's log until a line contains `text`."""
    assert process.stdout is not None
    lines: list[str] = []

    async def read() -> None:
        assert process.stdout is not None
        while True:
            raw = await process.stdout.readline()
            if not raw:
                raise AssertionError(f"process ended before {text!r}:\n" + "".join(lines))
            lines.append(raw.decode())
            if text in lines[-1]:
                return

    await asyncio.wait_for(read(), timeout)
    return lines


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 5.0, interval: float = 0.02) -> None:
    """Wait until `check()` is true (for state the bot writes asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
