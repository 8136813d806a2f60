"""MV World Cup brackets: entries, seeding, rounds of two-way matches, the picture.

Pure domain (no Discord, no database): the Discord layer posts `open_matches()` as
two-option polls, feeds their counts to `record_round`, posts `round_summary` and
`draw_bracket` (through ``asyncio.to_thread``); the store keeps `Bracket.to_dict()`.
"""

from bot.brackets.entries import MAX_ENTRIES, MIN_ENTRIES, entry_key, parse_entries, parse_title, validate_entries
from bot.brackets.model import TIE_RULE, Bracket, Decision, Match, new_bracket, round_name
from bot.brackets.picture import draw_bracket
from bot.brackets.seeding import Seeding, Seeds, bracket_order, bracket_size, first_round_pairs, parse_seeding, seed
from bot.brackets.summary import round_summary

__all__ = [
    "MAX_ENTRIES",
    "MIN_ENTRIES",
    "TIE_RULE",
    "Bracket",
    "Decision",
    "Match",
    "Seeding",
    "Seeds",
    "bracket_order",
    "bracket_size",
    "draw_bracket",
    "entry_key",
    "first_round_pairs",
    "new_bracket",
    "parse_entries",
    "parse_seeding",
    "parse_title",
    "round_name",
    "round_summary",
    "seed",
    "validate_entries",
]
