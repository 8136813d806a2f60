"""`python -m bot --processes N`: planning, restarts, stops and refusals, with real processes.

The children are :mod:`tests.support.fake_child` (through LIGHTSTICK_CHILD_MODULE): each
records the environment it was started with and waits to be stopped, or exits at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import types
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError
from bot.logs import setup_logging
from bot.paths import PROJECT_DIR
from bot.supervisor import Backoff, child_args, child_module, describe_exit, plan_children, recommended_shard_count
from tests.conftest import FAKE_TOKEN
from tests.fakediscord import FakeDiscord

POSTGRES_URL = "postgresql://lightstick:secret@127.0.0.1:5432/lightstick"

# -- pure parts ----------------------------------------------------------------------


def test_plan_splits_shards_into_contiguous_ranges_with_their_own_ports() -> None:
    plans = plan_children(6, 3, metrics_port=9400)
    assert [plan.shard_ids for plan in plans] == [(0, 1), (2, 3), (4, 5)]
    assert [dict(plan.env) for plan in plans] == [
        {"SHARD_COUNT": "6", "SHARD_IDS": "0-1", "LIGHTSTICK_PROCESS_INDEX": "0", "METRICS_PORT": "9400"},
        {"SHARD_COUNT": "6", "SHARD_IDS": "2-3", "LIGHTSTICK_PROCESS_INDEX": "1", "METRICS_PORT": "9401"},
        {"SHARD_COUNT": "6", "SHARD_IDS": "4-5", "LIGHTSTICK_PROCESS_INDEX": "2", "METRICS_PORT": "9402"},
    ]
    assert plans[1].label == "process 1 (shards 2-3)"


def test_plan_uneven_split_and_no_metrics_port() -> None:
    plans = plan_children(5, 2)
    assert [plan.env["SHARD_IDS"] for plan in plans] == ["0-2", "3-4"]
    assert all("METRICS_PORT" not in plan.env for plan in plans)


def test_plan_splits_the_shard_ids_this_machine_was_given() -> None:
    plans = plan_children(16, 2, shard_ids=range(8, 16))
    assert [plan.env["SHARD_IDS"] for plan in plans] == ["8-11", "12-15"]
    assert {plan.env["SHARD_COUNT"] for plan in plans} == {"16"}


def test_plan_refuses_more_processes_than_shards() -> None:
    with pytest.raises(ConfigError, match=r"but Discord recommends 2: set SHARD_COUNT to at least 3 or lower"):
        plan_children(2, 3, source="Discord recommends")
    with pytest.raises(ConfigError, match="SHARD_IDS 4 has 1"):
        plan_children(8, 2, shard_ids=[4])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--processes", "3", "--sync"], ["--sync"]),
        (["--sync", "--processes=3"], ["--sync"]),
        (["--proc", "2"], []),
        (["--sync"], ["--sync"]),
    ],
)
def test_child_args_drop_processes(argv: list[str], expected: list[str]) -> None:
    assert child_args(argv) == expected


def test_backoff_doubles_to_a_cap_and_resets_after_a_stable_run() -> None:
    backoff = Backoff()
    assert [backoff.next_delay(uptime=0.5) for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.next_delay(uptime=61) == 1
    assert backoff.next_delay(uptime=1) == 2


def test_describe_exit() -> None:
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(1) == "died with exit code 1"
    assert describe_exit(0) == "exited cleanly (exit code 0)"


def test_children_run_the_module_the_parent_was_started_as(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIGHTSTICK_CHILD_MODULE", raising=False)

    def started_as(name: str) -> types.SimpleNamespace:
        return types.SimpleNamespace(__spec__=types.SimpleNamespace(name=name))

    monkeypatch.setitem(sys.modules, "__main__", started_as("tests.fakediscord.runner"))
    assert child_module() == "tests.fakediscord.runner"
    monkeypatch.setitem(sys.modules, "__main__", started_as("bot.__main__"))
    assert child_module() == "bot"
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__spec__=None))
    assert child_module() == "bot"
    monkeypatch.setenv("LIGHTSTICK_CHILD_MODULE", "tests.support.fake_child")
    assert child_module() == "tests.support.fake_child"


def test_log_lines_name_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    monkeypatch.setenv("LIGHTSTICK_PROCESS_INDEX", "1")
    try:
        setup_logging(logging.INFO)
        record = logging.LogRecord("bot.client", logging.INFO, __file__, 1, "ready", None, None)
        assert root.handlers[0].format(record).startswith("[p1] ")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


async def test_shard_count_comes_from_discord(fake: FakeDiscord) -> None:
    assert await recommended_shard_count(FAKE_TOKEN) == 1
    assert len(fake.calls_to("GET", r"/gateway/bot$")) == 1


# -- real processes ------------------------------------------------------------------


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A `.env`-free environment, as `python -m bot` sees it on a fresh machine."""
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(PROJECT_DIR),
        "LIGHTSTICK_ENV_FILE": str(tmp_path / "absent.env"),
        "DISCORD_TOKEN": FAKE_TOKEN,
        "DATABASE_PATH": str(tmp_path / "x.db"),
        **extra,
    }


