"""The in-memory search index: tiers of matches, best first, fast enough for autocomplete.

Every entry gets a release *rank* (its place in release order). For each field class the
index keeps the distinct keys sorted with their ranks, so exact and prefix matches are
two bisections. A query is answered tier by tier — exact key, key prefix, every word
found (then mid-word substring), fuzzy — and inside a tier by field class (title > alias
> act+title > artist > group > cast), then rank. Tiers are strict, so the search stops as
soon as it has ``limit`` entries; only queries that match little reach the fuzzy tier,
which scores with rapidfuzz against precomputed choices of plausible length and script.
A last tier matches what an entry is *about* (themes, universe, storyline, cast roles), so
"cyborg" finds VIXX's Error and "exo superpower" the EXO story MVs; names always rank first.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from itertools import chain

from rapidfuzz import fuzz, process

from bot.catalog.model import MV
from bot.catalog.text import key_and_words, matching_key, query_words

# Field classes, best first (the order inside a tier). COMBO is an act and a title (or a
# group and its member) named together: "vixx error", "error vixx", "blackpink rose".
TITLE, ALIAS, COMBO, ARTIST, GROUP, CAST = range(6)
FIELD_CLASSES = (TITLE, ALIAS, COMBO, ARTIST, GROUP, CAST)
STORED_CLASSES = (TITLE, ALIAS, ARTIST, GROUP, CAST)

MAX_QUERY = 100  # characters of a query that are looked at
_AFTER_ALL = "\U0010ffff"  # a noncharacter, never in a key: every extension of k sorts below k + it
_MIN_FUZZY = 3  # shorter queries only match exactly, as a prefix or as a word
_SUBSTRING_MIN = 3
_SUBSTRING_SCAN_CAP = 2000  # keys scanned for mid-word matches; bounds the worst case
_IN_CONTEXT_RELIEF = 15.0  # a word checked beside others may be further off ("hna" for "han")
_NARROW_CANDIDATES = 400  # below this many entries, later query words see only their words
_SUGGEST_CUTOFF = 65.0  # below, WRatio pairs any word with a short name sharing a letter or two
_ABOUT_PREFIX_MIN = 4  # shorter query words must equal an "about" word, not just begin one
_ABOUT_WORD_MIN = 3
#: Words that say nothing about an MV: skipped in "about" texts and in queries matched to them,
#: so "which mv was the cyborg one" comes down to "cyborg".
ABOUT_STOPWORDS = frozenset(
    {
        "about", "after", "and", "are", "but", "for", "from", "her", "him", "his", "into",
        "its", "one", "mv", "mvs", "music", "that", "the", "their", "them", "then", "they",
        "this", "video", "videos", "was", "what", "when", "where", "which", "who", "with",
    }
)  # fmt: skip


def _fuzzy_cutoff(length: int) -> float:
    """The similarity a typo'd text must reach (fuzz.ratio, 0-100).

    One slip scores "bak"/"back" 86, "xome"/"come" 75, "eror"/"error" 89,
    "jenny"/"jennie" 73; three-letter words get the stricter cutoff, as one changed letter
    there ("bts"/"bta", 67) is a different word.
    """
    return 80.0 if length <= 3 else 72.0


def _length_window(length: int, cutoff: float) -> tuple[int, int]:
    """Lengths of choices worth scoring against a query of ``length``.

    A typo changes the length by a character or two, so choices much shorter or longer
    are left out (that also keeps "jimin" from matching "min"), and so is any length at
    which fuzz.ratio (indel similarity) could not reach ``cutoff`` anyway.
    """
    slack = max(1, length // 4)
    reachable_low = math.ceil(length * cutoff / (200 - cutoff))
    reachable_high = math.floor(length * (200 - cutoff) / cutoff)
    return max(length - slack, reachable_low), min(length + slack, reachable_high)


def searchable_fields(mv: MV) -> tuple[list[str], ...]:
    """The texts search looks at, by field class (TITLE … CAST; COMBO has none of its own)."""
    return (
        [t for t in (mv.title, mv.title_ko) if t],
        list(mv.aliases),
        [],
        [mv.artist],
        [mv.group] if mv.group else [],
        [member.name for member in mv.cast],
    )


def about_texts(mv: MV) -> list[str]:
    """What an entry is about, searched after its names. Never the twist: a search must not
    reveal the ending."""
    texts = [*mv.themes, *mv.content_warnings, *(m.role for m in mv.cast if m.role)]
    texts += [text for text in (mv.universe, mv.album, mv.storyline) if text]
    return texts


class _KeyIndex:
    """Distinct keys, sorted, each with its ranks: exact and prefix lookups by bisection."""

    __slots__ = ("keys", "ranks")

    def __init__(self, ranks_by_key: dict[str, list[int]]) -> None:
        self.keys = sorted(ranks_by_key)
        self.ranks = [ranks_by_key[key] for key in self.keys]

    def exact(self, key: str) -> list[int]:
        at = bisect_left(self.keys, key)
        return self.ranks[at] if at < len(self.keys) and self.keys[at] == key else []

    def extending(self, key: str, *, inclusive: bool = False) -> Iterator[int]:
        """Ranks of the keys that start with ``key`` (and ``key`` itself if ``inclusive``)."""
        low = (bisect_left if inclusive else bisect_right)(self.keys, key)
        high = bisect_left(self.keys, key + _AFTER_ALL, low)
        return chain.from_iterable(self.ranks[low:high])


class _Pool:
    """Distinct strings sorted by length, so a fuzzy pass only scores plausible lengths."""

    __slots__ = ("choices", "lengths")

    def __init__(self, strings: Iterable[str]) -> None:
        self.choices = sorted(sorted(strings), key=len)
        self.lengths = [len(s) for s in self.choices]

    def similar(self, query: str, cutoff: float) -> list[tuple[str, float]]:
        low, high = _length_window(len(query), cutoff)
        start, end = bisect_left(self.lengths, low), bisect_right(self.lengths, high)
        return _similar(query, self.choices[start:end], cutoff)


class _FuzzyChoices:
    """Fuzzy choices split by script: a Latin query is never scored against Hangul, and back.

    Scores across scripts could never reach the cutoff, and wide characters are
    rapidfuzz's slow path, so the split keeps both kinds of query fast.
    """

    __slots__ = ("ascii", "other")

    def __init__(self, strings: Iterable[str]) -> None:
        distinct = set(strings)
        self.ascii = _Pool(s for s in distinct if s.isascii())
        self.other = _Pool(s for s in distinct if not s.isascii())

    def similar(self, query: str, cutoff: float) -> list[tuple[str, float]]:
        return (self.ascii if query.isascii() else self.other).similar(query, cutoff)


class _ByFirstCharacter:
    """Fuzzy choices grouped by their first character, which typos rarely touch.

    Used for whole field keys, the largest pool: a typo in the first letter is still
    found word by word (see ``SearchIndex._fuzzy_every_word``), which has no such limit.
    """

    __slots__ = ("pools",)

    def __init__(self, strings: Iterable[str]) -> None:
        grouped: defaultdict[str, list[str]] = defaultdict(list)
        for string in set(strings):
            grouped[string[:1]].append(string)
        self.pools = {first: _Pool(group) for first, group in grouped.items()}

    def similar(self, query: str, cutoff: float) -> list[tuple[str, float]]:
        pool = self.pools.get(query[:1])
        return pool.similar(query, cutoff) if pool else []


def _similar(query: str, choices: Sequence[str], cutoff: float) -> list[tuple[str, float]]:
    found = process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
    return [(choice, score) for choice, score, _ in found]


class _Haystack:
    """Keys joined into one string, so finding the keys that contain a text is str.find (C)."""

    __slots__ = ("keys", "starts", "text")

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = sorted(keys)
        self.text = "\n".join(self.keys)
        self.starts: list[int] = []
        offset = 0
        for key in self.keys:
            self.starts.append(offset)
            offset += len(key) + 1

    def containing(self, part: str, cap: int) -> list[str]:
        """Keys that contain ``part``, in key order, at most ``cap`` of them."""
        found: list[str] = []
        position = self.text.find(part)
        while position != -1 and len(found) < cap:
            index = bisect_right(self.starts, position) - 1
            found.append(self.keys[index])
            if index + 1 >= len(self.starts):
                break
            position = self.text.find(part, self.starts[index + 1])
        return found


#: Where a match was found, best first: (tier, -score). Tiers: exact key by field class
#: (0-5), key prefix by field class (6-11), every word, mid-word, fuzzy (scored), about.
#: Two indexes' results merge into one ranking by (match key, release order).
MatchKey = tuple[int, float]
_PREFIX_TIER = len(FIELD_CLASSES)
_WORDS_TIER, _CONTAINING_TIER, _FUZZY_TIER, _ABOUT_TIER = range(2 * _PREFIX_TIER, 2 * _PREFIX_TIER + 4)


class _Hits:
    """Ranks in the order found; an entry counts once (at its best tier) and only if allowed."""

    def __init__(self, limit: int, allowed: frozenset[int] | None) -> None:
        self.limit = limit
        self.allowed = allowed
        self.ranks: list[int] = []
        self.keys: list[MatchKey] = []
        self.seen: set[int] = set()

    @property
    def full(self) -> bool:
        return len(self.ranks) >= self.limit

    def add(self, ranks: Iterable[int], tier: int, scores: dict[int, float] | None = None) -> None:
        for rank in ranks:
            if len(self.ranks) >= self.limit:
                return
            if rank in self.seen or (self.allowed is not None and rank not in self.allowed):
                continue
            self.seen.add(rank)
            self.ranks.append(rank)
            self.keys.append((tier, -scores[rank] if scores else 0.0))


class SearchIndex:
    """Keys, words and fuzzy choices of every entry, computed once from the ranked entries."""

    def __init__(self, ranked: Sequence[MV]) -> None:
        self.ranked = ranked
        by_class: dict[int, defaultdict[str, list[int]]] = {
            field_class: defaultdict(list) for field_class in STORED_CLASSES
        }
        by_word: defaultdict[str, list[int]] = defaultdict(list)
        self.entry_words: list[frozenset[str]] = []
        self.entry_titles: list[tuple[str, ...]] = []
        self.entry_acts: list[tuple[str, ...]] = []
        analysed: dict[str, tuple[str, set[str]]] = {}  # names repeat across entries
        for rank, mv in enumerate(ranked):
            words: set[str] = set()
            class_keys: list[list[str]] = []
            for field_class, texts in enumerate(searchable_fields(mv)):
                if not texts:
                    class_keys.append([])
                    continue
                keys = []
                postings = by_class[field_class]
                for text in texts:
                    found = analysed.get(text)
                    if found is None:
                        found = analysed[text] = key_and_words(text)
                    key = found[0]
                    if key:
                        words |= found[1]
                        if key not in keys:
                            keys.append(key)
                            postings[key].append(rank)
                class_keys.append(keys)
            for word in words:
                by_word[word].append(rank)
            self.entry_words.append(frozenset(words))
            self.entry_titles.append(tuple(class_keys[TITLE]))
            self.entry_acts.append(tuple(class_keys[ARTIST] + class_keys[GROUP]))
        self.fields = {field_class: _KeyIndex(by_class[field_class]) for field_class in by_class}
        self.key_ranks = _merge(by_class.values())
        self.act_ranks = _merge([by_class[ARTIST], by_class[GROUP]])
        self.title_ranks: dict[str, list[int]] = by_class[TITLE]
        self.words = _KeyIndex(by_word)
        self.word_ranks: dict[str, list[int]] = by_word
        self.fuzzy_keys = _ByFirstCharacter(self.key_ranks)
        self.fuzzy_words = _FuzzyChoices(by_word)
        self.haystacks = (
            _Haystack(key for key in self.key_ranks if key.isascii()),
            _Haystack(key for key in self.key_ranks if not key.isascii()),
        )

    def rank(self, query: str, limit: int, allowed: frozenset[int] | None = None) -> list[int]:
        """Ranks of the best ``limit`` matches, best first (only ranks in ``allowed``, if given)."""
        return self._hits(query, limit, allowed).ranks

    def rank_keyed(self, query: str, limit: int, allowed: frozenset[int] | None = None) -> list[tuple[MatchKey, int]]:
        """:meth:`rank` with each match's :data:`MatchKey`, to merge with another index's."""
        hits = self._hits(query, limit, allowed)
        return list(zip(hits.keys, hits.ranks, strict=True))

    def _hits(self, query: str, limit: int, allowed: frozenset[int] | None) -> _Hits:
        query = query[:MAX_QUERY]
        key = matching_key(query)
        hits = _Hits(limit, allowed)
        if not key or limit <= 0:
            return hits
        combined_exact, combined_prefix = self._combined(key)
        for field_class in FIELD_CLASSES:
            if field_class == COMBO:
                hits.add(sorted(combined_exact), field_class)
            else:
                hits.add(self.fields[field_class].exact(key), field_class)
        for field_class in FIELD_CLASSES:
            if hits.full:
                return hits
            tier = _PREFIX_TIER + field_class
            if field_class == COMBO:
                hits.add(sorted(combined_prefix), tier)
            else:
                hits.add(sorted(self.fields[field_class].extending(key)), tier)
        words = query_words(query) or [key]
        if not hits.full:
            hits.add(sorted(self._with_every_word(words)), _WORDS_TIER)
        if not hits.full and len(key) >= _SUBSTRING_MIN:
            hits.add(sorted(self._containing(key)), _CONTAINING_TIER)
        if not hits.full and len(key) >= _MIN_FUZZY:
            scores = self._fuzzy(key, words, hits.seen)
            hits.add(scores, _FUZZY_TIER, scores)
        if not hits.full:
            hits.add(sorted(self._about(words)), _ABOUT_TIER)
        return hits

    def _combined(self, key: str) -> tuple[set[int], set[int]]:
        """Entries named by an act and a title (or a group and its member) in one query.

        Each way of cutting the key in two is tried: an act followed by one of its titles
        or its group/member ("vixxerror", "blackpinkrose"), or a title followed by its act
        ("errorvixx"). Returns the entries where the second part is whole, and where it is
        only begun ("btsru").
        """
        exact: set[int] = set()
        begun: set[int] = set()
        for cut in range(1, len(key)):
            head, rest = key[:cut], key[cut:]
            for rank in self.act_ranks.get(head, ()):
                _sort_match(rank, rest, self.entry_titles[rank] + self.entry_acts[rank], exact, begun)
            for rank in self.title_ranks.get(head, ()):
                _sort_match(rank, rest, self.entry_acts[rank], exact, begun)
        return exact, begun - exact

    def _word_prefix_ranks(self, word: str) -> set[int]:
        return set(self.words.extending(word, inclusive=True))

    def _with_every_word(self, words: list[str]) -> set[int]:
        """Entries where each query word starts some word of a title, name, alias or cast."""
        candidates: set[int] | None = None
        for word in sorted(words, key=len, reverse=True):  # long words narrow down fastest
            ranks = self._word_prefix_ranks(word)
            candidates = ranks if candidates is None else candidates & ranks
            if not candidates:
                return set()
        return candidates or set()

    def _containing(self, key: str) -> set[int]:
        """Entries with a field key containing ``key`` anywhere (scan capped for speed)."""
        haystack = self.haystacks[0 if key.isascii() else 1]
        found: set[int] = set()
        for container in haystack.containing(key, _SUBSTRING_SCAN_CAP):
            found.update(self.key_ranks[container])
        return found

    def _fuzzy(self, key: str, words: list[str], exclude: set[int]) -> dict[int, float]:
        """Typo-tolerant matches and their scores, most similar first: the whole query, or
        word by word."""
        best: dict[int, float] = {}
        for choice, score in self.fuzzy_keys.similar(key, _fuzzy_cutoff(len(key))):
            for rank in self.key_ranks[choice]:
                if score > best.get(rank, 0.0):
                    best[rank] = score
        for rank, score in self._fuzzy_every_word(words).items():
            if score > best.get(rank, 0.0):
                best[rank] = score
        ordered = sorted((-round(score, 1), rank) for rank, score in best.items())
        return {rank: -score for score, rank in ordered if rank not in exclude}

    def _fuzzy_every_word(self, words: list[str]) -> dict[int, float]:
        """Entries where every query word is close to, or starts, one of their words.

        The longest word is matched against the whole vocabulary; each other word only
        against the words of the entries still in the running, which keeps a long query
        as fast as a short one. The score is the mean of the words' best scores.
        """
        ordered = sorted(words, key=len, reverse=True)
        totals = self._word_scores(ordered[0], among=None)
        for word in ordered[1:]:
            if not totals:
                return {}
            scores = self._word_scores(word, among=totals)
            totals = {rank: totals[rank] + score for rank, score in scores.items()}
        return {rank: total / len(ordered) for rank, total in totals.items()}

    def _word_scores(self, word: str, among: dict[int, float] | None) -> dict[int, float]:
        """Entry → best score of ``word`` against the entry's words (100 when one starts so)."""
        prefixed = self._word_prefix_ranks(word)
        if among is not None:
            prefixed &= among.keys()
        scores = dict.fromkeys(prefixed, 100.0)
        if len(word) < _MIN_FUZZY:
            return scores
        cutoff = _fuzzy_cutoff(len(word)) - (0 if among is None else _IN_CONTEXT_RELIEF)
        if among is not None and len(among) <= _NARROW_CANDIDATES:
            vocabulary = set().union(*(self.entry_words[rank] for rank in among))
            low, high = _length_window(len(word), cutoff)
            similar = _similar(word, [w for w in vocabulary if low <= len(w) <= high], cutoff)
        else:
            similar = self.fuzzy_words.similar(word, cutoff)
        for choice, score in similar:
            for rank in self.word_ranks[choice]:
                if (among is None or rank in among) and score > scores.get(rank, 0.0):
                    scores[rank] = score
        return scores

    @cached_property
    def about_words(self) -> _KeyIndex:
        """Words of each entry's :func:`about_texts`; built on first use, since most queries
        are answered by names alone and this is the largest index."""
        by_word: defaultdict[str, list[int]] = defaultdict(list)
        for rank, mv in enumerate(self.ranked):
            words: set[str] = set()
            for text in about_texts(mv):
                words |= key_and_words(text)[1]
            for word in words:
                if len(word) >= _ABOUT_WORD_MIN and word not in ABOUT_STOPWORDS:
                    by_word[word].append(rank)
        return _KeyIndex(by_word)

    def _about(self, words: list[str]) -> set[int]:
        """Entries where every meaningful query word starts one of their name words or is (or,
        from four letters, starts) a word of what they are about: "vixx cyborg", "heist"."""
        meaningful = [word for word in words if word not in ABOUT_STOPWORDS]
        candidates: set[int] | None = None
        for word in sorted(meaningful, key=len, reverse=True):
            if len(word) >= _ABOUT_PREFIX_MIN:
                about = set(self.about_words.extending(word, inclusive=True))
            else:
                about = set(self.about_words.exact(word))
            ranks = about | self._word_prefix_ranks(word)
            candidates = ranks if candidates is None else candidates & ranks
            if not candidates:
                return set()
        return candidates or set()

    @cached_property
    def _suggest_choices(self) -> list[str]:
        return sorted(self.key_ranks)

    def suggest(self, query: str, limit: int) -> list[int]:
        """Loosely similar entries (rapidfuzz WRatio), for a "did you mean" line."""
        return [rank for _, rank in self.suggest_scored(query, limit)]

    def suggest_scored(self, query: str, limit: int) -> list[tuple[float, int]]:
        """:meth:`suggest` with each entry's score (0-100), to merge with another index's."""
        key = matching_key(query[:MAX_QUERY])
        if not key or limit <= 0:
            return []
        found = process.extract(
            key,
            self._suggest_choices,
            scorer=fuzz.WRatio,
            score_cutoff=_SUGGEST_CUTOFF,
            limit=limit * 10,
        )
        best: dict[int, float] = {}
        for choice, score, _ in found:
            for rank in self.key_ranks[choice]:
                best[rank] = max(best.get(rank, 0.0), score)
        ordered = sorted((-round(score, 1), rank) for rank, score in best.items())
        return [(-score, rank) for score, rank in ordered[:limit]]


def _sort_match(rank: int, part: str, keys: Iterable[str], whole: set[int], begun: set[int]) -> None:
    """Put ``rank`` in ``whole`` if ``part`` is one of ``keys``, in ``begun`` if one starts so."""
    for key in keys:
        if key == part:
            whole.add(rank)
            return
        if key.startswith(part):
            begun.add(rank)


def _merge(postings: Iterable[dict[str, list[int]]]) -> dict[str, list[int]]:
    """Key → ranks over several field classes, each rank once, in order."""
    merged: dict[str, list[int]] = {}
    for by_key in postings:
        for key, ranks in by_key.items():
            merged[key] = sorted(set(merged[key]).union(ranks)) if key in merged else ranks
    return merged
