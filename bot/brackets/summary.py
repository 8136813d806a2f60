"""A decided round in words: plain lines the Discord layer renders (and escapes) as it likes."""

from __future__ import annotations

from bot.brackets.model import TIE_RULE, Bracket, Decision, Match


def seed_label(bracket: Bracket, seed: int) -> str:
    """`#3 Supernova`."""
    return f"#{seed} {bracket.entry(seed)}"


def match_line(bracket: Bracket, round_number: int, match: Match) -> str:
    """One decided match: who went through, the votes, and why if it was not on votes."""
    if match.winner is None:
        raise ValueError(f"match {match.index} is not decided")
    winner = seed_label(bracket, match.winner)
    if match.decided_by is Decision.BYE:
        return f"{winner} — a bye into the {bracket.round_name(round_number + 1)}"
    loser_seed = match.loser
    assert loser_seed is not None  # a match that is not a bye has two seeds
    won, lost = match.votes_for(match.winner), match.votes_for(loser_seed)
    line = f"{winner} beat {seed_label(bracket, loser_seed)}, {won}–{lost}"
    if match.decided_by is Decision.TIE_HIGHER_SEED:
        line += f" (tie: #{match.winner} goes through as the higher seed)"
    return line


def round_summary(bracket: Bracket, round_number: int) -> list[str]:
    """The results of a decided round, its byes and ties, and what comes next."""
    played = bracket.round(round_number)
    if any(match.is_open for match in played):
        raise ValueError(f"round {round_number} is not decided yet")
    name = bracket.round_name(round_number)
    lines = [f"{name} — results"]
    lines += [match_line(bracket, round_number, match) for match in played]
    if any(match.decided_by is Decision.TIE_HIGHER_SEED for match in played):
        lines.append(TIE_RULE)
    if round_number == bracket.round_count:
        assert bracket.champion is not None
        lines.append(f"Champion: {seed_label(bracket, bracket.champion)}")
    else:
        following = bracket.round(round_number + 1)
        count = len(following)
        lines.append(f"Next: the {bracket.round_name(round_number + 1)}, {count} match{'es' if count != 1 else ''}.")
    return lines
