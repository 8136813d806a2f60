"""Text normalisation for matching: what makes "Rosé" = "rose" and "FRI(END)S" = "friends".

A *matching key* is the text casefolded and compatibility-decomposed (NFKD), without
accents, punctuation or spaces. Hangul stays as jamo inside keys: a syllable typed halfway
("하루ㅎ") is then still a prefix of "하루하루". :func:`normalize` is the public,
recomposed (NFC) form of the same key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_ASCII_DROP = str.maketrans("", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum()))
_MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})
_ALNUM_RUN = re.compile(r"[^\W_]+")


class _CharFilter(dict[int, int | None]):
    """A ``str.translate`` table that keeps or deletes each character by a predicate.

    Filled lazily (translate then runs in C for every character seen before) and capped, so
    arbitrary text typed into autocomplete cannot grow it without bound.
    """

    _CAP = 20_000

    def __init__(self, keep: Callable[[str], bool]) -> None:
        super().__init__()
        self._keep = keep

    def __missing__(self, codepoint: int) -> int | None:
        value = codepoint if self._keep(chr(codepoint)) else None
        if len(self) < self._CAP:
            self[codepoint] = value
        return value


_WITHOUT_MARKS = _CharFilter(lambda ch: unicodedata.category(ch) not in _MARK_CATEGORIES)
_ALNUM_ONLY = _CharFilter(str.isalnum)


def fold(text: str) -> str:
    """Caseless, decomposed text without accents; spaces and punctuation are kept.

    Casefold and NFKD are applied twice (Unicode's compatibility caseless matching), so a
    character whose case folding yields an accented letter loses the accent as well.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    if not decomposed.isascii():
        decomposed = unicodedata.normalize("NFKD", decomposed.casefold())
    return decomposed.translate(_WITHOUT_MARKS)


def matching_key(text: str) -> str:
    """Folded text, letters and digits only (Hangul as jamo): what search compares."""
    if text.isascii():
        return text.lower().translate(_ASCII_DROP)
    return fold(text).translate(_ALNUM_ONLY)


def normalize(text: str) -> str:
    """The matching key in readable form: ``"Please Don't"`` → ``"pleasedont"``.

    Case, accents, punctuation and spaces are dropped; Hangul is recomposed, so
    ``"하루하루"`` stays ``"하루하루"``. Idempotent.
    """
    return unicodedata.normalize("NFC", matching_key(text))


def key_and_words(text: str) -> tuple[str, set[str]]:
    """A field's matching key and its words, folding the text once.

    The words are each space-separated chunk as a key plus the chunk's alphanumeric runs:
    ``"Seo In-guk"`` gives seo, inguk, in, guk; ``"FRI(END)S"`` gives friends, fri, end, s.
    """
    folded = fold(text)
    table = _ASCII_DROP if folded.isascii() else _ALNUM_ONLY
    words = set(_ALNUM_RUN.findall(folded))
    for chunk in folded.split():
        if not chunk.isalnum():  # else the chunk is one of the runs already
            words.add(chunk.translate(table))
    words.discard("")
    return folded.translate(table), words


def query_words(query: str) -> list[str]:
    """The query's space-separated words as keys, in order, without repeats."""
    keys = (matching_key(chunk) for chunk in fold(query).split())
    return [word for word in dict.fromkeys(keys) if word]
