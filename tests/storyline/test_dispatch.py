"""The storyline service: exactly once across restarts and processes, catch-up, failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.errors import UserError
from bot.storyline import PostOutcome, PostState, RotationEntry, RunResult, StorylineService, StorylineStalled
from bot.storyline.service import CLAIM_LEASE
from tests.conftest import eventually
from tests.storyline.support import (
    ENTRIES,
    Crash,
    ExplodingEntries,
    FakeDiscordSide,
    build_service,
    channel_deleted,
    config,
    forbidden,
)
from tests.support.databases import reconnect

RUN_DAY1 = datetime(2026, 3, 1, 12, tzinfo=UTC)  # 21:00 KST on 1 March
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
AFTER_LEASE = RUN_DAY1 + CLAIM_LEASE + timedelta(seconds=1)


async def at(clock: FakeClock, moment: datetime) -> datetime:
    await clock.set(moment)
    return moment


def results(outcomes: list[PostOutcome]) -> list[RunResult]:
    return [outcome.result for outcome in outcomes]


# -- exactly once ----------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["before_claim", "after_claim", "after_send", "after_record"])
async def test_a_restart_at_any_step_posts_once(
    step: str, sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    first_db = await reconnect(sdb)
    first = build_service(first_db, clock, discord_side)
    await first.setup(config(1))
    await at(clock, RUN_DAY1)
    if step == "before_claim":
        discord_side.entries = ExplodingEntries(Crash("died while claiming"))  # inside the claim
    elif step == "after_claim":
        discord_side.crash_before_send.add(1)
    elif step == "after_send":
        discord_side.crash_after_send.add(1)
    if step == "after_record":
        assert results(await first.process_due(RUN_DAY1)) == [RunResult.POSTED]
    else:
        with pytest.raises(Crash):
            await first.process_due(RUN_DAY1)
    await first_db.close()
    discord_side.entries = list(ENTRIES)
    discord_side.crash_before_send.clear()
    discord_side.crash_after_send.clear()

    second_db = await reconnect(sdb)
    try:
        second = build_service(second_db, clock, discord_side)
        for moment in (RUN_DAY1, AFTER_LEASE, AFTER_LEASE + timedelta(minutes=30)):
            await second.process_due(await at(clock, moment))
        assert len(discord_side.posts_for(1)) == 1
        record = await second.store.post_for(1, DAY1)
        assert record is not None and record.state is PostState.POSTED
        assert record.message_id == discord_side.posts[0].message_id
        assert record.recovered == (step == "after_send")
        if step in ("after_claim", "after_send"):
            assert [plan.local_date for plan in discord_side.find_calls] == [DAY1]
        # The next day still posts, once.
        await second.process_due(await at(clock, RUN_DAY1 + timedelta(days=1)))
        assert len(discord_side.posts_for(1)) == 2
    finally:
        await second_db.close()


async def test_two_processes_on_one_database_post_each_guild_once(
    sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    other_db = await reconnect(sdb)
    try:
        discord_side.delay = 0.005
        first = build_service(sdb, clock, discord_side)
        second = build_service(other_db, clock, discord_side)
        for guild_id in range(1, 21):
            await first.setup(config(guild_id))
        now = await at(clock, RUN_DAY1)
        await asyncio.gather(first.process_due(now), second.process_due(now))
        await asyncio.gather(first.process_due(AFTER_LEASE), second.process_due(AFTER_LEASE))
        posted = sorted(post.plan.guild_id for post in discord_side.posts)
        assert posted == list(range(1, 21))
    finally:
        await other_db.close()


async def test_two_running_dispatchers_on_one_database_post_each_guild_once(
    sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    other_db = await reconnect(sdb)
    first = build_service(sdb, clock, discord_side)
    second = build_service(other_db, clock, discord_side)
    try:
        for guild_id in range(1, 11):
            await first.setup(config(guild_id))
        discord_side.delay = 0.005
        first.start()
        second.start()  # both loops now sleep until the same 21:00 KST
        await at(clock, RUN_DAY1)
        await eventually(lambda: len(discord_side.posts) == 10)
        await at(clock, AFTER_LEASE)  # any claim the other loop holds has long expired
        await asyncio.sleep(0.1)
        assert sorted(post.plan.guild_id for post in discord_side.posts) == list(range(1, 11))
        assert first.dispatcher.runs >= 1 and second.dispatcher.runs >= 1
        await at(clock, RUN_DAY1 + timedelta(days=1))
        await eventually(lambda: len(discord_side.posts) == 20)
        await asyncio.sleep(0.1)
        assert len(discord_side.posts) == 20
    finally:
        await first.stop()
        await second.stop()
        await other_db.close()


# -- downtime, skip, pause, post now ----------------------------------------------------------


async def test_catch_up_inside_the_window_posts_late(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    outcomes = await service.process_due(await at(clock, RUN_DAY1 + timedelta(hours=4)))
    assert results(outcomes) == [RunResult.POSTED] and outcomes[0].late
    assert discord_side.posts[0].plan.late
    record = await service.store.post_for(1, DAY1)
    assert record is not None and record.late


async def test_catch_up_outside_the_window_is_missed(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    outcomes = await service.process_due(await at(clock, RUN_DAY1 + timedelta(hours=7)))
    assert results(outcomes) == [RunResult.MISSED]
    assert discord_side.send_calls == []
    status = await service.status(1)
    assert status.next_run is not None and status.next_run.local_date == DAY2
    assert status.last_post is not None and status.last_post.state is PostState.MISSED


async def test_skip_then_the_day_after_posts(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    skipped = await service.skip(1)
    assert (skipped.skipped.local_date, skipped.next_run.local_date) == (DAY1, DAY2)
    assert await service.process_due(await at(clock, RUN_DAY1 + timedelta(minutes=1))) == []
    await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=1)))
    assert [post.plan.local_date for post in discord_side.posts] == [DAY2]


async def test_pause_and_resume(service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide) -> None:
    await service.setup(config(1))
    await service.pause(1)
    assert await service.earliest_due() is None
    assert await service.process_due(await at(clock, RUN_DAY1)) == []
    status = await service.status(1)
    assert status.next_run is None and status.settings.paused
    resumed = await service.resume(1)
    assert resumed.next_run.local_date == DAY2
    await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=1)))
    assert [post.plan.local_date for post in discord_side.posts] == [DAY2]


async def test_post_now_counts_as_todays_post(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    await at(clock, RUN_DAY1 - timedelta(hours=2))
    outcome = await service.post_now(1)
    assert outcome.result is RunResult.POSTED and discord_side.posts[0].plan.manual
    assert await service.process_due(await at(clock, RUN_DAY1)) == []
    assert len(discord_side.posts) == 1
    with pytest.raises(UserError, match="already posted"):
        await service.post_now(1)
    today = await service.today(1)
    assert today.post is not None and today.post.message_id == outcome.message_id
    assert today.next_run is not None and today.next_run.local_date == DAY2


# -- failures stay local ------------------------------------------------------------------------


async def test_forbidden_in_one_guild_does_not_stop_another(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    await service.setup(config(2))
    discord_side.failures[1] = forbidden()
    outcomes = await service.process_due(await at(clock, RUN_DAY1))
    assert sorted(results(outcomes)) == [RunResult.FAILED, RunResult.POSTED]
    assert [post.plan.guild_id for post in discord_side.posts] == [2]
    status = await service.status(1)
    assert not status.settings.paused
    assert status.settings.last_error == "Missing permissions in the channel: Send Messages"
    assert status.next_run is not None and status.next_run.local_date == DAY2
    # Fixed by the next run: it posts.
    del discord_side.failures[1]
    await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=1)))
    assert len(discord_side.posts_for(1)) == 1


async def test_deleted_channel_pauses_that_guild_only(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    await service.setup(config(2))
    discord_side.failures[1] = channel_deleted()
    await service.process_due(await at(clock, RUN_DAY1))
    status = await service.status(1)
    assert status.settings.paused and status.settings.paused_reason == "The storyline channel was deleted"
    await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=1)))
    assert len(discord_side.posts_for(1)) == 0 and len(discord_side.posts_for(2)) == 2


async def test_an_unexpected_send_error_is_checked_before_any_retry(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    discord_side.failures[1] = RuntimeError("connection reset")
    outcomes = await service.process_due(await at(clock, RUN_DAY1))
    assert results(outcomes) == [RunResult.IN_DOUBT]
    assert (await service.status(1)).settings.last_error == "RuntimeError: connection reset"
    del discord_side.failures[1]
    outcomes = await service.process_due(await at(clock, AFTER_LEASE))
    assert results(outcomes) == [RunResult.POSTED]
    assert len(discord_side.find_calls) == 1 and len(discord_side.posts) == 1


async def test_a_send_that_never_answers_times_out_in_doubt(
    sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    service = build_service(sdb, clock, discord_side, send_timeout=timedelta(seconds=0.05))
    await service.setup(config(1))
    discord_side.delay = 5
    outcomes = await service.process_due(await at(clock, RUN_DAY1))
    assert results(outcomes) == [RunResult.IN_DOUBT]
    record = await service.store.post_for(1, DAY1)
    assert record is not None and record.state is PostState.CLAIMED


async def test_repeated_doubt_gives_up_after_three_sends(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    discord_side.failures[1] = RuntimeError("boom")
    now = await at(clock, RUN_DAY1)
    seen = []
    for _ in range(5):
        seen += results(await service.process_due(now))
        now = await at(clock, now + CLAIM_LEASE + timedelta(seconds=1))
    assert seen == [RunResult.IN_DOUBT] * 3 + [RunResult.FAILED]
    assert len(discord_side.send_calls) == 3
    record = await service.store.post_for(1, DAY1)
    assert record is not None and record.state is PostState.FAILED
    assert record.error is not None and record.error.startswith("gave up after 3 attempts")


async def test_a_broken_catalog_defers_guilds_and_the_pass_reports_a_stall(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    discord_side.entries = ExplodingEntries(RuntimeError("catalog not loaded"))
    with pytest.raises(StorylineStalled):
        await service.run_due(await at(clock, RUN_DAY1))
    settings = await service.store.require_settings(1)
    assert settings.next_run.run_at == RUN_DAY1 + timedelta(minutes=1)
    discord_side.entries = list(ENTRIES)
    await service.run_due(await at(clock, RUN_DAY1 + timedelta(minutes=1)))
    assert len(discord_side.posts) == 1 and not discord_side.posts[0].plan.late


# -- scale and the loop ---------------------------------------------------------------------------


async def test_many_guilds_due_at_once_all_post_with_bounded_concurrency(
    sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    service = build_service(sdb, clock, discord_side, concurrency=4, batch_size=25)
    for guild_id in range(1, 61):
        await service.store.save_setup(config(guild_id), clock.now())
    discord_side.delay = 0.002
    now = await at(clock, RUN_DAY1)
    while (due := await service.earliest_due()) is not None and due <= now:
        await service.run_due(now)
    assert len(discord_side.posts) == 60
    assert discord_side.peak <= 4 and service.peak_concurrency <= 4


async def test_the_background_loop_posts_when_the_clock_reaches_the_time(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    service.start()
    try:
        await service.setup(config(1))  # wakes the sleeping loop
        await asyncio.sleep(0.05)
        assert discord_side.posts == []
        await clock.set(RUN_DAY1)
        await eventually(lambda: len(discord_side.posts) == 1)
        await clock.set(RUN_DAY1 + timedelta(days=1))
        await eventually(lambda: len(discord_side.posts) == 2)
        assert service.dispatcher.running
    finally:
        await service.stop()


async def test_the_loop_survives_a_failing_guild_and_a_failing_pass(
    sdb: Database, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    broken_channels: set[int] = set()

    def age_restricted(guild_id: int, channel_id: int) -> bool:
        if channel_id in broken_channels:
            raise RuntimeError("channel cache in a bad state")
        return False

    service = StorylineService(
        sdb,
        clock,
        entries=lambda: discord_side.entries,
        send=discord_side.send,
        find_existing=discord_side.find_existing,
        age_restricted=age_restricted,
    )
    await service.setup(config(1, include_mature=True))  # asks about channel 10 when claiming
    await service.setup(config(2))
    broken_channels.add(10)
    service.start()
    try:
        await at(clock, RUN_DAY1)
        await eventually(lambda: [post.plan.guild_id for post in discord_side.posts] == [2])
        settings = await service.store.require_settings(1)
        assert settings.next_run.run_at == RUN_DAY1 + timedelta(minutes=1)  # retried shortly

        # Now every guild of a pass fails: the pass raises, the loop backs off and goes on.
        discord_side.entries = ExplodingEntries(RuntimeError("catalog not loaded"))
        await at(clock, RUN_DAY1 + timedelta(minutes=1))
        await eventually(lambda: service.dispatcher.runs >= 2)
        await asyncio.sleep(0.05)
        assert service.dispatcher.running and len(discord_side.posts) == 1

        broken_channels.clear()
        discord_side.entries = list(ENTRIES)
        await at(clock, RUN_DAY1 + timedelta(minutes=3))
        await eventually(lambda: len(discord_side.posts_for(1)) == 1)
        assert service.dispatcher.running
    finally:
        await service.stop()


# -- what the commands show ----------------------------------------------------------------------


async def test_status_preview_and_history(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    preview = await service.preview(1)
    assert preview.local_date == DAY1 and preview.remaining_in_cycle == 4
    outcome = (await service.process_due(await at(clock, RUN_DAY1)))[0]
    assert outcome.mv_id == preview.mv_id  # the preview was what got posted
    status = await service.status(1)
    assert (status.progress.posted, status.progress.remaining, status.progress.low) == (1, 4, False)
    assert status.last_post is not None and status.last_post.message_id == outcome.message_id
    await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=1)))
    second = discord_side.posts[-1].plan
    assert second.previous is not None and second.previous.message_id == outcome.message_id
    assert second.previous.thread_id == outcome.thread_id
    history = await service.history(1)
    assert [record.local_date for record in history] == [DAY2, DAY1]


async def test_mature_entries_need_opt_in_and_an_age_restricted_channel(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1, include_mature=True))  # channel 10 is not age-restricted
    await service.setup(config(2, include_mature=True))
    discord_side.age_restricted_channels.add(20)
    for day in range(12):
        await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=day)))
    assert "yunho-thank-u" not in {post.plan.mv_id for post in discord_side.posts_for(1)}
    assert "yunho-thank-u" in {post.plan.mv_id for post in discord_side.posts_for(2)[:6]}
    assert (await service.status(2)).progress.total == 6


async def test_new_catalog_entries_join_the_current_cycle(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    for day in range(2):
        await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=day)))
    discord_side.entries.append(RotationEntry("bigbang-haru-haru"))
    for day in range(2, 6):
        await service.process_due(await at(clock, RUN_DAY1 + timedelta(days=day)))
    cycle = [post.plan.mv_id for post in discord_side.posts]
    assert "bigbang-haru-haru" in cycle and len(set(cycle)) == 6
    assert {post.plan.cycle for post in discord_side.posts} == {0}


async def test_setup_changes_the_time_the_same_day(
    service: StorylineService, clock: FakeClock, discord_side: FakeDiscordSide
) -> None:
    await service.setup(config(1))
    await at(clock, RUN_DAY1 - timedelta(hours=1))
    status = await service.setup(config(1, at=time(22, 0)))
    assert status.next_run is not None and status.next_run.run_at == RUN_DAY1 + timedelta(hours=1)
    assert await service.process_due(await at(clock, RUN_DAY1)) == []
    await service.process_due(await at(clock, RUN_DAY1 + timedelta(hours=1)))
    assert len(discord_side.posts) == 1
