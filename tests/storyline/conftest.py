"""Storyline fixtures: a migrated database file, a fake Discord side, a service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.storyline import StorylineService
from tests.storyline.support import START, FakeDiscordSide, build_service, open_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "storyline.db"


@pytest.fixture
async def sdb(db_path: Path) -> AsyncIterator[Database]:
    database = await open_database(db_path)
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def discord_side() -> FakeDiscordSide:
    return FakeDiscordSide()


@pytest.fixture
def service(sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide) -> StorylineService:
    return build_service(sdb, clock, discord_side)
