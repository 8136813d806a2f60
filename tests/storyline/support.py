"""Helpers for the storyline tests: a fake Discord side, configs, database files."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from bot.clock import FakeClock
from bot.db import Database
from bot.storyline import (
    PostFailed,
    PostPlan,
    RotationEntry,
    SendResult,
    StorylineConfig,
    StorylineService,
)

#: A fixed start: Sunday 1 March 2026, 00:00 UTC (09:00 in Seoul).
START = datetime(2026, 3, 1, tzinfo=UTC)

ENTRIES = (
    RotationEntry("exo-mama"),
    RotationEntry("exo-power"),
    RotationEntry("vixx-error"),
    RotationEntry("bts-run"),
    RotationEntry("bts-i-need-u"),
    RotationEntry("yunho-thank-u", mature=True),
)


class Crash(BaseException):
    """Stands for the process dying: nothing in the service may catch it."""


class ExplodingEntries(list[RotationEntry]):
    """A catalog provider whose entries blow up when read (a crash or a broken catalog)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(ENTRIES)
        self.error = error

    def __iter__(self) -> Iterator[RotationEntry]:
        raise self.error


@dataclass
class FakePost:
    plan: PostPlan
    message_id: int
    thread_id: int | None


@dataclass
class FakeDiscordSide:
    """Plays the cog: posts into in-memory channels, fails or crashes where told."""

    posts: list[FakePost] = field(default_factory=list)
    send_calls: list[PostPlan] = field(default_factory=list)
    find_calls: list[PostPlan] = field(default_factory=list)
    failures: dict[int, BaseException] = field(default_factory=dict)
    crash_before_send: set[int] = field(default_factory=set)
    crash_after_send: set[int] = field(default_factory=set)
    age_restricted_channels: set[int] = field(default_factory=set)
    entries: list[RotationEntry] = field(default_factory=lambda: list(ENTRIES))
    delay: float = 0.0
    active: int = 0
    peak: int = 0
    _next_id: int = 1_000_000

    async def send(self, plan: PostPlan) -> SendResult:
        self.send_calls.append(plan)
        if plan.guild_id in self.crash_before_send:
            raise Crash("died before sending")
        if failure := self.failures.get(plan.guild_id):
            raise failure
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
        finally:
            self.active -= 1
        self._next_id += 1
        thread_id = self._next_id if plan.thread else None
        self.posts.append(FakePost(plan, self._next_id, thread_id))
        if plan.guild_id in self.crash_after_send:
            raise Crash("died after sending")
        return SendResult(self._next_id, thread_id)

    async def find_existing(self, plan: PostPlan) -> SendResult | None:
        self.find_calls.append(plan)
        for post in self.posts:
            same_day = (post.plan.guild_id, post.plan.local_date) == (plan.guild_id, plan.local_date)
            if same_day and post.plan.channel_id == plan.channel_id:
                return SendResult(post.message_id, post.thread_id)
        return None

    def age_restricted(self, guild_id: int, channel_id: int) -> bool:
        return channel_id in self.age_restricted_channels

    def posts_for(self, guild_id: int) -> list[FakePost]:
        return [post for post in self.posts if post.plan.guild_id == guild_id]


def build_service(database: Database, clock: FakeClock, side: FakeDiscordSide, **options: Any) -> StorylineService:
    return StorylineService(
        database,
        clock,
        entries=lambda: side.entries,
        send=side.send,
        find_existing=side.find_existing,
        age_restricted=side.age_restricted,
        **options,
    )


def config(
    guild_id: int = 1,
    *,
    at: time = time(21, 0),
    timezone: str = "Asia/Seoul",
    channel_id: int | None = None,
    **options: Any,
) -> StorylineConfig:
    return StorylineConfig(
        guild_id=guild_id,
        channel_id=channel_id if channel_id is not None else guild_id * 10,
        local_time=at,
        timezone=timezone,
        **options,
    )


def forbidden() -> PostFailed:
    return PostFailed("Missing permissions in the channel: Send Messages")


def channel_deleted() -> PostFailed:
    return PostFailed("The storyline channel was deleted", pause=True)
