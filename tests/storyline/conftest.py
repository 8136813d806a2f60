"""Storyline fixtures: a migrated database file, a fake Discord side, a service."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.storyline import StorylineService
from tests.storyline.support import START, FakeDiscordSide, build_service


@pytest.fixture
def sdb(db: Database) -> Database:
    """The suite's migrated database (tests/conftest.py), on each engine in turn."""
    return db


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def discord_side() -> FakeDiscordSide:
    return FakeDiscordSide()


@pytest.fixture
def service(sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide) -> StorylineService:
    return build_service(sdb, clock, discord_side)
