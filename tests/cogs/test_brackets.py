"""`/bracket` end to end on both engines: the real bot against the fake Discord."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.brackets.store import BracketStatus
from bot.clock import FakeClock
from bot.polls import option_emoji
from tests.cogs.polls_world import EPHEMERAL, PollWorld, shown_counts, start_world
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord

JSON = dict[str, Any]
START = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def bots(engine_bots: BotRunner) -> BotRunner:
    return engine_bots


def brackets_cog(world: PollWorld) -> Any:
    cog = world.bot.get_cog("Brackets")
    assert cog is not None
    return cog


def summaries(world: PollWorld) -> list[JSON]:
    return [
        m for m in world.fake.bot_messages(world.general)
        if m["embeds"] and (m["embeds"][0].get("footer") or {}).get("text", "").startswith("Bracket #")
    ]  # fmt: skip


def poll_results(world: PollWorld) -> list[JSON]:
    """Results messages of single polls (a bracket's match polls must post none)."""
    return [
        m for m in world.fake.bot_messages(world.general)
        if m["embeds"] and m["embeds"][0].get("title", "").startswith(("Final results", "Results"))
    ]  # fmt: skip


async def round_polls(world: PollWorld, stored: Any, number: int) -> dict[int, Any]:
    found = await brackets_cog(world).store.matches(stored, number)
    return {index: await world.poll(poll_id) for index, poll_id in found.items()}


async def latest(world: PollWorld) -> Any:
    return await brackets_cog(world).store.in_guild(world.guild.id)


async def test_every_bracket_command_and_option_is_described(fake: FakeDiscord, bots: BotRunner) -> None:
    world = await start_world(fake, bots, clock=FakeClock(START))
    group = next(c for c in world.fake.commands["global"] if c["name"] == "bracket")
    assert 1 <= len(group["description"]) <= 100
    subcommands = {sub["name"]: sub for sub in group["options"]}
    assert set(subcommands) == {"create", "mv", "status", "advance", "cancel"}
    for sub in subcommands.values():
        assert 1 <= len(sub["description"]) <= 100
        for option in sub.get("options", []):
            assert option["description"] not in ("", "…") and len(option["description"]) <= 100


@pytest.mark.parametrize(
    ("entries", "says"),
    [("Supernova", "at least 2"), ("|".join(f"MV {n}" for n in range(65)), "at most 64"),
     ("Supernova | Magnetic | SUPERNOVA", "same as entry 1")],
)  # fmt: skip
async def test_bad_input_is_refused_and_nothing_is_posted(
    fake: FakeDiscord, bots: BotRunner, entries: str, says: str
) -> None:
    world = await start_world(fake, bots, clock=FakeClock(START))
    before = len(fake.bot_messages())
    record = await world.slash("bracket create", title="Best MV", entries=entries)
    body = await record.final_message()
    assert says in body["content"] and body.get("flags", 0) & EPHEMERAL, body
    assert await brackets_cog(world).store.count_in_guild(world.guild.id) == 0
    assert len(fake.bot_messages()) == before


async def test_a_nine_mv_bracket_through_ties_a_restart_and_its_champion(fake: FakeDiscord, bots: BotRunner) -> None:
    world = await start_world(fake, bots, clock=FakeClock(START))
    body = await world.reply("bracket mv", year=2024)
    assert "is up in" in body["content"], body
    stored = await latest(world)
    assert stored.bracket.seeds.count == 9 and stored.round == 1 and stored.posted_round == 1

    # Round 1 (of 16): seeds 1-7 have byes; #8 meets #9. Two fans vote for #9.
    first = await round_polls(world, stored, 1)
    (index,) = first
    assert stored.bracket.rounds[0][index].seeds == (8, 9)
    assert len([m for m in stored.bracket.rounds[0] if m.is_bye]) == 7
    poll = first[index]
    message = fake.messages[poll.message_id]
    for fan in world.fans[:2]:
        await fake.react(message, fan, option_emoji(2)[1])
    await world.wait_counts(poll, [0, 2])
    body = await world.reply("bracket advance")
    assert "is up" in body["content"], body
    stored = await latest(world)
    assert stored.round == 2 and stored.bracket.rounds[0][index].winner == 9
    assert len(summaries(world)) == 1
    summary = summaries(world)[0]
    assert "#9" in summary["embeds"][0]["description"] and summary["attachments"]
    assert summary["attachments"][0]["filename"] == "bracket.png"

    # Round 2 (quarter-finals): nobody votes, every match is a tie the higher seed wins.
    second = await round_polls(world, stored, 2)
    assert len(second) == 4
    await world.reply("bracket advance")
    stored = await latest(world)
    assert stored.round == 3
    text = summaries(world)[-1]["embeds"][0]["description"]
    assert "tie" in text and "higher seed" in text
    assert {m.winner for m in stored.bracket.rounds[1]} == {1, 2, 3, 4}

    # Restart in the middle of the semi-finals, then past their end: closed once, final posted once.
    third = await round_polls(world, stored, 3)
    assert len(third) == 2
    message = fake.messages[third[0].message_id]
    await fake.react(message, world.fans[0], option_emoji(2)[1])  # #4 beats #1
    await world.wait_counts(third[0], [0, 1])
    await world.restart(clock=FakeClock(START + timedelta(days=3)))

    async def final_posted() -> bool:
        return (await latest(world)).posted_round == 4

    await eventually(final_posted, timeout=10)
    stored = await latest(world)
    assert stored.round == 4 and stored.posted_round == 4
    assert len(await round_polls(world, stored, 4)) == 1
    assert len(summaries(world)) == 3
    await world.restart(clock=FakeClock(START + timedelta(days=3, minutes=1)))
    await brackets_cog(world).wait_idle()
    assert (await latest(world)).round == 4 and len(summaries(world)) == 3

    # The final via /bracket advance: the champion with the full bracket.
    body = await world.reply("bracket advance")
    assert "champion" in body["content"], body
    stored = await latest(world)
    assert stored.status is BracketStatus.FINISHED and stored.bracket.champion is not None
    final = summaries(world)[-1]
    assert final["embeds"][0]["title"].startswith("🏆") and final["attachments"]
    status = await world.reply("bracket status", member=world.fans[3])
    assert "Champion" in status["embeds"][0]["description"]
    assert poll_results(world) == []  # the summaries gave every result, the match polls none


async def test_status_and_cancel(fake: FakeDiscord, bots: BotRunner) -> None:
    world = await start_world(fake, bots, clock=FakeClock(START))
    await world.reply("bracket create", title="Title tracks", entries="Supernova | Magnetic | APT.", seeding="given")
    status = await world.reply("bracket status", member=world.fans[0])
    assert "Now voting" in status["embeds"][0]["description"]
    refused = await world.reply("bracket cancel", member=world.fans[0])
    assert "creator" in refused["content"]
    body = await world.reply("bracket cancel", member=world.mod)
    assert "cancelled" in body["content"]
    stored = await latest(world)
    assert stored.status is BracketStatus.CANCELLED
    polls = await round_polls(world, stored, 1)
    assert all(poll.status.value != "open" for poll in polls.values())
    status = await world.reply("bracket status")
    assert "Cancelled" in status["embeds"][0]["description"]


async def test_a_deleted_match_message_stops_only_that_bracket(fake: FakeDiscord, bots: BotRunner) -> None:
    world = await start_world(fake, bots, clock=FakeClock(START))
    await world.reply("bracket create", title="One", entries="A | B")
    one = await latest(world)
    await world.reply("bracket create", title="Two", entries="C | D")
    two = await latest(world)
    poll = (await round_polls(world, one, 1))[0]
    await fake.delete_message_by_user(fake.messages[poll.message_id])
    await eventually(lambda: _closed_missing(world, poll.poll_id), timeout=5)
    body = await world.reply("bracket advance", bracket=one.bracket_id)
    assert "deleted" in body["content"], body
    assert (await brackets_cog(world).store.get(one.bracket_id)).status is BracketStatus.STOPPED
    status = await world.reply("bracket status", bracket=one.bracket_id)
    assert "deleted" in status["embeds"][0]["description"]
    await world.reply("bracket advance", bracket=two.bracket_id)
    assert (await brackets_cog(world).store.get(two.bracket_id)).status is BracketStatus.FINISHED


async def _closed_missing(world: PollWorld, poll_id: int) -> bool:
    return (await world.poll(poll_id)).status.value == "closed_missing"


def match_messages(world: PollWorld) -> list[JSON]:
    return [
        m for m in world.fake.bot_messages(world.general)
        if m["embeds"] and (m["embeds"][0].get("footer") or {}).get("text", "").startswith("Poll #")
        and m["embeds"][0].get("title", "").startswith("[#")
    ]  # fmt: skip


async def test_match_polls_follow_the_brackets_rules(fake: FakeDiscord, bots: BotRunner) -> None:
    world = await start_world(fake, bots, clock=FakeClock(START))
    body = await world.reply(
        "bracket create", title="Secret cup", entries="A | B | C | D", anonymous=True,
        weights="@Mods=3", role=world.voters_role, min_account_age=7, min_member_age=0,
    )  # fmt: skip
    assert "is up in" in body["content"], body
    stored = await latest(world)
    assert stored.rules.anonymous and stored.rules.weights == ((world.mods_role, 3),)
    polls = await round_polls(world, stored, 1)
    assert len(polls) == 2
    for poll in polls.values():
        assert poll.anonymous and poll.weights == ((world.mods_role, 3),)
        assert (poll.role_id, poll.min_account_age_days) == (world.voters_role, 7)

    # An anonymous match: every vote counted (the mod weighs 3), no reaction left behind.
    voters = world.add_fans(2, roles=[world.voters_role], now=START - timedelta(days=30))
    mod = fake.add_member(world.guild, "votingmod", roles=[world.voters_role, world.mods_role],
                          now=START - timedelta(days=30))  # fmt: skip
    poll = polls[0]
    message = fake.messages[poll.message_id]
    await world.wait_for_own_reactions(poll, message)
    a, b = option_emoji(2)
    await fake.react(message, voters[0], a)
    await fake.react(message, voters[1], b)
    await fake.react(message, mod, b)
    await world.wait_counts(poll, [1, 4])
    await eventually(lambda: world.reacted(poll, message) == set(), timeout=10)

    # The next round's matches keep the rules.
    await world.reply("bracket advance")
    stored = await latest(world)
    (final,) = (await round_polls(world, stored, 2)).values()
    assert final.anonymous and final.weights == ((world.mods_role, 3),) and final.role_id == world.voters_role


@pytest.mark.parametrize(
    ("options", "says"),
    [({"weights": "@Mods=101"}, "weights must be from 1 to 100"), ({"weights": "@Nobody=2"}, "Nobody")],
)
async def test_bad_rules_are_refused_and_nothing_is_posted(
    fake: FakeDiscord, bots: BotRunner, options: JSON, says: str
) -> None:
    world = await start_world(fake, bots, clock=FakeClock(START))
    before = len(fake.bot_messages())
    record = await world.slash("bracket create", title="Cup", entries="A | B", **options)
    body = await record.final_message()
    assert says in body["content"] and body.get("flags", 0) & EPHEMERAL, body
    assert await brackets_cog(world).store.count_in_guild(world.guild.id) == 0
    assert len(fake.bot_messages()) == before


async def test_a_crash_between_posting_and_saving_posts_nothing_twice(
    fake: FakeDiscord, bots: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.brackets.store import BracketStore

    world = await start_world(fake, bots, clock=FakeClock(START))
    failures = {"add_match": 1, "mark_announced": 1}

    def crash_once(name: str) -> None:
        original = getattr(BracketStore, name)

        async def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
            if failures[name] > 0:
                failures[name] -= 1
                raise RuntimeError(f"crash in {name}")
            return await original(self, *args, **kwargs)

        monkeypatch.setattr(BracketStore, name, patched)

    crash_once("add_match")
    record = await world.slash("bracket create", title="Crashy", entries="A | B | C | D")
    await record.final_message()
    assert failures["add_match"] == 0 and len(match_messages(world)) == 1  # posted, not saved
    await world.restart(clock=FakeClock(START + timedelta(minutes=5)))

    async def round_posted() -> bool:
        return (await latest(world)).posted_round == 1

    await eventually(round_posted, timeout=10)
    stored = await latest(world)
    first = await round_polls(world, stored, 1)
    assert len(first) == 2 and len(match_messages(world)) == 2  # the first one adopted
    assert {p.message_id for p in first.values()} == {int(m["id"]) for m in match_messages(world)}

    crash_once("mark_announced")
    await (await world.slash("bracket advance")).final_message()
    assert failures["mark_announced"] == 0 and len(summaries(world)) == 1
    await world.restart(clock=FakeClock(START + timedelta(minutes=10)))

    async def final_posted() -> bool:
        return (await latest(world)).posted_round == 2

    await eventually(final_posted, timeout=10)
    stored = await latest(world)
    assert stored.announced_round == 1 and len(summaries(world)) == 1
    assert len(await round_polls(world, stored, 2)) == 1 and len(match_messages(world)) == 3


async def test_an_anonymous_match_closed_by_time_posts_only_the_round_summary(
    fake: FakeDiscord, bots: BotRunner
) -> None:
    """Every vote counted (a later reaction moves a vote), every reaction removed, the poll
    message showing the counts once the cog is idle (its edits don't wait on the bot's clock);
    then the round ends by time: the match polls close quietly, one summary, the next round."""
    clock = FakeClock(START)
    world = await start_world(fake, bots, clock=clock)
    body = await world.reply("bracket create", title="Secret cup", entries="A | B | C | D", seeding="given",
                             anonymous=True, round_duration="1h")  # fmt: skip
    assert "is up in" in body["content"], body
    stored = await latest(world)
    match = (await round_polls(world, stored, 1))[0]  # #1 A vs #4 D
    message = fake.messages[match.message_id]
    await world.wait_for_own_reactions(match, message)
    a, d = option_emoji(2)
    for fan in world.fans[:4]:
        await fake.react(message, fan, d)
    await fake.react(message, world.fans[4], a)
    await world.wait_counts(match, [1, 4])
    await fake.react(message, world.fans[0], a)  # moves fan 0's vote
    await world.wait_counts(match, [2, 3])
    await asyncio.wait_for(world.cog.wait_idle(), 10)
    assert world.reacted(match, message) == set()
    assert shown_counts(fake.messages[match.message_id]) == [2, 3]

    posts = len(fake.calls_to("POST", r"^/channels/\d+/messages$"))
    await clock.advance(timedelta(hours=1, seconds=1))

    async def next_round_posted() -> bool:
        return (await latest(world)).posted_round == 2

    await eventually(next_round_posted, timeout=10)
    await asyncio.wait_for(world.cog.wait_idle(), 10)
    stored = await latest(world)
    assert stored.bracket.rounds[0][0].winner == 4 and stored.bracket.rounds[0][1].winner == 2  # a tie: #2
    assert len(summaries(world)) == 1 and poll_results(world) == []
    assert len(fake.calls_to("POST", r"^/channels/\d+/messages$")) == posts + 2  # the summary and the final
    for poll in (await round_polls(world, stored, 1)).values():
        assert poll.status.value == "closed" and poll.quiet and poll.results_message_id == poll.message_id
        assert "closed" in fake.messages[poll.message_id]["embeds"][0]["description"].lower()
    assert shown_counts(fake.messages[match.message_id]) == [2, 3]


async def test_a_crash_after_closing_a_match_posts_no_results_on_restart(fake: FakeDiscord, bots: BotRunner) -> None:
    """A match poll closed just before a crash, its final counts not yet recorded as shown:
    the restart shows them and posts no results message."""
    world = await start_world(fake, bots, clock=FakeClock(START))
    await world.reply("bracket create", title="Crash cup", entries="A | B")
    stored = await latest(world)
    match = (await round_polls(world, stored, 1))[0]
    await fake.react(fake.messages[match.message_id], world.fans[0], option_emoji(2)[1])
    await world.wait_counts(match, [0, 1])
    await world.cog.voting.close(match.poll_id)  # closed in the database, then "the crash"
    await world.restart(clock=FakeClock(START + timedelta(minutes=5)))

    async def shown() -> bool:
        return (await world.poll(match.poll_id)).results_message_id == match.message_id

    await eventually(shown, timeout=10)
    await asyncio.wait_for(world.cog.wait_idle(), 10)
    assert shown_counts(fake.messages[match.message_id]) == [0, 1]
    assert poll_results(world) == []
