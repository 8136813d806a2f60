"""The bracket state machine: rounds, the tie rule, summaries, storage, invariants."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.brackets import (
    TIE_RULE,
    Bracket,
    Decision,
    Match,
    new_bracket,
    parse_entries,
    round_name,
    round_summary,
    seed,
)

#: The seeds' "best MV of 2024" list: nine entries, as `/bracket mv year:2024` would give them.
BEST_OF_2024 = (
    "Supernova", "APT.", "Magnetic", "How Sweet", "Armageddon",
    "Chk Chk Boom", "Sticky", "SHEESH", "Drip",
)  # fmt: skip


def bracket_of(count: int, title: str = "MV World Cup") -> Bracket:
    return new_bracket(title, seed([f"MV {n}" for n in range(1, count + 1)], seeding="given"))


def play(bracket: Bracket, rng: random.Random, most: int = 5) -> Bracket:
    return bracket.record_round({m.index: (rng.randint(0, most), rng.randint(0, most)) for m in bracket.open_matches()})


def test_a_new_bracket_of_nine() -> None:
    bracket = new_bracket("Best MV of 2024", seed(BEST_OF_2024, seeding="given"))
    assert bracket.size == 16 and bracket.round_count == 4
    assert bracket.current_round == 1 and not bracket.is_finished and bracket.champion is None
    first = bracket.round(1)
    assert len(first) == 8
    assert [m for m in first if m.is_bye] == [
        Match(i, s, None, winner=s, decided_by=Decision.BYE)
        for i, s in ((0, 1), (2, 4), (3, 5), (4, 2), (5, 7), (6, 3), (7, 6))
    ]
    assert bracket.open_matches() == (Match(1, 8, 9),)  # only SHEESH v Drip is posted
    assert [bracket.round_name(n) for n in (1, 2, 3, 4)] == ["Round of 16", "Quarter-finals", "Semi-finals", "Final"]


def test_round_names() -> None:
    assert [round_name(n, 6) for n in range(1, 7)] == [
        "Round of 64", "Round of 32", "Round of 16", "Quarter-finals", "Semi-finals", "Final",
    ]  # fmt: skip
    assert round_name(1, 1) == "Final"
    with pytest.raises(ValueError):
        round_name(0, 3)


def test_recording_a_round_builds_the_next_in_bracket_order() -> None:
    bracket = bracket_of(8)  # 1v8, 4v5, 2v7, 3v6
    after = bracket.record_round({0: (10, 3), 1: (2, 9), 2: (4, 4), 3: (1, 6)})
    assert bracket.current_round == 1  # the old value is unchanged
    played = after.round(1)
    assert [m.winner for m in played] == [1, 5, 2, 6]
    assert [m.decided_by for m in played] == [Decision.VOTES, Decision.VOTES, Decision.TIE_HIGHER_SEED, Decision.VOTES]
    assert after.current_round == 2
    assert after.open_matches() == (Match(0, 1, 5), Match(1, 2, 6))
    semis_done = after.record_round({0: (0, 0), 1: (3, 8)})
    assert semis_done.round(2)[0].winner == 1 and semis_done.round(2)[0].decided_by is Decision.TIE_HIGHER_SEED
    final = semis_done.record_round({0: (7, 8)})
    assert final.is_finished and final.current_round is None and final.champion == 6
    assert final.open_matches() == ()
    assert final.entry(6) == "MV 6"


def test_a_tie_goes_to_the_higher_seed_whichever_side_it_is_on() -> None:
    match = Match(0, 9, 4)  # a later round can put the lower seed on top
    decided = match.decide(3, 3)
    assert decided.winner == 4 and decided.loser == 9 and decided.decided_by is Decision.TIE_HIGHER_SEED
    assert match.decide(0, 0).winner == 4


def test_results_must_match_the_open_matches() -> None:
    bracket = bracket_of(9)
    for wrong in ({}, {0: (1, 2)}, {1: (1, 2), 2: (1, 1)}):
        with pytest.raises(ValueError, match="exactly matches"):
            bracket.record_round(wrong)
    with pytest.raises(ValueError, match="counts"):
        bracket.record_round({1: (-1, 2)})
    finished = bracket_of(2).record_round({0: (1, 0)})
    with pytest.raises(ValueError, match="finished"):
        finished.record_round({0: (1, 0)})


def test_bracket_sizes_are_checked() -> None:
    with pytest.raises(ValueError):
        new_bracket("x", seed(["only"]))
    with pytest.raises(ValueError):
        new_bracket("x", seed([f"MV {n}" for n in range(65)]))


def test_round_summary_states_results_byes_and_ties() -> None:
    bracket = new_bracket("Best MV of 2024", seed(BEST_OF_2024, seeding="given"))
    with pytest.raises(ValueError, match="not decided"):
        round_summary(bracket, 1)
    bracket = bracket.record_round({1: (12, 12)})
    lines = round_summary(bracket, 1)
    assert lines[0] == "Round of 16 — results"
    assert "#1 Supernova — a bye into the Quarter-finals" in lines
    assert "#8 SHEESH beat #9 Drip, 12–12 (tie: #8 goes through as the higher seed)" in lines
    assert TIE_RULE in lines
    assert lines[-1] == "Next: the Quarter-finals, 4 matches."
    bracket = bracket.record_round({0: (3, 5), 1: (9, 2), 2: (1, 0), 3: (4, 6)})
    lines = round_summary(bracket, 2)
    assert "#8 SHEESH beat #1 Supernova, 5–3" in lines and "#4 How Sweet beat #5 Armageddon, 9–2" in lines
    assert TIE_RULE not in lines and not any("bye" in line for line in lines)
    bracket = bracket.record_round({0: (1, 2), 1: (2, 1)}).record_round({0: (0, 40)})
    final = round_summary(bracket, 4)
    assert final == ["Final — results", "#2 APT. beat #4 How Sweet, 40–0", "Champion: #2 APT."]


def test_round_trip_through_json_at_every_state() -> None:
    rng = random.Random(3)
    bracket = new_bracket(
        "하루하루 월드컵 🏆", seed(parse_entries(" | ".join(f"뮤비 {n}" for n in range(37))), seeding="random", rng=rng)
    )
    while True:
        stored = json.loads(json.dumps(bracket.to_dict()))
        assert Bracket.from_dict(stored) == bracket
        if bracket.is_finished:
            break
        bracket = play(bracket, rng, most=2)
    assert stored["seeding"] == "random"
    assert {match["decided_by"] for match in stored["rounds"][0]} <= {"votes", "tie: higher seed", "bye"}


def test_an_inconsistent_stored_bracket_is_refused() -> None:
    good = bracket_of(8).record_round({0: (1, 0), 1: (1, 0), 2: (1, 0), 3: (0, 0)}).to_dict()
    cases = []
    wrong_winner = json.loads(json.dumps(good))
    wrong_winner["rounds"][0][0]["winner"] = 8
    cases.append(wrong_winner)
    moved_seed = json.loads(json.dumps(good))
    moved_seed["rounds"][1][0]["seed_a"] = 7
    cases.append(moved_seed)
    bad_version = {**good, "version": 99}
    cases.append(bad_version)
    cases.append({key: value for key, value in good.items() if key != "entries"})
    cases.append({**good, "seeding": "alphabetical"})
    for case in cases:
        with pytest.raises(ValueError, match="not a valid stored bracket"):
            Bracket.from_dict(case)


# -- invariants ---------------------------------------------------------------------------


@st.composite
def played_brackets(draw: st.DrawFn) -> Bracket:
    count = draw(st.integers(min_value=2, max_value=64))
    method = draw(st.sampled_from(["given", "random"]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    bracket = new_bracket("MV World Cup", seed([f"MV {n}" for n in range(count)], seeding=method, rng=rng))
    stop_after = draw(st.integers(min_value=0, max_value=bracket.round_count))
    votes = st.tuples(st.integers(0, 3), st.integers(0, 3))  # small counts: many ties
    for _ in range(stop_after):
        indices = [match.index for match in bracket.open_matches()]
        bracket = bracket.record_round({index: draw(votes) for index in indices})
    return bracket


@settings(max_examples=300, deadline=None)
@given(played_brackets())
def test_bracket_invariants(bracket: Bracket) -> None:
    count, size = bracket.seeds.count, bracket.size
    alive = set(range(1, count + 1))
    for number, played in enumerate(bracket.rounds, start=1):
        # every round halves
        assert len(played) == size // 2**number
        assert [match.index for match in played] == list(range(len(played)))
        # each entry still in appears exactly once in the round
        appearing = [s for match in played for s in match.seeds]
        assert sorted(appearing) == sorted(alive)
        # byes only in round 1, only for the top seeds
        byes = {match.seed_a for match in played if match.is_bye}
        assert byes == (set(range(1, size - count + 1)) if number == 1 else set())
        for match in played:
            if match.is_open:
                assert number == bracket.current_round and match.decided_by is None
                continue
            if match.is_bye:
                assert match.decided_by is Decision.BYE and match.winner == match.seed_a
                continue
            assert match.seed_b is not None and match.winner is not None
            if match.votes_a == match.votes_b:
                assert match.decided_by is Decision.TIE_HIGHER_SEED
                assert match.winner == min(match.seed_a, match.seed_b)
            else:
                assert match.decided_by is Decision.VOTES
                assert match.votes_for(match.winner) == max(match.votes_a, match.votes_b)
        if all(not match.is_open for match in played):
            alive = {match.winner for match in played if match.winner is not None}
    if bracket.is_finished:
        champion = bracket.champion
        assert champion is not None and alive == {champion}
        # the champion won every match it played, one in each round
        theirs = [match for played in bracket.rounds for match in played if champion in match.seeds]
        assert len(theirs) == bracket.round_count
        assert all(match.winner == champion for match in theirs)
    else:
        assert bracket.champion is None and bracket.open_matches()
    assert Bracket.from_dict(json.loads(json.dumps(bracket.to_dict()))) == bracket
