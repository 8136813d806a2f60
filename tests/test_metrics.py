"""/health and /metrics end to end: the real bot against the fake Discord, read over HTTP."""

from __future__ import annotations

import logging
import socket
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

import bot.client
from bot.client import LightstickBot
from bot.metrics import ShardState, process_shards, shard_states
from tests.cogs.polls_world import PollWorld, start_world
from tests.conftest import BotRunner
from tests.fakediscord import FakeDiscord


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        port: int = probe.getsockname()[1]
        return port


async def get(port: int, path: str) -> tuple[int, str, str]:
    """Status, content type and body of a GET to the bot's metrics server."""
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics serves, keyed by name and sorted labels."""
    status, content_type, text = await get(port, "/metrics")
    assert status == 200 and content_type == CONTENT_TYPE_LATEST
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
async def port() -> int:
    return free_port()


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner, port: int, monkeypatch: pytest.MonkeyPatch) -> PollWorld:
    """The polls world (tests/cogs/polls_world.py), its bot started with METRICS_PORT set."""
    settings = bots.settings
    monkeypatch.setattr(bots, "settings", lambda **overrides: settings(**{"metrics_port": port, **overrides}))
    return await start_world(fake, bots)


async def test_health_reports_shards_and_database(world: PollWorld, port: int) -> None:
    status, content_type, _ = await get(port, "/health")
    assert status == 200 and content_type.startswith("application/json")
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/health") as response:
        body = await response.json()
    assert body["status"] == "ok"
    assert body["process"] == 0
    assert list(body["shards"]) == ["0"]
    assert body["shards"]["0"]["ready"] is True
    latency = body["shards"]["0"]["latency_ms"]
    assert latency is None or latency >= 0
    assert body["database"]["ok"] is True and body["database"]["ms"] >= 0


async def test_counters_move_with_votes_posts_429s_and_reconciliations(world: PollWorld, port: int) -> None:
    before = await samples(port)
    assert value(before, "lightstick_shards_ready") == 1
    assert value(before, "lightstick_reconciliations_total", shard="0") >= 1  # the pass after start

    poll, message = await world.create()
    world.fake.fail("PATCH", rf"/messages/{message['id']}$", 429)  # the coalesced edit meets one 429
    await world.vote(message, world.fans[0], 0)
    await world.vote(message, world.fans[1], 1)
    await world.wait_counts(poll, [1, 1, 0])
    await world.unvote(message, world.fans[1], 1)
    await world.wait_counts(poll, [1, 0, 0])
    await world.wait_shown(message, [1, 0, 0])
    await world.cog.reconcile_all("test")

    general = int(world.general["id"])
    setup = await world.fake.slash_with(
        "storyline setup", world.guild, world.general, world.mod,
        {"channel": general, "time": "21:00", "timezone": "Asia/Seoul"},
    )  # fmt: skip
    await setup.response()
    posted = await world.fake.slash_with("storyline post", world.guild, world.general, world.mod, {})
    assert "Posted" in (await posted.final_message()).get("content", ""), await posted.final_message()

    after = await samples(port)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("lightstick_votes_ingested_total") == 3
    assert moved("lightstick_rest_429_total") == 1
    assert moved("lightstick_reconciliations_total", shard="0") == 1
    assert moved("lightstick_posts_total") == 1
    assert ("lightstick_shard_latency_seconds", (("shard", "0"),)) in after


async def test_health_is_503_when_the_database_is_closed(
    bots: BotRunner, port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIGHTSTICK_PROCESS_INDEX", "3")
    started = await bots.start(settings={"metrics_port": port}, extensions=[])
    assert (await get(port, "/health"))[0] == 200
    await started.db.close()
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/health") as response:
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is False and body["database"]["error"]
    assert body["shards"]["0"]["ready"] is True
    assert body["process"] == 3


async def test_the_server_stops_with_the_bot(bots: BotRunner, port: int) -> None:
    started = await bots.start(settings={"metrics_port": port}, extensions=[])
    assert (await get(port, "/health"))[0] == 200
    await bots.stop(started)
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(port, "/health")


async def test_metrics_are_off_by_default(bots: BotRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    async def record(*args: Any) -> None:
        calls.append(args)

    monkeypatch.setattr(bot.client, "start_metrics_server", record)
    started: LightstickBot = await bots.start(extensions=[])
    assert started.settings.metrics_port is None
    assert calls == []


async def test_a_busy_port_is_logged_and_the_bot_runs_on(
    bots: BotRunner, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", port))
        taken.listen()
        with caplog.at_level(logging.ERROR, logger="bot.metrics"):
            started = await bots.start(settings={"metrics_port": port}, extensions=[])
    assert started.is_ready()
    assert any(f"cannot listen on 0.0.0.0:{port}" in record.getMessage() for record in caplog.records)


class StubShard:
    def __init__(self, closed: bool, latency: float) -> None:
        self.closed, self.latency = closed, latency

    def is_closed(self) -> bool:
        return self.closed


class StubBot:
    """Just what /health reads from a discord.py client."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)

    def is_ready(self) -> bool:
        return True

    def is_closed(self) -> bool:
        return False


def test_shard_states_of_a_sharded_client_include_shards_not_connected_yet() -> None:
    shards = {2: StubShard(False, 0.0412), 3: StubShard(True, float("inf"))}
    states = shard_states(StubBot(shards=shards, shard_ids=[2, 3, 4], shard_count=6))
    assert states == {2: ShardState(True, 0.0412), 3: ShardState(False, None), 4: ShardState(False, None)}
    assert process_shards(StubBot(shards={0: StubShard(False, 0.1)}, shard_ids=None, shard_count=2)) == [0, 1]


def test_shard_states_of_a_plain_client() -> None:
    connected = StubBot(ws=SimpleNamespace(open=True), latency=0.05, shard_id=None)
    assert shard_states(connected) == {0: ShardState(True, 0.05)}
    assert shard_states(StubBot(ws=None, latency=float("nan"), shard_id=1)) == {1: ShardState(False, None)}
