"""Our-own-words check: phrases a storyline or twist shares word for word with a source text.

Contributors read the source articles for facts and write fresh summaries; a run of five
or more identical words is the tell-tale of pasting. ``python -m bot.catalog check`` runs
this against the seed articles (``--seeds DIR``) and fails on any shared phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.catalog.model import MV
from bot.catalog.text import fold

PHRASE_WORDS = 5
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class SharedPhrase:
    mv_id: str
    field: str
    phrase: str
    source: str

    def __str__(self) -> str:
        return (
            f"entry {self.mv_id!r}: field {self.field!r}: shares “{self.phrase}” with "
            f"{self.source}; write it in our own words"
        )


def _words(text: str) -> list[str]:
    return [word.replace("’", "'") for word in _WORD.findall(fold(text))]


def _phrases(words: list[str], length: int) -> Iterable[tuple[str, ...]]:
    return (tuple(words[at : at + length]) for at in range(len(words) - length + 1))


def shared_phrases(entries: Iterable[MV], sources: Mapping[str, str], length: int = PHRASE_WORDS) -> list[SharedPhrase]:
    """Each run of ``length`` words in a storyline or twist also found in a source text
    (case, accents and punctuation ignored); overlapping runs are reported once, joined."""
    known: dict[tuple[str, ...], str] = {}
    for name, text in sources.items():
        for phrase in _phrases(_words(text), length):
            known.setdefault(phrase, name)
    found: list[SharedPhrase] = []
    for mv in entries:
        for field in ("storyline", "twist"):
            text = getattr(mv, field)
            if text:
                found += _shared_in(mv.id, field, _words(text), known, length)
    return found


def _shared_in(
    mv_id: str, field: str, words: list[str], known: dict[tuple[str, ...], str], length: int
) -> list[SharedPhrase]:
    found: list[SharedPhrase] = []
    run_start, run_end, source = -1, -1, ""
    for at, phrase in enumerate(_phrases(words, length)):
        name = known.get(phrase)
        if name is None:
            continue
        if at < run_end and name == source:  # overlaps the current run
            run_end = at + length
            continue
        if run_start >= 0:
            found.append(SharedPhrase(mv_id, field, " ".join(words[run_start:run_end]), source))
        run_start, run_end, source = at, at + length, name
    if run_start >= 0:
        found.append(SharedPhrase(mv_id, field, " ".join(words[run_start:run_end]), source))
    return found
