"""A decided round in words: messages the Discord layer renders (and escapes) as it likes."""

from __future__ import annotations

from bot.brackets.model import TIE_RULE, Bracket, Decision, Match
from bot.i18n import Msg, _, _n


def seed_label(bracket: Bracket, seed: int) -> str:
    """`#3 Supernova`."""
    return f"#{seed} {bracket.entry(seed)}"


def match_line(bracket: Bracket, round_number: int, match: Match) -> Msg:
    """One decided match: who went through, the votes, and why if it was not on votes."""
    if match.winner is None:
        raise ValueError(f"match {match.index} is not decided")
    winner = seed_label(bracket, match.winner)
    if match.decided_by is Decision.BYE:
        return _("{winner} — a bye into the {round}", winner=winner, round=bracket.round_name(round_number + 1))
    loser_seed = match.loser
    assert loser_seed is not None  # a match that is not a bye has two seeds
    won, lost = match.votes_for(match.winner), match.votes_for(loser_seed)
    loser = seed_label(bracket, loser_seed)
    if match.decided_by is Decision.TIE_HIGHER_SEED:
        return _(
            "{winner} beat {loser}, {won}–{lost} (tie: #{seed} goes through as the higher seed)",
            winner=winner,
            loser=loser,
            won=won,
            lost=lost,
            seed=match.winner,
        )
    return _("{winner} beat {loser}, {won}–{lost}", winner=winner, loser=loser, won=won, lost=lost)


def round_summary(bracket: Bracket, round_number: int) -> list[Msg]:
    """The results of a decided round, its byes and ties, and what comes next."""
    played = bracket.round(round_number)
    if any(match.is_open for match in played):
        raise ValueError(f"round {round_number} is not decided yet")
    lines = [_("{round} — results", round=bracket.round_name(round_number))]
    lines += [match_line(bracket, round_number, match) for match in played]
    if any(match.decided_by is Decision.TIE_HIGHER_SEED for match in played):
        lines.append(TIE_RULE)
    if round_number == bracket.round_count:
        assert bracket.champion is not None
        lines.append(_("Champion: {champion}", champion=seed_label(bracket, bracket.champion)))
    else:
        count = len(bracket.round(round_number + 1))
        matches = _n("{count} match", "{count} matches", count)
        lines.append(_("Next: the {round}, {matches}.", round=bracket.round_name(round_number + 1), matches=matches))
    return lines
