"""Pure builders for the bracket messages: match questions, summaries, the champion, status."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.brackets import Bracket, Match
from bot.brackets.store import BracketStatus, StoredBracket
from bot.polls.rules import MAX_QUESTION_LENGTH
from bot.ui import truncate

PICTURE_FILENAME = "bracket.png"
COLOUR = discord.Colour(0xEB459E)
DESCRIPTION_LIMIT = 4096


def footer(stored: StoredBracket) -> str:
    return f"Bracket #{stored.bracket_id}"


def summary_footer(stored: StoredBracket, round_number: int) -> str:
    """The summary's footer; it also finds a summary posted just before a crash."""
    return f"{footer(stored)} · round {round_number}"


def match_question(bracket: Bracket, round_number: int, match: Match, *, bracket_id: int) -> str:
    """`[#7] Best MV — Quarter-finals, match 2: #4 Spell vs #5 Who`, within a poll question's
    limit. The `[#7]` (the bracket) comes first, so no truncation cuts it: with the round and
    match it finds a match poll posted just before a crash."""
    assert match.seed_b is not None
    head = f"{bracket.round_name(round_number)}, match {match.index + 1}: "
    body = f"#{match.seed_a} {bracket.entry(match.seed_a)} vs #{match.seed_b} {bracket.entry(match.seed_b)}"
    title = truncate(bracket.title, 80)
    return truncate(f"{match_marker(bracket_id)} {title} — {head}{body}", MAX_QUESTION_LENGTH)


def match_marker(bracket_id: int) -> str:
    return f"[#{bracket_id}]"


def match_options(bracket: Bracket, match: Match) -> tuple[str, str]:
    assert match.seed_b is not None
    return bracket.entry(match.seed_a), bracket.entry(match.seed_b)


def created_message(stored: StoredBracket, channel_mention: str, matches: int) -> str:
    bracket = stored.bracket
    return (
        f"Bracket #{stored.bracket_id} “{truncate(bracket.title, 100)}” is up in {channel_mention}: "
        f"{bracket.seeds.count} entries, the {bracket.round_name(1)} has {matches} "
        f"match{'es' if matches != 1 else ''}."
    )


def build_summary_embed(
    stored: StoredBracket, round_number: int, lines: Sequence[str], *, picture: bool
) -> discord.Embed:
    """The summary of a decided round; after the final, the champion's announcement."""
    bracket = stored.bracket
    champion = bracket.champion if round_number == bracket.round_count else None
    if champion is not None:
        title = f"🏆 {bracket.entry(champion)} wins “{bracket.title}”"
    else:
        title = f"{bracket.title} — {lines[0]}"
    embed = discord.Embed(
        title=truncate(title, 256), description=truncate("\n".join(lines[1:]), DESCRIPTION_LIMIT), colour=COLOUR
    )
    if picture:
        embed.set_image(url=f"attachment://{PICTURE_FILENAME}")
    embed.set_footer(text=summary_footer(stored, round_number))
    return embed


def status_lines(stored: StoredBracket, polls: dict[int, int]) -> list[str]:
    bracket = stored.bracket
    lines = [f"{bracket.seeds.count} entries, seeding: {bracket.seeds.seeding}, created by <@{stored.creator_id}>."]
    if stored.status is BracketStatus.OPEN:
        current = bracket.current_round or stored.round
        ends = stored.round_ends_at
        when = f", ends {discord.utils.format_dt(ends, 'R')}" if ends is not None else ""
        lines.append(f"Now voting: the {bracket.round_name(current)} ({len(bracket.open_matches())} matches{when}).")
        for match in bracket.open_matches():
            a, b = match_options(bracket, match)
            poll = polls.get(match.index)
            ref = f" — poll #{poll}" if poll is not None else " — not posted yet"
            lines.append(f"{match.index + 1}. #{match.seed_a} {a} vs #{match.seed_b} {b}{ref}")
    elif stored.status is BracketStatus.FINISHED and bracket.champion is not None:
        lines.append(f"Finished. Champion: #{bracket.champion} {bracket.entry(bracket.champion)}")
    elif stored.status is BracketStatus.CANCELLED:
        lines.append("Cancelled.")
    else:
        lines.append(f"Stopped: {stored.stop_reason or 'unknown reason'}")
    return lines


def build_status_embed(stored: StoredBracket, polls: dict[int, int]) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"{stored.bracket.title} — {stored.status.value}", 256),
        description=truncate("\n".join(status_lines(stored, polls)), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    embed.set_footer(text=footer(stored))
    return embed
