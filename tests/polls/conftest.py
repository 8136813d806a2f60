"""Poll fixtures: a store on a real SQLite file with every migration, a fake clock."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.polls.store import PollStore
from tests.polls.factories import NOW


@pytest.fixture
def store(db: Database) -> PollStore:
    """A store on the suite's migrated database (the `db` fixture in tests/conftest.py)."""
    return PollStore(db)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)
