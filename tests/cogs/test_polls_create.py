"""`/poll create`, `/poll mv`, `/poll list` and autocomplete, end to end through the fake."""

from __future__ import annotations

from typing import Any

import pytest

from bot.polls import option_emoji
from tests.cogs.polls_world import EPHEMERAL, JSON, PollWorld, embed_of, message_id, start_world
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild

POLL_POSTS = r"^/channels/\d+/messages$"
SEED_QUESTION = "Which is the best K-pop music video of 2024?"


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    return await start_world(fake, bots)


async def poll_rows(world: PollWorld) -> int:
    return int(await world.bot.db.fetchval("SELECT COUNT(*) FROM polls"))


async def refused(world: PollWorld, options: dict[str, Any], channel: JSON | None = None) -> str:
    """Run /poll create; assert an ephemeral reply and nothing written or posted; return it."""
    posts_before = len(world.fake.calls_to("POST", POLL_POSTS))
    record = await world.fake.slash_with("poll create", world.guild, channel or world.general, world.creator, options)
    body = await record.response()
    assert body["type"] == 4, body
    assert body["data"]["flags"] & EPHEMERAL
    assert await poll_rows(world) == 0
    assert len(world.fake.calls_to("POST", POLL_POSTS)) == posts_before
    return str(body["data"]["content"])


BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"question": "Q" * 257, "options": "A | B"}, "keep it to 256"),
    ({"question": "Best?", "options": "A | " + "B" * 101}, "Option 2 is 101 characters long"),
    ({"question": "Best?", "options": "Spell"}, "at least 2 options"),
    ({"question": "Best?", "options": " | ".join(f"MV {i}" for i in range(21))}, "at most 20 options; you gave 21"),
    ({"question": "Best?", "options": "Spell | spell"}, "is the same as option 1"),
    ({"question": "@everyone which MV?", "options": "A | B"}, "can't ping everyone"),
    ({"question": "Best?", "options": "A | @here B"}, "Option 2 contains @here"),
    ({"question": "Best?", "options": "A | B", "duration": "0m"}, "at least 1 minute"),
    ({"question": "Best?", "options": "A | B", "duration": "91d"}, "at most 90 days"),
    ({"question": "Best?", "options": "A | B", "duration": "abc"}, "can't read the duration"),
    ({"question": "Best?", "options": "A | B | C", "choices": 4}, "between 1 and 3"),
]


@pytest.mark.parametrize(("options", "expected"), BAD_INPUTS, ids=[e for _, e in BAD_INPUTS])
async def test_every_bad_input_gets_a_clear_ephemeral_reply_and_writes_nothing(
    world: PollWorld, options: dict[str, Any], expected: str
) -> None:
    content = await refused(world, options)
    assert expected in content


async def test_a_channel_missing_permissions_is_named_and_nothing_is_posted(world: PollWorld) -> None:
    world.fake.deny_bot(world.news, "add_reactions", "read_message_history")
    await world.fake.update_channel(world.news)
    content = await refused(world, {"question": "Best?", "options": "A | B", "channel": world.news["id"]})
    assert "**Add Reactions**" in content and "**Read Message History**" in content
    assert f"<#{world.news['id']}>" in content
    assert "Embed Links" not in content

    world.fake.deny_bot(world.general, "embed_links")
    await world.fake.update_channel(world.general)
    content = await refused(world, {"question": "Best?", "options": "A | B"})
    assert "**Embed Links**" in content


async def test_create_posts_the_embed_then_the_reactions_in_order(world: PollWorld) -> None:
    poll, message = await world.create("Best MV of 2024?", "Spell | WHIPLASH | Who", duration="2d")
    embed = embed_of(message)
    assert embed["title"] == "Best MV of 2024?"
    lines = embed["description"].splitlines()
    assert lines[0] == "1️⃣ Spell" and lines[2] == "2️⃣ WHIPLASH" and lines[4] == "3️⃣ Who"
    assert "`░░░░░░░░░░` 0 (0%)" in lines[1]
    rules = lines[-1]
    assert rules == f"Pick 1 · closes <t:{int(poll.closes_at.timestamp())}:R>"
    assert (poll.closes_at - poll.created_at).days == 2
    assert embed["footer"]["text"] == f"Poll #{poll.poll_id}"
    puts = world.fake.calls_to("PUT", rf"/messages/{poll.message_id}/reactions/")
    assert [call.path.split("/")[-2] for call in puts] == ["1️⃣", "2️⃣", "3️⃣"]
    assert poll.channel_id == int(world.general["id"])


