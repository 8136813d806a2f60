"""Polls in the server's language: the poll message, its edits on votes, the results and
their chart speak the server's language whoever acts; replies speak the member's; a results
message posted in another language before a crash is still recognised."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import _, _n, render
from bot.polls import PollStatus
from cogs.polls.cog import is_final_results_embed, is_poll_footer, poll_id_in_footer
from cogs.polls.render import FINAL_RESULTS
from tests.cogs.polls_world import EPHEMERAL, JSON, PollWorld, embed_of, message_id, start_world
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> PollWorld:
    return await start_world(fake, bots)


async def speak(world: PollWorld, locale: str) -> None:
    await world.bot.languages.choose(world.guild.id, locale, by=world.mod.user_id, now=world.bot.clock.now())


def portuguese_results(world: PollWorld) -> list[JSON]:
    heading = render(FINAL_RESULTS, "pt-BR")
    return [
        m for m in world.fake.bot_messages(world.general) if m["embeds"] and m["embeds"][0]["title"].startswith(heading)
    ]


async def test_a_pt_br_server_sees_its_poll_edits_and_results_in_portuguese(world: PollWorld) -> None:
    await speak(world, "pt-BR")
    korean = world.fake.add_member(world.guild, "minji", locale="ko")
    poll, message = await world.create("Melhor MV de 2024?", "Spell | WHIPLASH | Who", duration="1h")
    await world.vote(message, world.fans[0], 0)
    await world.wait_counts(poll, [1, 0, 0])
    one_voter = render(_n("{count} voter", "{count} voters", 1), "pt-BR")
    assert one_voter != "1 voter"
    await eventually(lambda: f"**{one_voter}**" in (embed_of(world.fake.messages[message_id(poll)])["description"]))

    record = await world.slash("poll close", member=korean, poll=str(poll.poll_id))
    body = await record.response()
    manage_server = render(_("Manage Server"), "ko")
    assert manage_server != "Manage Server"
    assert body["data"]["flags"] & EPHEMERAL and manage_server in body["data"]["content"]  # the member's refusal
    await world.reply("poll close", poll=str(poll.poll_id))
    closed = await world.poll(poll.poll_id)
    assert closed.status is PollStatus.CLOSED

    [posted] = portuguese_results(world)
    embed = embed_of(posted)
    assert embed["title"] == f"{render(FINAL_RESULTS, 'pt-BR')}: Melhor MV de 2024?"
    assert render(_n("{count} vote", "{count} votes", 1), "pt-BR") in embed["description"]  # `1 voto`
    call = world.fake.calls_to("POST", rf"^/channels/{world.general['id']}/messages$")[-1]
    assert call.files[0][0] == "results.png" and call.files[0][1].startswith(PNG_MAGIC)
    final = embed_of(world.fake.messages[message_id(poll)])
    assert f"**{one_voter}**" in final["description"]

    # After a crash between posting and recording, the Portuguese results message is found.
    assert await world.cog._posted_results(closed) == int(posted["id"])


async def test_an_english_server_keeps_english_posts_for_a_korean_member(world: PollWorld) -> None:
    korean = world.fake.add_member(world.guild, "seoyeon", locale="ko")
    await world.reply("poll create", member=korean, question="Best MV?", options="Spell | Who")
    poll = await world.latest_poll()
    posted = embed_of(world.fake.messages[message_id(poll)])
    assert posted["footer"]["text"] == f"Poll #{poll.poll_id}"
    assert posted["description"].splitlines()[-1].startswith("Pick 1 · closes <t:")


@pytest.mark.parametrize("locale", ["en-US", "ko", "pt-BR", "ja"])
def test_own_messages_are_recognised_in_every_language(locale: str) -> None:
    def shown(text: Any) -> str:
        return render(text, locale)

    label = shown(_("Poll #{id}", id=12))
    assert is_poll_footer(label, 12) and is_poll_footer(f"{label} · {shown(_('closed'))}", 12)
    assert not is_poll_footer(shown(_("Poll #{id}", id=123)), 12)
    assert poll_id_in_footer(label) == 12 and poll_id_in_footer(f"{label} · {shown(_('closed'))}") == 12
    assert poll_id_in_footer("Lightstick") is None and poll_id_in_footer(f"{label}3") == 123
    title = f"{shown(FINAL_RESULTS)}: Best MV?"
    assert is_final_results_embed(title, label, 12)
    assert not is_final_results_embed("Best MV?", label, 12)  # the poll message itself
    assert not is_final_results_embed(title, shown(_("Poll #{id}", id=13)), 12)
