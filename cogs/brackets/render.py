"""Pure builders for the bracket messages: match questions, summaries, the champion, status."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.brackets import Bracket, Match
from bot.brackets.store import BracketStatus, StoredBracket
from bot.i18n import Msg, Text, _, _n, in_every_locale
from bot.polls.rules import MAX_QUESTION_LENGTH
from bot.ui import truncate

PICTURE_FILENAME = "bracket.png"
COLOUR = discord.Colour(0xEB459E)
DESCRIPTION_LIMIT = 4096


def footer(stored: StoredBracket) -> Msg:
    return _("Bracket #{id}", id=stored.bracket_id)


def summary_footer(stored: StoredBracket, round_number: int) -> Msg:
    """The summary's footer; it also finds a summary posted just before a crash."""
    return _("Bracket #{id} · round {round}", id=stored.bracket_id, round=round_number)


def summary_footers(stored: StoredBracket, round_number: int) -> frozenset[str]:
    """The footer in every language, since the server's may have changed since the crash."""
    return in_every_locale(lambda: summary_footer(stored, round_number))


def match_question(bracket: Bracket, round_number: int, match: Match, *, bracket_id: int) -> str:
    """`[#7] Best MV — Quarter-finals, match 2: #4 Spell vs #5 Who`, within a poll question's
    limit. The `[#7]` (the bracket) comes first, so no truncation cuts it: with the round and
    match it finds a match poll posted just before a crash."""
    assert match.seed_b is not None
    head = str(_("{round}, match {number}: ", round=bracket.round_name(round_number), number=match.index + 1))
    body = f"#{match.seed_a} {bracket.entry(match.seed_a)} vs #{match.seed_b} {bracket.entry(match.seed_b)}"
    title = truncate(bracket.title, 80)
    return truncate(f"{match_marker(bracket_id)} {title} — {head}{body}", MAX_QUESTION_LENGTH)


def match_marker(bracket_id: int) -> str:
    return f"[#{bracket_id}]"


def match_options(bracket: Bracket, match: Match) -> tuple[str, str]:
    assert match.seed_b is not None
    return bracket.entry(match.seed_a), bracket.entry(match.seed_b)


def created_message(stored: StoredBracket, channel_mention: str, matches: int) -> Msg:
    bracket = stored.bracket
    return _(
        "Bracket #{id} “{title}” is up in {channel}: {entries}, the {round} has {matches}.",
        id=stored.bracket_id,
        title=truncate(bracket.title, 100),
        channel=channel_mention,
        entries=_n("{count} entry", "{count} entries", bracket.seeds.count),
        round=bracket.round_name(1),
        matches=_n("{count} match", "{count} matches", matches),
    )


def build_summary_embed(
    stored: StoredBracket, round_number: int, lines: Sequence[Text], *, picture: bool
) -> discord.Embed:
    """The summary of a decided round; after the final, the champion's announcement."""
    bracket = stored.bracket
    champion = bracket.champion if round_number == bracket.round_count else None
    if champion is not None:
        title = str(_("🏆 {champion} wins “{title}”", champion=bracket.entry(champion), title=bracket.title))
    else:
        title = f"{bracket.title} — {lines[0]}"
    description = "\n".join(str(line) for line in lines[1:])
    embed = discord.Embed(
        title=truncate(title, 256), description=truncate(description, DESCRIPTION_LIMIT), colour=COLOUR
    )
    if picture:
        embed.set_image(url=f"attachment://{PICTURE_FILENAME}")
    embed.set_footer(text=str(summary_footer(stored, round_number)))
    return embed


SEEDING_NAMES = {"given": _("given"), "random": _("random")}
STATUS_NAMES = {
    BracketStatus.OPEN: _("open"),
    BracketStatus.FINISHED: _("finished"),
    BracketStatus.CANCELLED: _("cancelled"),
    BracketStatus.STOPPED: _("stopped"),
}


def status_lines(stored: StoredBracket, polls: dict[int, int]) -> list[Text]:
    bracket = stored.bracket
    seeding = SEEDING_NAMES.get(str(bracket.seeds.seeding), str(bracket.seeds.seeding))
    lines: list[Text] = [
        _(
            "{entries}, seeding: {seeding}, created by {creator}.",
            entries=_n("{count} entry", "{count} entries", bracket.seeds.count),
            seeding=seeding,
            creator=f"<@{stored.creator_id}>",
        )
    ]
    if stored.status is BracketStatus.OPEN:
        current = bracket.current_round or stored.round
        ends = stored.round_ends_at
        matches = _n("{count} match", "{count} matches", len(bracket.open_matches()))
        if ends is not None:
            lines.append(
                _(
                    "Now voting: the {round} ({matches}, ends {when}).",
                    round=bracket.round_name(current),
                    matches=matches,
                    when=discord.utils.format_dt(ends, "R"),
                )
            )
        else:
            lines.append(_("Now voting: the {round} ({matches}).", round=bracket.round_name(current), matches=matches))
        for match in bracket.open_matches():
            a, b = match_options(bracket, match)
            poll = polls.get(match.index)
            ref = _("poll #{poll}", poll=poll) if poll is not None else _("not posted yet")
            lines.append(f"{match.index + 1}. #{match.seed_a} {a} vs #{match.seed_b} {b} — {ref}")
    elif stored.status is BracketStatus.FINISHED and bracket.champion is not None:
        champion = f"#{bracket.champion} {bracket.entry(bracket.champion)}"
        lines.append(_("Finished. Champion: {champion}", champion=champion))
    elif stored.status is BracketStatus.CANCELLED:
        lines.append(_("Cancelled."))
    else:
        lines.append(_("Stopped: {reason}", reason=stored.stop_reason or _("unknown reason")))
    return lines


def build_status_embed(stored: StoredBracket, polls: dict[int, int]) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"{stored.bracket.title} — {STATUS_NAMES.get(stored.status, stored.status.value)}", 256),
        description=truncate("\n".join(str(line) for line in status_lines(stored, polls)), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    embed.set_footer(text=str(footer(stored)))
    return embed
