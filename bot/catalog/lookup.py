"""The loaded catalog: lookups, filters and search over validated MVs, immutable once built."""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.catalog.index import ALIAS, MAX_QUERY, TITLE, MatchKey, SearchIndex
from bot.catalog.model import MV, CatalogError, release_order
from bot.catalog.text import matching_key, normalize
from bot.catalog.validation import read_entries
from bot.paths import CATALOG_PATH

log = logging.getLogger(__name__)


def parse_catalog(text: str, *, source: str = "<string>") -> Catalog:
    """Parse and validate catalog TOML; every problem found is reported in one CatalogError."""
    return Catalog(read_entries(text, source=source))


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read, validate and index the catalog file (once, at start)."""
    started = time.perf_counter()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CatalogError(f"{path}: cannot read the catalog: {reason}") from None
    with cyclic_gc_paused():
        catalog = parse_catalog(text, source=str(path))
    elapsed_ms = (time.perf_counter() - started) * 1000
    log.info("loaded %d MVs from %s in %.0f ms", len(catalog), path, elapsed_ms)
    return catalog


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Loading creates a few hundred thousand long-lived objects and no cycles; the cyclic
    collector would only rescan them again and again (about 10% of the load time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Catalog:
    """The MVs in file order, with lookups, filters and search.

    Build it with :func:`parse_catalog` or :func:`load_catalog`, which validate; the
    constructor trusts its entries apart from refusing duplicate ids.
    """

    def __init__(self, entries: Iterable[MV]) -> None:
        self.entries: tuple[MV, ...] = tuple(entries)
        self._by_id: dict[str, MV] = {}
        for mv in self.entries:
            if mv.id in self._by_id:
                raise CatalogError(f"entry {mv.id!r}: field 'id': duplicate id")
            self._by_id[mv.id] = mv
        self._ranked: tuple[MV, ...] = tuple(sorted(self.entries, key=release_order))
        self._rank_of = {mv.id: rank for rank, mv in enumerate(self._ranked)}
        self._index = SearchIndex(self._ranked)
        known_keys: dict[str, str] = {}  # acts and themes repeat: normalise each once
        self._facets = [_Facets.of(mv, known_keys) for mv in self._ranked]
        self._universes: dict[str, list[MV]] = defaultdict(list)
        for mv in self._ranked:
            if mv.universe is not None:
                self._universes[matching_key(mv.universe)].append(mv)
        for members in self._universes.values():
            members.sort(key=lambda member: member.universe_order or 0)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, mv_id: str) -> MV | None:
        return self._by_id.get(mv_id)

    def search(
        self,
        query: str,
        *,
        artist: str | None = None,
        theme: str | None = None,
        year: int | None = None,
        universe: str | None = None,
        limit: int = 25,
    ) -> list[MV]:
        """Best matches first, within the filters; an empty query lists the filtered entries
        in release order."""
        if limit <= 0:
            return []
        chosen = None
        if any(value is not None for value in (artist, theme, year, universe)):
            chosen = self.filter(artist=artist, theme=theme, year=year, universe=universe)
        if not matching_key(query[:MAX_QUERY]):
            return list(chosen if chosen is not None else self._ranked)[:limit]
        allowed = None if chosen is None else frozenset(self._rank_of[mv.id] for mv in chosen)
        return self._entries_at(self._index.rank(query, limit, allowed))

    def ranked_matches(
        self, query: str, limit: int = 25, chosen: Iterable[MV] | None = None
    ) -> list[tuple[MatchKey, MV]]:
        """The best ``limit`` matches of a non-empty query with their match keys (only among
        ``chosen``, if given), so a server's results can be ranked in among these."""
        if limit <= 0:
            return []
        allowed = None if chosen is None else frozenset(self._rank_of[mv.id] for mv in chosen)
        return [(key, self._ranked[rank]) for key, rank in self._index.rank_keyed(query, limit, allowed)]

    def filter(
        self,
        *,
        artist: str | None = None,
        theme: str | None = None,
        year: int | None = None,
        universe: str | None = None,
    ) -> list[MV]:
        """Entries matching every given filter, in release order.

        Compared normalised ("Sci-Fi" = "sci-fi"): ``artist`` is the credited act or its
        group (a group brings its members' solo MVs), ``theme`` one of the entry's themes,
        ``universe`` the universe's name or a part of it ("bangtan universe").
        """
        wanted = _Facets.wanted(artist, theme, universe)
        return [
            mv
            for mv, facets in zip(self._ranked, self._facets, strict=True)
            if facets.match(*wanted) and (year is None or mv.year == year)
        ]

    def autocomplete(self, query: str, limit: int = 25) -> list[MV]:
        """The best ``limit`` matches for Discord autocomplete; an empty query gives the first
        ``limit`` entries of the file."""
        if limit <= 0:
            return []
        if not matching_key(query[:MAX_QUERY]):
            return list(self.entries[:limit])
        return self._entries_at(self._index.rank(query, limit))

    def suggestions(self, query: str, limit: int = 3) -> list[MV]:
        """The closest entries by loose similarity, for a "no result — did you mean…" reply."""
        return self._entries_at(self._index.suggest(query, limit))

    def scored_suggestions(self, query: str, limit: int = 3) -> list[tuple[float, MV]]:
        """:meth:`suggestions` with their similarity (0-100)."""
        return [(score, self._ranked[rank]) for score, rank in self._index.suggest_scored(query, limit)]

    def named(self, text: str) -> MV | None:
        """The entry with this id or this exact "Title — Artist (year)" (any case)."""
        return self._by_id.get(text) or self._by_display_name.get(text.casefold())

    @cached_property
    def _by_display_name(self) -> dict[str, MV]:
        return {mv.display_name.casefold(): mv for mv in reversed(self.entries)}

    def entries_named(self, key: str) -> list[MV]:
        """Entries whose title, Hangul title or an alias has this matching key."""
        fields = self._index.fields
        return self._entries_at(sorted({*fields[TITLE].exact(key), *fields[ALIAS].exact(key)}))

    def prepare_about_search(self) -> None:
        """Build the index of what entries are about (storylines, themes, roles) now, rather
        than on the first query that reaches it; a fraction of a second for 10,000 entries."""
        _ = self._index.about_words

    def artists(self) -> list[str]:
        """Every credited act and every group (both work as an artist filter), sorted caselessly."""
        names: dict[str, str] = {}
        for mv in self._ranked:
            for name in (mv.artist, mv.group):
                if name:
                    names.setdefault(matching_key(name), name)
        return sorted(names.values(), key=lambda name: (matching_key(name), name))

    @cached_property
    def _artist_keys(self) -> tuple[tuple[str, str], ...]:
        """(normalised name, name) of every artist, built once on first use: autocomplete
        answers every keystroke, and normalising every name each time costs ~15 ms."""
        return tuple((normalize(name), name) for name in self.artists())

    def artist_keys(self) -> tuple[tuple[str, str], ...]:
        """(normalised name, name) of every act and group, in :meth:`artists` order."""
        return self._artist_keys

    def artist_named(self, name: str) -> str | None:
        """The catalog's spelling of an act or group typed any way ("rose" finds "ROSÉ")."""
        key = normalize(name)
        return next((known for known_key, known in self._artist_keys if known_key == key), None)

    def artists_matching(self, query: str, limit: int = 25) -> list[str]:
        """Autocomplete for artists: names starting with the query, then names containing it."""
        key = normalize(query)
        starts = [name for known, name in self._artist_keys if known.startswith(key)]
        contains = [name for known, name in self._artist_keys if key in known and not known.startswith(key)]
        return (starts + contains)[:limit]

    def by_artist(self, name: str) -> list[MV]:
        """The act's MVs, or a group's including its members' solo MVs, in release order."""
        return self.filter(artist=name)

    def themes_with_counts(self) -> list[tuple[str, int]]:
        """The themes in use and how many entries carry each, most used first."""
        return list(self._theme_counts)

    @cached_property
    def _theme_counts(self) -> tuple[tuple[str, int], ...]:
        """Counted once on first use: theme autocomplete asks on every keystroke (~5 ms a count)."""
        counts = Counter(theme for mv in self.entries for theme in mv.themes)
        return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def universes(self) -> list[tuple[str, list[MV]]]:
        """Each universe's name with its entries in story order."""
        return [(members[0].universe or "", list(members)) for members in self._universes.values()]

    def universe_neighbours(self, mv: MV) -> tuple[MV | None, MV | None]:
        """The previous and next entries of ``mv``'s universe (None at an end, or outside one)."""
        members = self._universes.get(matching_key(mv.universe), []) if mv.universe else []
        ids = [member.id for member in members]
        if mv.id not in ids:
            return None, None
        position = ids.index(mv.id)
        before = members[position - 1] if position > 0 else None
        after = members[position + 1] if position + 1 < len(members) else None
        return before, after

    def with_storyline(self) -> list[MV]:
        """Entries that have a storyline, in file order."""
        return [mv for mv in self.entries if mv.storyline]

    def _entries_at(self, ranks: list[int]) -> list[MV]:
        return [self._ranked[rank] for rank in ranks]


@dataclass(frozen=True, slots=True)
class _Facets:
    """What the filters compare, normalised once per entry."""

    acts: frozenset[str]
    themes: frozenset[str]
    universe: str | None

    @classmethod
    def of(cls, mv: MV, known_keys: dict[str, str]) -> _Facets:
        def key(text: str) -> str:
            if text not in known_keys:
                known_keys[text] = matching_key(text)
            return known_keys[text]

        acts = frozenset(key(act) for act in (mv.artist, mv.group) if act)
        themes = frozenset(key(theme) for theme in mv.themes)
        return cls(acts, themes, key(mv.universe) if mv.universe else None)

    @staticmethod
    def wanted(*values: str | None) -> tuple[str | None, ...]:
        """Filter values as keys; None where no filter is asked for."""
        return tuple(None if value is None else matching_key(value) for value in values)

    def match(self, artist: str | None, theme: str | None, universe: str | None) -> bool:
        """A blank filter ("", "!!") matches nothing rather than everything."""
        return (
            (artist is None or artist in self.acts)
            and (theme is None or theme in self.themes)
            and (universe is None or (bool(universe) and universe in (self.universe or "")))
        )