async def test_a_poll_can_go_to_another_channel_with_rules(world: PollWorld) -> None:
    options = {
        "question": "Members only: best era?",
        "options": "Debut; Prime; Now",
        "choices": 2,
        "role": world.voters_role,
        "min_account_age": 30,
        "min_member_age": 7,
        "hide_results": True,
        "channel": world.news["id"],
    }
    record = await world.fake.slash_with("poll create", world.guild, world.general, world.creator, options)
    reply = await record.final_message()
    assert f"<#{world.news['id']}>" in reply["content"]
    poll = await world.latest_poll()
    assert poll.channel_id == int(world.news["id"])
    assert (poll.choices, poll.role_id, poll.min_account_age_days, poll.min_member_age_days) == (
        2, world.voters_role, 30, 7,
    )  # fmt: skip
    message = world.fake.messages[message_id(poll)]
    rules = embed_of(message)["description"].splitlines()[-1]
    assert rules.startswith(
        f"Pick up to 2 · <@&{world.voters_role}> only · accounts ≥ 30 days old · members for ≥ 7 days · "
        "results hidden until it closes"
    )
    assert "`" not in embed_of(message)["description"]  # no bars while hidden


async def test_eleven_to_twenty_options_use_letters(world: PollWorld) -> None:
    labels = [f"MV {i}" for i in range(1, 13)]
    poll, message = await world.create("Twelve MVs", " | ".join(labels))
    letters = option_emoji(12)
    assert letters[0] == "🇦" and letters[-1] == "🇱"
    puts = world.fake.calls_to("PUT", rf"/messages/{poll.message_id}/reactions/")
    assert [call.path.split("/")[-2] for call in puts] == list(letters)
    description = embed_of(message)["description"]
    assert "🇦 MV 1" in description and "🇱 MV 12" in description and "1️⃣" not in description

    twenty, _ = await world.create("Twenty MVs", " | ".join(f"MV {i}" for i in range(20)))
    assert twenty.emojis[-1] == "🇹"


async def test_mentions_in_a_poll_never_ping(world: PollWorld) -> None:
    question = f"Is <@&{world.voters_role}> the best fandom? <@{world.fans[0].user_id}>"
    poll, message = await world.create(question, f"Yes <@&{world.voters_role}> | No")
    await world.vote(message, world.fans[1], 0, 2)
    await world.wait_shown(message, [1, 0])
    sent = [
        call
        for call in world.fake.calls
        if call.method in ("POST", "PATCH") and "/channels/" in call.path and isinstance(call.json, dict)
    ]
    assert any(call.method == "PATCH" for call in sent)
    for call in sent:
        assert call.json.get("allowed_mentions") == {"parse": []}, call
    assert embed_of(world.fake.messages[message_id(poll)])["title"] == question


async def test_poll_mv_2024_is_the_seed_poll(world: PollWorld) -> None:
    record = await world.slash("poll mv", year=2024)
    assert "is up in" in (await record.final_message())["content"]
    poll = await world.latest_poll()
    assert poll.question == SEED_QUESTION
    assert len(poll.options) == 9
    text = " ".join(poll.options)
    for title in ("toxic till the end", "FRI(END)S", "Spell", "Whiplash", "ROCKSTAR", "Mantra", "Who", "STRATEGY"):
        assert title in text
    assert "Chk Chk Boom - Stray Kids" in poll.options
    assert all(len(option) <= 100 for option in poll.options)
    await world.wait_for_own_reactions(poll, world.fake.messages[message_id(poll)])


async def test_poll_mv_needs_a_filter_that_matches_two_to_twenty(world: PollWorld) -> None:
    body = await (await world.slash("poll mv")).response()
    assert body["data"]["flags"] & EPHEMERAL and "Pick a `year`" in body["data"]["content"]
    body = await (await world.slash("poll mv", year=1990)).response()
    assert "Fewer than 2 MVs" in body["data"]["content"]
    body = await (await world.slash("poll mv", year=2024, theme="not-a-theme")).response()
    assert "is not a theme" in body["data"]["content"]
    assert await poll_rows(world) == 0


