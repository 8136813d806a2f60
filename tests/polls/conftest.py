"""Poll fixtures: a real SQLite file with every migration, a store, a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.polls.store import PollStore
from tests.polls.factories import NOW


@pytest.fixture
async def poll_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "t.db")
    await database.connect()
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def store(poll_db: Database) -> PollStore:
    return PollStore(poll_db)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)
