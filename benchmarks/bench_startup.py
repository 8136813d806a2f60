"""Start-up time: `python -m bot` (a real process) until ready against the fake Discord.

Goal: under 2 s from process start to "logged in" (the first start migrates a fresh
database and syncs commands; the second start finds both up to date).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import spawn_bot_process, wait_for_output
from tests.fakediscord import FakeDiscord

GOAL_SECONDS = 2.0


async def time_start(fake: FakeDiscord, database: Path) -> float:
    started = time.perf_counter()
    process = await spawn_bot_process(fake, database)
    try:
        await wait_for_output(process, "logged in as", timeout=30)
        return time.perf_counter() - started
    finally:
        process.terminate()
        await process.wait()


async def main() -> None:
    fake = FakeDiscord()
    await fake.start()
    fake.add_guild()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "bench.db"
            first = await time_start(fake, database)
            second = await time_start(fake, database)
    finally:
        await fake.stop()
    for label, seconds in (("first start (migrate + sync)", first), ("second start", second)):
        verdict = "ok" if seconds < GOAL_SECONDS else "OVER GOAL"
        print(f"start-up, {label}: {seconds:.2f} s (goal < {GOAL_SECONDS:.0f} s) {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