async def test_autocomplete_and_references_stay_inside_this_server(fake: FakeDiscord, bots: BotRunner) -> None:
    other: dict[str, Guild] = {}

    def add_other_server(fake: FakeDiscord, guild: Guild) -> None:
        other["guild"] = fake.add_guild("Other fans")

    world = await start_world(fake, bots, before_start=add_other_server)
    first, _ = await world.create("Best title track?", "A | B")
    second, _ = await world.create("Best b-side?", "C | D")
    outsider_guild = other["guild"]
    outsider = fake.add_member(outsider_guild, "outsider")
    record = await fake.slash("poll create", outsider_guild, fake.channel(outsider_guild, "general"), outsider,
                              question="Best b-side elsewhere?", options="E | F")  # fmt: skip
    assert "is up in" in (await record.final_message())["content"]

    body = await (
        await fake.autocomplete("poll results", world.guild, world.general, world.creator, focused="poll", poll="side")
    ).response()
    assert body["type"] == 8
    choices = body["data"]["choices"]
    assert [c["value"] for c in choices] == [str(second.poll_id)]
    assert choices[0]["name"] == f"#{second.poll_id} · Best b-side? (open)"
    everything = await (
        await fake.autocomplete("poll close", world.guild, world.general, world.creator, focused="poll", poll="")
    ).response()
    assert {c["value"] for c in everything["data"]["choices"]} == {str(first.poll_id), str(second.poll_id)}

    elsewhere = await world.cog.store.search(outsider_guild.id, "", limit=5)
    body = await (await world.slash("poll results", poll=str(elsewhere[0].poll_id))).response()
    assert body["data"]["flags"] & EPHEMERAL
    assert f"There is no poll #{elsewhere[0].poll_id} in this server." == body["data"]["content"]


async def test_list_shows_this_servers_open_polls(world: PollWorld) -> None:
    body = await (await world.slash("poll list")).response()
    assert "No polls are open" in body["data"]["embeds"][0]["description"]
    first, _ = await world.create("Best title track?", "A | B", duration="1h")
    second, _ = await world.create("Best b-side?", "C | D", duration="3h")
    body = await (await world.slash("poll list")).response()
    embed = body["data"]["embeds"][0]
    assert embed["title"] == "Open polls (2)"
    lines = embed["description"].splitlines()
    assert lines[0].startswith(f"**#{first.poll_id}** [Best title track?](https://discord.com/channels/")
    assert lines[1].startswith(f"**#{second.poll_id}**")


async def test_a_refused_post_leaves_no_poll_behind(world: PollWorld) -> None:
    world.fake.fail("POST", rf"^/channels/{world.general['id']}/messages$", 403, code=50013)
    record = await world.slash("poll create", question="Best?", options="A | B")
    reply = await record.final_message()
    assert "Discord refused the poll message" in reply["content"]
    assert await poll_rows(world) == 0
    assert not world.fake.calls_to("PUT", r"/reactions/")


async def test_a_deleted_channel_is_named_and_nothing_is_written(world: PollWorld) -> None:
    news = dict(world.news)
    await world.fake.delete_channel(world.news)
    await eventually(lambda: world.bot.get_channel(int(news["id"])) is None)
    world.fake.channels[int(news["id"])] = news  # deleted while the command was on its way
    content = await refused(world, {"question": "Best?", "options": "A | B", "channel": news["id"]})
    assert content == f"<#{news['id']}> no longer exists (was it deleted?). Pick another channel."


async def test_a_channel_deleted_as_the_poll_is_posted_is_named(world: PollWorld) -> None:
    world.fake.fail("POST", rf"^/channels/{world.general['id']}/messages$", 404, code=10003)
    reply = await (await world.slash("poll create", question="Best?", options="A | B")).final_message()
    assert reply["content"] == f"<#{world.general['id']}> no longer exists (was it deleted?). Pick another channel."
    assert reply["flags"] & EPHEMERAL
    assert await poll_rows(world) == 0
    assert not world.fake.calls_to("PUT", r"/reactions/")
