"""Lightstick in the fandoms' languages, end to end through the fake Discord: replies in the
member's language, public posts in the server's, localised command names, typed input."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.i18n import TRANSLATED, _, render
from bot.i18n.catalogs import translations
from bot.i18n.commands import DESCRIPTION, NAME
from tests.cogs.polls_world import EPHEMERAL, JSON, PollWorld, embed_of, start_world
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Member

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    return bool(HANGUL.search(text))


def shown_text(data: JSON) -> str:
    """Everything a member reads in a message or an interaction reply."""
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", ""), (embed.get("footer") or {}).get("text", "")]
        parts += [f"{field['name']} {field['value']}" for field in embed.get("fields", [])]
    return "\n".join(parts)


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    return await start_world(fake, bots)


def korean_fan(world: PollWorld) -> Member:
    return world.fake.add_member(world.guild, "minji", locale="ko")


async def answer(world: PollWorld, command: str, member: Member, **options: Any) -> JSON:
    record = await world.fake.slash_with(command, world.guild, world.general, member, options)
    body = await record.response()
    if body["type"] == 5:  # deferred: the answer is the follow-up
        return dict(await record.final_message())
    return dict(body["data"])


# -- a Korean member in an English server --------------------------------------------------


async def test_help_answers_a_korean_member_in_korean(world: PollWorld) -> None:
    data = await answer(world, "help", korean_fan(world))
    embed = data["embeds"][0]
    assert embed["title"] == render(_("Lightstick — commands"), "ko") != "Lightstick — commands"
    assert has_hangul(embed["description"])
    poll_create = "/" + " ".join(translations("ko").pgettext(NAME, part) for part in ("poll", "create"))
    assert poll_create in shown_text(data) and "/poll create" not in shown_text(data)


async def test_a_refused_poll_is_explained_in_korean_and_nothing_is_written(world: PollWorld) -> None:
    data = await answer(world, "poll create", korean_fan(world), question="@everyone 최고의 MV는?", options="A | B")
    assert data["flags"] & EPHEMERAL
    assert has_hangul(data["content"].replace("@everyone 최고의 MV는?", ""))
    assert await world.bot.db.fetchval("SELECT COUNT(*) FROM polls") == 0


async def test_mv_show_answers_a_korean_member_in_korean(world: PollWorld) -> None:
    data = await answer(world, "mv show", korean_fan(world), mv="vixx-error")
    embed = data["embeds"][0]
    headings = " ".join(field["name"] for field in embed["fields"])
    assert has_hangul(headings), headings
    english = await answer(world, "mv show", world.creator, mv="vixx-error")
    assert not has_hangul(" ".join(field["name"] for field in english["embeds"][0]["fields"]))


async def test_the_poll_a_korean_member_creates_is_posted_in_the_servers_english(world: PollWorld) -> None:
    member = korean_fan(world)
    data = await answer(world, "poll create", member, question="Best MV of 2024?", options="Spell | Who")
    assert has_hangul(data["content"])  # the confirmation is the member's
    poll = await world.latest_poll()
    posted = world.fake.messages[poll.message_id or 0]
    assert not has_hangul(shown_text(posted)), shown_text(posted)


async def test_a_locale_lightstick_does_not_have_falls_back_to_english(world: PollWorld) -> None:
    french = world.fake.add_member(world.guild, "camille", locale="fr")
    data = await answer(world, "help", french)
    assert data["embeds"][0]["title"] == "Lightstick — commands"


# -- a server that speaks Portuguese -------------------------------------------------------


async def test_a_pt_br_server_gets_its_poll_and_results_in_portuguese(world: PollWorld) -> None:
    refused = await answer(world, "settings", world.fans[0], language="pt-BR")
    assert refused["flags"] & EPHEMERAL and "Manage Server" in refused["content"]
    assert await world.bot.languages.chosen(world.guild.id) is None

    data = await answer(world, "settings", world.mod, language="pt-BR")
    assert "Português (Brasil)" in data["content"]
    shown = await answer(world, "settings", world.fans[0])
    assert "Português (Brasil)" in shown["content"]

    poll, message = await world.create("Melhor MV de 2024?", "Spell | WHIPLASH | Who", duration="1h")
    assert render(_("Final results"), "pt-BR") != "Final results"
    await world.vote(message, world.fans[0], 0)
    await world.wait_counts(poll, [1, 0, 0])
    await world.reply("poll close", poll=str(poll.poll_id))
    await eventually(lambda: _results(world) is not None)
    results = _results(world)
    assert results is not None
    title = embed_of(results)["title"]
    assert title.startswith(render(_("Final results"), "pt-BR")) or render(_("Final results"), "pt-BR") in title


def _results(world: PollWorld) -> JSON | None:
    final = render(_("Final results"), "pt-BR")
    found = [m for m in world.fake.bot_messages(world.general) if m["embeds"] and final in m["embeds"][0]["title"]]
    return found[-1] if found else None


async def test_a_community_server_speaks_its_locale_until_one_is_chosen(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild(community_locale="ja")
    bot = await bots.start()
    from bot.i18n.interactions import public_locale

    assert await public_locale(bot, guild.id) == "ja"
    await bot.languages.choose(guild.id, "vi", by=1, now=bot.clock.now())
    assert await public_locale(bot, guild.id) == "vi"
    await bot.languages.choose(guild.id, None, by=1, now=bot.clock.now())
    assert await public_locale(bot, guild.id) == "ja"
    plain = fake.add_guild()
    assert await public_locale(bot, plain.id) == "en-US"


# -- localised commands and input ------------------------------------------------------------


async def test_every_command_is_registered_with_names_in_every_locale(world: PollWorld) -> None:
    registered = world.fake.commands.get("global") or next(iter(world.fake.commands.values()))
    for command in registered:
        for locale in TRANSLATED:
            name = (command.get("name_localizations") or {}).get(locale)
            assert name and name != command["name"], (command["name"], locale)
            assert (command.get("description_localizations") or {}).get(locale), (command["name"], locale)
    poll = next(c for c in registered if c["name"] == "poll")
    create = next(o for o in poll["options"] if o["name"] == "create")
    assert create["name_localizations"]["ko"] == translations("ko").pgettext(NAME, "create")
    assert create["description_localizations"]["es-ES"] == translations("es-ES").pgettext(
        DESCRIPTION, create["description"]
    )


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [
        ("ko", "3일", timedelta(days=3)),
        ("es-ES", "2 horas", timedelta(hours=2)),
        ("ko", "1일 12시간", timedelta(hours=36)),
    ],
)
async def test_durations_typed_in_korean_and_spanish_work(
    world: PollWorld, locale: str, typed: str, expected: timedelta
) -> None:
    member = world.fake.add_member(world.guild, f"fan-{locale}", locale=locale)
    await answer(world, "poll create", member, question="Best?", options="A | B", duration=typed)
    poll = await world.latest_poll()
    assert poll.closes_at - poll.created_at == expected


async def test_a_start_typed_in_korean_is_read(world: PollWorld) -> None:
    member = world.fake.add_member(world.guild, "seoyeon", locale="ko")
    data = await answer(world, "poll create", member, question="Best?", options="A | B", start="2시간 후")
    assert data["flags"] & EPHEMERAL
    poll = await world.latest_poll()
    assert poll.starts_at is not None
    assert timedelta(minutes=119) <= poll.starts_at - world.bot.clock.now() <= timedelta(minutes=121)


async def test_a_changed_translation_syncs_again_and_an_unchanged_one_does_not(
    fake: FakeDiscord, bots: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_guild()
    syncs = r"^/applications/\d+/commands$"
    await bots.stop(await bots.start())
    await bots.stop(await bots.start())
    assert len(fake.calls_to("PUT", syncs)) == 1

    korean = translations("ko")

    class Retranslated:
        def pgettext(self, context: str, message: str) -> str:
            return "도움받기" if (context, message) == (NAME, "help") else str(korean.pgettext(context, message))

    monkeypatch.setattr(
        "bot.i18n.commands.translations", lambda locale: Retranslated() if locale == "ko" else translations(locale)
    )
    await bots.stop(await bots.start())
    assert len(fake.calls_to("PUT", syncs)) == 2
    help_command = next(c for c in fake.commands["global"] if c["name"] == "help")
    assert help_command["name_localizations"]["ko"] == "도움받기"


@pytest.mark.parametrize("locale", TRANSLATED)
async def test_help_fits_discords_limits_in_every_locale(world: PollWorld, locale: str) -> None:
    data = await answer(world, "help", world.fake.add_member(world.guild, f"fan-{locale}", locale=locale))
    embed = data["embeds"][0]
    assert embed["title"] == render(_("Lightstick — commands"), locale)
    assert len(embed["fields"]) <= 25
    assert all(len(field["name"]) <= 256 and len(field["value"]) <= 1024 for field in embed["fields"])
    assert len(shown_text(data)) <= 6000