class Supervised:
    """A running `python -m bot --processes N` whose children are fake."""

    def __init__(self, process: asyncio.subprocess.Process, folder: Path) -> None:
        self.process = process
        self.folder = folder
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode())

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def starts(self, index: int) -> list[dict[str, Any]]:
        found = [json.loads(path.read_text()) for path in self.folder.glob(f"p{index}-*.json")]
        return sorted(found, key=lambda record: record["pid"])

    def stopped(self, pid: int) -> str | None:
        matches = list(self.folder.glob(f"p*-{pid}.stopped"))
        return matches[0].read_text() if matches else None

    async def until(self, check: Any, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if loop.time() > deadline:
                raise AssertionError(f"condition not met in time; supervisor log:\n{self.log}")
            await asyncio.sleep(0.05)

    async def wait(self, timeout: float = 10.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self._reader, timeout)
        return code


@pytest.fixture
async def supervise(tmp_path: Path) -> AsyncIterator[Any]:
    started: list[Supervised] = []

    async def start(processes: int, *args: str, **env: str) -> Supervised:
        folder = tmp_path / f"run{len(started)}"
        folder.mkdir()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--processes", str(processes), *args,
            cwd=tmp_path,
            env=base_env(
                tmp_path, DATABASE_URL=POSTGRES_URL, LIGHTSTICK_CHILD_MODULE="tests.support.fake_child",
                FAKE_CHILD_DIR=str(folder), **env,
            ),
            stderr=subprocess.PIPE,
        )  # fmt: skip
        started.append(Supervised(process, folder))
        return started[-1]

    yield start
    for run in started:
        if run.process.returncode is None:
            run.process.kill()
            await run.process.wait()
        for path in run.folder.glob("p*.json"):  # no fake child outlives its test
            kill_fake_child(json.loads(path.read_text())["pid"])


def kill_fake_child(pid: int) -> None:
    """Kill a fake child left running, checking first that the pid still is one."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return
    if b"tests.support.fake_child" in cmdline:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


async def test_children_get_their_shards_restart_when_killed_and_stop_on_sigterm(supervise: Any) -> None:
    run: Supervised = await supervise(3, "--sync", SHARD_COUNT="6", METRICS_PORT="9400")
    await run.until(lambda: all(run.starts(index) for index in range(3)))
    envs = [run.starts(index)[0]["env"] for index in range(3)]
    assert envs == [
        {"SHARD_COUNT": "6", "SHARD_IDS": f"{2 * i}-{2 * i + 1}", "LIGHTSTICK_PROCESS_INDEX": str(i),
         "METRICS_PORT": str(9400 + i)}
        for i in range(3)
    ]  # fmt: skip
    assert {tuple(run.starts(index)[0]["argv"]) for index in range(3)} == {("--sync",)}

    killed = run.starts(1)[0]["pid"]
    os.kill(killed, signal.SIGKILL)
    await run.until(lambda: len(run.starts(1)) == 2)
    assert "process 1 (shards 2-3) killed by SIGKILL; restarting in 1 s" in run.log
    assert run.starts(1)[1]["env"]["SHARD_IDS"] == "2-3"
    assert len(run.starts(0)) == len(run.starts(2)) == 1

    run.process.send_signal(signal.SIGTERM)
    assert await run.wait() == 0
    alive = [run.starts(0)[0], run.starts(1)[1], run.starts(2)[0]]
    assert [run.stopped(record["pid"]) for record in alive] == ["SIGTERM"] * 3
    assert "Traceback" not in run.log


async def test_a_child_exiting_with_2_stops_everything_with_2(supervise: Any) -> None:
    run: Supervised = await supervise(2, SHARD_COUNT="2", FAKE_CHILD_EXIT_1="2")
    assert await run.wait() == 2
    assert "process 1 (shards 1) died with exit code 2 (a settings problem); stopping every process" in run.log
    assert len(run.starts(1)) == 1  # not restarted
    first = run.starts(0)
    assert len(first) == 1 and run.stopped(first[0]["pid"]) == "SIGTERM"


def run_bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=base_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--processes", "0"], ["lightstick: --processes must be at least 1", "got 0"]),
        (
            ["--processes", "2"],
            ["lightstick: --processes 2 needs one PostgreSQL database that every process shares", "DATABASE_URL="],
        ),
    ],
)
def test_refusals_are_one_line_and_exit_2(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    result = run_bot(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(needles[0])
    assert all(needle in lines[0] for needle in needles)
    assert not (tmp_path / "x.db").exists()  # nothing was started
