"""StorylineStore against a real SQLite file: setup, the daily claim, results, catch-up."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.db import Database
from bot.errors import UserError
from bot.storyline import (
    Claim,
    ClaimStatus,
    PostState,
    SendResult,
    StorylineSettings,
    StorylineStore,
    cycle_order,
)
from tests.storyline.support import config
from tests.support.databases import INTEGRITY_ERRORS, reconnect

LEASE = timedelta(minutes=2)
RUN_DAY1 = datetime(2026, 3, 1, 12, tzinfo=UTC)  # 21:00 KST, 1 March
DAY1 = date(2026, 3, 1)
ALL = ["a", "b", "c", "d"]


def every(settings: StorylineSettings) -> list[str]:
    return ALL


def none(settings: StorylineSettings) -> list[str]:
    return []


@pytest.fixture
def store(sdb: Database) -> StorylineStore:
    return StorylineStore(sdb)


async def claim(store: StorylineStore, now: datetime, guild_id: int = 1, owner: str = "me") -> Claim:
    return await store.claim_scheduled(guild_id, now, every, owner=owner, lease=LEASE)


async def test_setup_schedules_today_or_tomorrow(store: StorylineStore) -> None:
    before = await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    assert before.next_run.local_date == DAY1 and before.next_run.run_at == RUN_DAY1
    after = await store.save_setup(config(2), RUN_DAY1 + timedelta(minutes=1))
    assert after.next_run.local_date == date(2026, 3, 2)
    assert after.catch_up_hours == 6 and after.thread and not after.paused


async def test_setup_replaces_and_reenables(store: StorylineStore) -> None:
    now = RUN_DAY1 - timedelta(hours=3)
    await store.save_setup(config(1), now)
    await store.pause(1, now, "channel deleted")
    await store.disable(1, now)
    again = await store.save_setup(config(1, at=time(22, 30), channel_id=99, ping_role_id=5), now)
    assert (again.channel_id, again.local_time, again.ping_role_id) == (99, time(22, 30), 5)
    assert not again.paused and not again.disabled and again.paused_reason is None
    assert again.next_run.run_at == RUN_DAY1 + timedelta(hours=1, minutes=30)
    count = await store.db.fetchval("SELECT COUNT(*) FROM storyline_guilds")
    assert count == 1


async def test_claim_is_once_per_day_and_advances_the_schedule(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    assert (await claim(store, RUN_DAY1 - timedelta(seconds=1))).status is ClaimStatus.NOT_DUE
    first = await claim(store, RUN_DAY1)
    assert first.status is ClaimStatus.CLAIMED and first.plan is not None
    assert (first.plan.local_date, first.plan.late, first.plan.mv_id in ALL) == (DAY1, False, True)
    assert (await claim(store, RUN_DAY1 + timedelta(seconds=5))).status is ClaimStatus.NOT_DUE
    settings = await store.require_settings(1)
    assert settings.next_run.local_date == date(2026, 3, 2)
    assert settings.next_run.run_at == RUN_DAY1 + timedelta(days=1)
    record = await store.post_for(1, DAY1)
    assert record is not None and record.state is PostState.CLAIMED and record.attempts == 1


async def test_the_primary_key_refuses_a_second_row_for_the_day(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await claim(store, RUN_DAY1)
    with pytest.raises(INTEGRITY_ERRORS):
        async with store.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO storyline_posts (guild_id, local_date, state, scheduled_at, channel_id, "
                "updated_at) VALUES (1, '2026-03-01', 'claimed', 0, 10, 0)"
            )


async def test_two_connections_racing_for_one_day_get_one_claim(sdb: Database) -> None:
    other = await reconnect(sdb)
    try:
        first, second = StorylineStore(sdb), StorylineStore(other)
        await first.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
        claims = await asyncio.gather(
            *(
                claim(store, RUN_DAY1 + timedelta(seconds=1), owner=name)
                for store, name in [(first, "a"), (second, "b")] * 3
            )
        )
        assert [c.status for c in claims].count(ClaimStatus.CLAIMED) == 1
        rows = await sdb.fetchval("SELECT COUNT(*) FROM storyline_posts")
        assert rows == 1
    finally:
        await other.close()


async def test_results_close_a_claim_once(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await claim(store, RUN_DAY1)
    assert await store.record_post(1, DAY1, SendResult(555, 556), RUN_DAY1)
    assert not await store.record_post(1, DAY1, SendResult(777), RUN_DAY1)
    assert not await store.record_failure(1, DAY1, "late failure", RUN_DAY1)
    record = await store.post_for(1, DAY1)
    assert record is not None
    assert (record.state, record.message_id, record.thread_id) == (PostState.POSTED, 555, 556)
    settings = await store.require_settings(1)
    assert (settings.last_result, settings.last_error) == ("posted", None)


async def test_failure_with_pause_stops_the_guild(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await claim(store, RUN_DAY1)
    assert await store.record_failure(1, DAY1, "channel deleted", RUN_DAY1, pause=True)
    settings = await store.require_settings(1)
    assert settings.paused and settings.paused_reason == "channel deleted"
    assert settings.last_error == "channel deleted"
    assert await store.due_guilds(RUN_DAY1 + timedelta(days=5)) == []


async def test_a_manual_pause_keeps_the_reason_of_an_automatic_one(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await claim(store, RUN_DAY1)
    await store.record_failure(1, DAY1, "channel deleted", RUN_DAY1, pause=True)
    await store.pause(1, RUN_DAY1 + timedelta(hours=1))
    assert (await store.require_settings(1)).paused_reason == "channel deleted"


async def test_catch_up_inside_the_window_is_late(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    result = await claim(store, RUN_DAY1 + timedelta(hours=5, minutes=59))
    assert result.status is ClaimStatus.CLAIMED and result.plan is not None and result.plan.late
    assert result.plan.scheduled_at == RUN_DAY1


async def test_a_few_minutes_behind_is_not_late(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    result = await claim(store, RUN_DAY1 + timedelta(minutes=3))
    assert result.plan is not None and not result.plan.late


async def test_catch_up_outside_the_window_is_missed(store: StorylineStore) -> None:
    await store.save_setup(config(1, catch_up_hours=2), RUN_DAY1 - timedelta(hours=3))
    now = RUN_DAY1 + timedelta(hours=2, minutes=1)
    assert (await claim(store, now)).status is ClaimStatus.MISSED
    record = await store.post_for(1, DAY1)
    assert record is not None and record.state is PostState.MISSED and record.mv_id is None
    settings = await store.require_settings(1)
    assert settings.next_run.local_date == date(2026, 3, 2) and settings.last_result == "missed"


async def test_long_downtime_records_missed_days_and_catches_up_the_last(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    now = RUN_DAY1 + timedelta(days=3, hours=1)  # 22:00 KST on 4 March
    result = await claim(store, now)
    assert result.status is ClaimStatus.CLAIMED and result.plan is not None
    assert result.plan.local_date == date(2026, 3, 4) and result.plan.late
    states = {r.local_date.day: r.state for r in await store.history(1)}
    assert states == {1: "missed", 2: "missed", 3: "missed", 4: "claimed"}


async def test_very_long_downtime_keeps_at_most_fourteen_missed_rows(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    assert (await claim(store, RUN_DAY1 + timedelta(days=60, hours=8))).status is ClaimStatus.MISSED
    assert await store.db.fetchval("SELECT COUNT(*) FROM storyline_posts") == 14


async def test_post_now_claims_today_and_the_scheduled_run_moves_on(store: StorylineStore) -> None:
    morning = RUN_DAY1 - timedelta(hours=10)  # 11:00 KST
    await store.save_setup(config(1), morning)
    manual = await store.claim_today(1, morning, every, owner="me", lease=LEASE)
    assert manual.plan is not None and manual.plan.manual and manual.plan.local_date == DAY1
    assert (await store.require_settings(1)).next_run.local_date == date(2026, 3, 2)
    assert (await claim(store, RUN_DAY1)).status is ClaimStatus.NOT_DUE
    with pytest.raises(UserError, match="being posted right now"):
        await store.claim_today(1, morning, every, owner="me", lease=LEASE)
    await store.record_post(1, DAY1, SendResult(1), morning)
    with pytest.raises(UserError, match="already posted"):
        await store.claim_today(1, morning, every, owner="me", lease=LEASE)


async def test_post_now_may_retry_a_failed_day(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await claim(store, RUN_DAY1)
    await store.record_failure(1, DAY1, "Forbidden", RUN_DAY1)
    retry = await store.claim_today(1, RUN_DAY1 + timedelta(hours=1), every, owner="me", lease=LEASE)
    assert retry.status is ClaimStatus.CLAIMED
    record = await store.post_for(1, DAY1)
    assert record is not None and record.state is PostState.CLAIMED and record.manual


async def test_no_eligible_entry_is_a_recorded_failure(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    result = await store.claim_scheduled(1, RUN_DAY1, none, owner="me", lease=LEASE)
    assert result.status is ClaimStatus.NO_ENTRIES
    record = await store.post_for(1, DAY1)
    assert record is not None and record.state is PostState.FAILED
    assert record.error is not None and "No storyline is eligible" in record.error
    with pytest.raises(UserError, match="No storyline is eligible"):
        await store.claim_today(1, RUN_DAY1, none, owner="me", lease=LEASE)


async def test_skip_marks_the_next_run_and_moves_on(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    skipped = await store.skip_next(1, RUN_DAY1 - timedelta(hours=3))
    assert skipped.skipped.local_date == DAY1
    assert skipped.next_run.local_date == date(2026, 3, 2)
    assert (await claim(store, RUN_DAY1 + timedelta(minutes=1))).status is ClaimStatus.NOT_DUE
    again = await store.skip_next(1, RUN_DAY1)
    assert again.skipped.local_date == date(2026, 3, 2)
    states = [r.state for r in await store.history(1)]
    assert states == [PostState.SKIPPED, PostState.SKIPPED]


async def test_pause_and_resume(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await store.pause(1, RUN_DAY1 - timedelta(hours=3))
    assert await store.due_guilds(RUN_DAY1) == []
    assert await store.earliest_due() is None
    with pytest.raises(UserError, match="paused"):
        await store.skip_next(1, RUN_DAY1)
    resumed = await store.resume(1, RUN_DAY1 + timedelta(hours=1))
    assert not resumed.paused
    assert resumed.next_run.local_date == date(2026, 3, 2)  # the paused day is not caught up


async def test_disabled_guild_refuses_actions_until_setup(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await store.disable(1, RUN_DAY1)
    assert await store.due_guilds(RUN_DAY1 + timedelta(days=1)) == []
    for action in (store.resume(1, RUN_DAY1), store.pause(1, RUN_DAY1), store.skip_next(1, RUN_DAY1)):
        with pytest.raises(UserError, match="disabled"):
            await action


async def test_unknown_guild_gets_a_clear_message(store: StorylineStore) -> None:
    with pytest.raises(UserError, match="/storyline setup"):
        await store.require_settings(404)
    with pytest.raises(UserError, match="/storyline setup"):
        await store.pause(404, RUN_DAY1)


async def test_due_guilds_earliest_first_with_a_limit(store: StorylineStore) -> None:
    now = RUN_DAY1 - timedelta(hours=3)
    for guild_id, hour in [(1, 21), (2, 20), (3, 22), (4, 19)]:
        await store.save_setup(config(guild_id, at=time(hour)), now)
    assert await store.earliest_due() == RUN_DAY1 - timedelta(hours=2)
    assert await store.due_guilds(RUN_DAY1, limit=2) == [4, 2]
    assert await store.due_guilds(RUN_DAY1) == [4, 2, 1]


DUE_QUERY = (
    "SELECT guild_id FROM storyline_guilds WHERE paused = 0 "
    "AND disabled = 0 AND next_run_at <= ? ORDER BY next_run_at LIMIT ?"
)


async def test_due_query_is_an_index_range_scan(store: StorylineStore) -> None:
    if store.db.engine == "sqlite":
        plan = await store.db.fetchall("EXPLAIN QUERY PLAN " + DUE_QUERY, (0, 10))
        details = " ".join(row["detail"] for row in plan)
        assert "SEARCH storyline_guilds USING" in details and "storyline_guilds_due" in details
        assert "TEMP B-TREE" not in details  # already in next_run_at order: no sort
    else:
        async with store.db.transaction() as conn:
            await conn.execute("SET LOCAL enable_seqscan = off")  # an empty table would be scanned
            plan = await conn.fetchall("EXPLAIN " + DUE_QUERY, (0, 10))
        details = " ".join(row[0] for row in plan)
        assert "Index Scan using storyline_guilds_due" in details
        assert "Sort" not in details  # already in next_run_at order


async def test_expired_claims_are_taken_over_by_one_owner(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await claim(store, RUN_DAY1, owner="crashed")
    assert await store.earliest_due() == RUN_DAY1 + LEASE
    assert await store.expired_claims(RUN_DAY1 + timedelta(minutes=1)) == []
    assert await store.retake_claim(1, DAY1, RUN_DAY1 + timedelta(minutes=1), owner="x", lease=LEASE) is None
    later = RUN_DAY1 + LEASE
    assert [r.local_date for r in await store.expired_claims(later)] == [DAY1]
    takes = await asyncio.gather(
        store.retake_claim(1, DAY1, later, owner="x", lease=LEASE),
        store.retake_claim(1, DAY1, later, owner="y", lease=LEASE),
    )
    taken = [t for t in takes if t is not None]
    assert len(taken) == 1
    plan, record = taken[0]
    assert record.attempts == 2 and plan.local_date == DAY1 and plan.mv_id in ALL


async def test_history_is_newest_first_and_limited(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    for day in range(20):
        now = RUN_DAY1 + timedelta(days=day)
        result = await claim(store, now)
        assert result.plan is not None
        await store.record_post(1, result.plan.local_date, SendResult(day + 1), now)
    history = await store.history(1)
    assert len(history) == 14
    assert history[0].local_date == date(2026, 3, 20) and history[-1].local_date == date(2026, 3, 7)
    assert (await store.last_post(1)) == history[0]


async def test_rotation_through_claims_uses_each_entry_once_per_cycle(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    picks = []
    for day in range(len(ALL) * 2):
        now = RUN_DAY1 + timedelta(days=day)
        result = await claim(store, now)
        assert result.plan is not None
        picks.append(result.plan.mv_id)
        assert result.plan.remaining_in_cycle == len(ALL) - 1 - day % len(ALL)
        if day:
            assert result.plan.previous is not None
            assert result.plan.previous.local_date == DAY1 + timedelta(days=day - 1)
        await store.record_post(1, result.plan.local_date, SendResult(day + 100, day + 100), now)
    assert sorted(picks[:4]) == ALL and sorted(picks[4:]) == ALL
    assert picks[4] != picks[3]
    assert (await store.require_settings(1)).cycle == 1


async def test_a_failed_first_day_of_a_cycle_does_not_repeat_the_last_post(sdb: Database) -> None:
    store = StorylineStore(sdb)
    # A guild whose cycle 1 would open with the entry that closed cycle 0.
    guild_id = next(g for g in range(1, 1000) if cycle_order(g, 1, ALL)[0] == cycle_order(g, 0, ALL)[-1])
    await store.save_setup(config(guild_id), RUN_DAY1 - timedelta(hours=3))
    posted: list[str] = []
    for day in range(len(ALL) + 3):
        now = RUN_DAY1 + timedelta(days=day)
        result = await claim(store, now, guild_id)
        assert result.plan is not None
        if day == len(ALL):  # the first day of cycle 1 is refused by Discord
            await store.record_failure(guild_id, result.plan.local_date, "Forbidden", now)
            continue
        await store.record_post(guild_id, result.plan.local_date, SendResult(day + 1), now)
        posted.append(result.plan.mv_id)
    assert sorted(posted[: len(ALL)]) == ALL
    assert posted[len(ALL)] != posted[len(ALL) - 1]  # no back-to-back across the cycle change
    assert len(set(posted[len(ALL) :])) == 2  # and cycle 1 goes on without repeats


async def test_a_failed_post_does_not_use_up_its_entry(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    first = await claim(store, RUN_DAY1)
    assert first.plan is not None
    await store.record_failure(1, DAY1, "Forbidden", RUN_DAY1)
    second = await claim(store, RUN_DAY1 + timedelta(days=1))
    assert second.plan is not None and second.plan.mv_id == first.plan.mv_id


async def test_forget_guild_removes_everything(store: StorylineStore) -> None:
    await store.save_setup(config(1), RUN_DAY1 - timedelta(hours=3))
    await claim(store, RUN_DAY1)
    await store.forget_guild(1)
    assert await store.settings(1) is None
    assert await store.history(1) == []
