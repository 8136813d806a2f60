"""A bracket as immutable values: rounds of matches, decided one whole round at a time.

A :class:`Bracket` is never changed; :meth:`Bracket.record_round` returns the next state.
Round 1 is built from the seeds (byes already decided); each later round is built from
the winners of the one before, in bracket order: the winners of matches 2i and 2i + 1
meet in match i. A tie goes to the higher seed (the smaller seed number), and the match
records that it was decided that way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from bot.brackets.entries import MAX_ENTRIES, MIN_ENTRIES
from bot.brackets.seeding import Seeding, Seeds, first_round_pairs
from bot.i18n import Msg, _

FORMAT_VERSION = 1
TIE_RULE = _("A tie goes to the higher seed (the smaller seed number).")


class Decision(StrEnum):
    VOTES = "votes"
    TIE_HIGHER_SEED = "tie: higher seed"
    BYE = "bye"


@dataclass(frozen=True, slots=True)
class Match:
    """One match of a round. `index` is its place in the round, top to bottom, from 0."""

    index: int
    seed_a: int
    seed_b: int | None  # None: seed_a has a bye (round 1 only)
    winner: int | None = None
    votes_a: int = 0
    votes_b: int = 0
    decided_by: Decision | None = None

    @property
    def is_bye(self) -> bool:
        return self.seed_b is None

    @property
    def is_open(self) -> bool:
        return self.winner is None

    @property
    def loser(self) -> int | None:
        if self.winner is None or self.seed_b is None:
            return None
        return self.seed_b if self.winner == self.seed_a else self.seed_a

    @property
    def seeds(self) -> tuple[int, ...]:
        return (self.seed_a,) if self.seed_b is None else (self.seed_a, self.seed_b)

    def votes_for(self, seed: int) -> int:
        if seed not in self.seeds:
            raise ValueError(f"seed {seed} is not in match {self.index}")
        return self.votes_a if seed == self.seed_a else self.votes_b

    def decide(self, votes_a: int, votes_b: int) -> Match:
        """The match with its votes counted: more votes win; a tie goes to the higher seed."""
        if not self.is_open or self.seed_b is None:
            raise ValueError(f"match {self.index} is already decided")
        if not (isinstance(votes_a, int) and isinstance(votes_b, int)) or min(votes_a, votes_b) < 0:
            raise ValueError(f"votes are counts, not {votes_a!r} and {votes_b!r}")
        if votes_a != votes_b:
            winner, how = (self.seed_a if votes_a > votes_b else self.seed_b), Decision.VOTES
        else:
            winner, how = min(self.seed_a, self.seed_b), Decision.TIE_HIGHER_SEED
        return replace(self, winner=winner, votes_a=votes_a, votes_b=votes_b, decided_by=how)


def bye(index: int, seed: int) -> Match:
    return Match(index, seed, None, winner=seed, decided_by=Decision.BYE)


def round_name(round_number: int, round_count: int) -> Msg:
    """`Final`, `Semi-finals`, `Quarter-finals`, else `Round of N` (N: the round's places)."""
    if not 1 <= round_number <= round_count:
        raise ValueError(f"round {round_number} is not one of {round_count}")
    places = 2 ** (round_count - round_number + 1)
    named = {2: _("Final"), 4: _("Semi-finals"), 8: _("Quarter-finals")}
    return named.get(places) or _("Round of {places}", places=places)


@dataclass(frozen=True, slots=True)
class Bracket:
    title: str
    seeds: Seeds
    #: The rounds built so far (1, 2, …); all but the last are decided.
    rounds: tuple[tuple[Match, ...], ...]

    @property
    def size(self) -> int:
        return self.seeds.size

    @property
    def round_count(self) -> int:
        return self.size.bit_length() - 1

    def entry(self, seed: int) -> str:
        return self.seeds.name(seed)

    def round_name(self, round_number: int) -> Msg:
        return round_name(round_number, self.round_count)

    def round(self, round_number: int) -> tuple[Match, ...]:
        if not 1 <= round_number <= len(self.rounds):
            raise ValueError(f"round {round_number} has not been built yet")
        return self.rounds[round_number - 1]

    @property
    def current_round(self) -> int | None:
        """The round being voted on (from 1); None once the final is decided."""
        if any(match.is_open for match in self.rounds[-1]):
            return len(self.rounds)
        return None

    @property
    def is_finished(self) -> bool:
        return self.current_round is None

    @property
    def champion(self) -> int | None:
        """The winner's seed, once the final is decided."""
        return self.rounds[-1][0].winner if self.is_finished else None

    def open_matches(self) -> tuple[Match, ...]:
        """The matches to post as polls now: the current round's, without byes."""
        return tuple(match for match in self.rounds[-1] if match.is_open)

    def record_round(self, results: Mapping[int, tuple[int, int]]) -> Bracket:
        """Decide every open match of the current round: {match index: (votes_a, votes_b)}."""
        if self.is_finished:
            raise ValueError("the bracket is finished")
        expected = {match.index for match in self.open_matches()}
        if set(results) != expected:
            raise ValueError(f"results must cover exactly matches {sorted(expected)}, not {sorted(results)}")
        played = tuple(match.decide(*results[match.index]) if match.is_open else match for match in self.rounds[-1])
        rounds = (*self.rounds[:-1], played)
        if len(rounds) < self.round_count:
            rounds = (*rounds, next_round(played))
        return replace(self, rounds=rounds)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values; :meth:`from_dict` reads them back (and checks them)."""
        return {
            "version": FORMAT_VERSION,
            "title": self.title,
            "seeding": str(self.seeds.seeding),
            "entries": list(self.seeds.entries),
            "rounds": [[_match_to_dict(match) for match in played] for played in self.rounds],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bracket:
        """A stored bracket, replayed from its seeds and votes; anything inconsistent is refused."""
        try:
            if data["version"] != FORMAT_VERSION:
                raise ValueError(f"format version {data['version']!r}")
            seeds = Seeds(tuple(data["entries"]), Seeding(data["seeding"]))
            stored = tuple(tuple(_match_from_dict(match) for match in played) for played in data["rounds"])
            bracket = _replay(new_bracket(data["title"], seeds), stored)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a valid stored bracket: {error}") from error
        if bracket.rounds != stored:
            raise ValueError("not a valid stored bracket: its rounds don't follow from its seeds and votes")
        return bracket


def new_bracket(title: str, seeds: Seeds) -> Bracket:
    """Round 1 from the seeds: standard pairing, byes decided for the top seeds."""
    if not isinstance(title, str) or not all(isinstance(entry, str) for entry in seeds.entries):
        raise ValueError("the title and entries are text")
    if not MIN_ENTRIES <= seeds.count <= MAX_ENTRIES:
        raise ValueError(f"a bracket has {MIN_ENTRIES} to {MAX_ENTRIES} entries, not {seeds.count}")
    first = tuple(
        bye(index, top) if bottom is None else Match(index, top, bottom)
        for index, (top, bottom) in enumerate(first_round_pairs(seeds.count))
    )
    return Bracket(title, seeds, (first,))


def next_round(played: tuple[Match, ...]) -> tuple[Match, ...]:
    """The winners of matches 2i and 2i + 1 meet in match i."""
    winners = [match.winner for match in played if match.winner is not None]
    if len(winners) != len(played):
        raise ValueError("the round is not decided yet")
    return tuple(Match(index, a, b) for index, (a, b) in enumerate(zip(winners[::2], winners[1::2], strict=True)))


def _replay(bracket: Bracket, stored: tuple[tuple[Match, ...], ...]) -> Bracket:
    for played in stored:
        if bracket.is_finished or any(match.is_open for match in played):
            break
        bracket = bracket.record_round(
            {match.index: (match.votes_a, match.votes_b) for match in played if not match.is_bye}
        )
    return bracket


def _match_to_dict(match: Match) -> dict[str, Any]:
    return {
        "index": match.index,
        "seed_a": match.seed_a,
        "seed_b": match.seed_b,
        "winner": match.winner,
        "votes_a": match.votes_a,
        "votes_b": match.votes_b,
        "decided_by": None if match.decided_by is None else str(match.decided_by),
    }


def _match_from_dict(data: Mapping[str, Any]) -> Match:
    decided_by = data["decided_by"]
    return Match(
        index=data["index"],
        seed_a=data["seed_a"],
        seed_b=data["seed_b"],
        winner=data["winner"],
        votes_a=data["votes_a"],
        votes_b=data["votes_b"],
        decided_by=None if decided_by is None else Decision(decided_by),
    )
