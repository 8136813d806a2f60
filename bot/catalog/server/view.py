"""One guild's catalog: the built-in catalog plus that guild's own entries, queried as one.

The built-in :class:`~bot.catalog.Catalog` (10,000 entries) is indexed once per process and
shared by every guild; a guild's own entries get a small index of their own, and every query
asks both and merges: ranked results by where they matched (exact title before a prefix
before a typo …, see :data:`bot.catalog.index.MatchKey`), then release order — the order one
index holding both would give. A guild without entries answers from the built-in catalog
directly. The methods and their meaning are :class:`~bot.catalog.Catalog`'s, so the /mv and
/poll cogs call a view where they called the catalog.
"""

from __future__ import annotations

import heapq
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property
from itertools import islice

from bot.catalog.index import MAX_QUERY, MatchKey
from bot.catalog.lookup import Catalog
from bot.catalog.model import MV, release_order
from bot.catalog.problems import Problem
from bot.catalog.server.entries import EntryKeys, is_server_id
from bot.catalog.text import matching_key, normalize
from bot.catalog.validation import youtube_video_id
from bot.i18n import _

#: An empty query's autocomplete shows this many of the guild's newest entries first.
NEWEST_FIRST = 5
_EMPTY = Catalog(())


class GuildCatalog:
    """Built-in entries and one guild's own, immutable; rebuilt when the guild's entries change."""

    def __init__(
        self, builtin: Catalog, own: Iterable[MV] = (), *, guild_id: int | None = None, version: int = 0
    ) -> None:
        self.builtin = builtin
        self.guild_id = guild_id
        #: The guild's entries_version this view was built from.
        self.version = version
        own = tuple(own)
        self.own: Catalog = Catalog(own) if own else _EMPTY

    # -- sizes and ids -----------------------------------------------------------------------

    @property
    def has_own(self) -> bool:
        return len(self.own) > 0

    def __len__(self) -> int:
        return len(self.builtin) + len(self.own)

    @cached_property
    def entries(self) -> tuple[MV, ...]:
        """Built-in entries in file order, then the guild's in the order they were added."""
        return self.builtin.entries + self.own.entries if self.has_own else self.builtin.entries

    def get(self, mv_id: str) -> MV | None:
        return self.own.get(mv_id) if is_server_id(mv_id) else self.builtin.get(mv_id)

    def named(self, text: str) -> MV | None:
        """The entry with this id or exact "Title — Artist (year)"."""
        text = text.strip()
        return self.get(text) or self.builtin.named(text) or self.own.named(text)

    def find(self, text: str) -> MV | None:
        """What `/mv show` means by `text`: an id (autocomplete's value), a full display name,
        else the best match."""
        found = self.named(text)
        if found is not None:
            return found
        best = self.search(text, limit=1)
        return best[0] if best else None

    # -- search ------------------------------------------------------------------------------

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
        """:meth:`Catalog.search` over both: best matches first, within the filters."""
        if not self.has_own:
            return self.builtin.search(query, artist=artist, theme=theme, year=year, universe=universe, limit=limit)
        if limit <= 0:
            return []
        if not matching_key(query[:MAX_QUERY]):
            builtin = self.builtin.search("", artist=artist, theme=theme, year=year, universe=universe, limit=limit)
            own = self.own.search("", artist=artist, theme=theme, year=year, universe=universe, limit=limit)
            return list(islice(heapq.merge(builtin, own, key=release_order), limit))
        chosen_builtin = chosen_own = None
        if any(value is not None for value in (artist, theme, year, universe)):
            chosen_builtin = self.builtin.filter(artist=artist, theme=theme, year=year, universe=universe)
            chosen_own = self.own.filter(artist=artist, theme=theme, year=year, universe=universe)
        return _merge_ranked(
            self.builtin.ranked_matches(query, limit, chosen_builtin),
            self.own.ranked_matches(query, limit, chosen_own),
            limit,
        )

    def autocomplete(self, query: str, limit: int = 25) -> list[MV]:
        """The best ``limit`` matches; an empty query gives the guild's newest entries, then the
        first built-in ones."""
        if not self.has_own:
            return self.builtin.autocomplete(query, limit)
        if limit <= 0:
            return []
        if not matching_key(query[:MAX_QUERY]):
            newest = list(reversed(self.own.entries[-min(NEWEST_FIRST, limit) :]))
            return newest + self.builtin.autocomplete("", limit - len(newest))
        return _merge_ranked(self.builtin.ranked_matches(query, limit), self.own.ranked_matches(query, limit), limit)

    def suggestions(self, query: str, limit: int = 3) -> list[MV]:
        if not self.has_own:
            return self.builtin.suggestions(query, limit)
        scored = self.builtin.scored_suggestions(query, limit) + self.own.scored_suggestions(query, limit)
        scored.sort(key=lambda item: (-item[0], release_order(item[1])))
        return [mv for _, mv in scored[:limit]]

    def prepare_about_search(self) -> None:
        self.builtin.prepare_about_search()
        self.own.prepare_about_search()

    # -- filters -----------------------------------------------------------------------------

    def filter(
        self,
        *,
        artist: str | None = None,
        theme: str | None = None,
        year: int | None = None,
        universe: str | None = None,
    ) -> list[MV]:
        """Entries matching every given filter, in release order (:meth:`Catalog.filter`)."""
        builtin = self.builtin.filter(artist=artist, theme=theme, year=year, universe=universe)
        if not self.has_own:
            return builtin
        own = self.own.filter(artist=artist, theme=theme, year=year, universe=universe)
        return list(heapq.merge(builtin, own, key=release_order)) if own else builtin

    def by_artist(self, name: str) -> list[MV]:
        return self.filter(artist=name)

    def with_storyline(self) -> list[MV]:
        """Entries with a storyline: built-in ones in file order, then the guild's."""
        return self.builtin.with_storyline() + self.own.with_storyline()

    # -- artists, themes, universes -------------------------------------------------------------

    def artists(self) -> list[str]:
        return [name for _, name in self.artist_keys()]

    def artist_keys(self) -> tuple[tuple[str, str], ...]:
        return self._artist_keys if self.has_own else self.builtin.artist_keys()

    @cached_property
    def _artist_keys(self) -> tuple[tuple[str, str], ...]:
        known = {key for key, _ in self.builtin.artist_keys()}
        extra = [(key, name) for key, name in self.own.artist_keys() if key not in known]
        if not extra:
            return self.builtin.artist_keys()
        return tuple(sorted((*self.builtin.artist_keys(), *extra), key=lambda item: (matching_key(item[1]), item[1])))

    def artist_named(self, name: str) -> str | None:
        return self.builtin.artist_named(name) or self.own.artist_named(name)

    def artists_matching(self, query: str, limit: int = 25) -> list[str]:
        if not self.has_own:
            return self.builtin.artists_matching(query, limit)
        key = normalize(query)
        keys = self._artist_keys
        starts = [name for known, name in keys if known.startswith(key)]
        if len(starts) >= limit:
            return starts[:limit]
        contains = [name for known, name in keys if key in known and not known.startswith(key)]
        return (starts + contains)[:limit]

    def themes_with_counts(self) -> list[tuple[str, int]]:
        return list(self._theme_counts) if self.has_own else self.builtin.themes_with_counts()

    @cached_property
    def _theme_counts(self) -> tuple[tuple[str, int], ...]:
        counts = Counter(dict(self.builtin.themes_with_counts()))
        counts.update(dict(self.own.themes_with_counts()))
        return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def universes(self) -> list[tuple[str, list[MV]]]:
        """Each universe's name with its entries in story order; a guild's entry may continue
        a built-in universe."""
        if not self.has_own:
            return self.builtin.universes()
        return [(name, list(members)) for name, members in self._universes.values()]

    @cached_property
    def _universes(self) -> dict[str, tuple[str, list[MV]]]:
        merged: dict[str, tuple[str, list[MV]]] = {}
        for name, members in (*self.builtin.universes(), *self.own.universes()):
            key = matching_key(name)
            if key in merged:
                merged[key][1].extend(members)
            else:
                merged[key] = (name, list(members))
        for _name, members in merged.values():
            members.sort(key=lambda member: member.universe_order or 0)
        return merged

    def universe_neighbours(self, mv: MV) -> tuple[MV | None, MV | None]:
        if not self.has_own:
            return self.builtin.universe_neighbours(mv)
        members = self._universes.get(matching_key(mv.universe), ("", []))[1] if mv.universe else []
        ids = [member.id for member in members]
        if mv.id not in ids:
            return None, None
        position = ids.index(mv.id)
        before = members[position - 1] if position > 0 else None
        after = members[position + 1] if position + 1 < len(members) else None
        return before, after

    # -- what a new or edited entry must not clash with ---------------------------------------------

    def entries_named(self, key: str) -> list[MV]:
        return self.builtin.entries_named(key) + self.own.entries_named(key)

    def with_video(self, video_id: str) -> MV | None:
        return self._own_videos.get(video_id) or _builtin_videos(self.builtin).get(video_id)

    @cached_property
    def _own_videos(self) -> dict[str, MV]:
        return _videos(self.own.entries)

    def duplicate_of(self, mv: MV, *, ignore: str | None = None) -> MV | None:
        """An entry that is the same MV: same title (or Hangul title, or an alias) by the same
        artist, or the same YouTube video. ``ignore`` is the entry being edited."""
        keys = EntryKeys.of(mv)
        if keys.youtube_id:
            same_video = self.with_video(keys.youtube_id)
            if same_video is not None and same_video.id != ignore:
                return same_video
        for title in filter(None, (mv.title, mv.title_ko)):
            for other in self.entries_named(matching_key(title)):
                if other.id != ignore and keys.artist in {
                    matching_key(act) for act in (other.artist, other.group) if act
                }:
                    return other
        return None

    def conflicts(self, mv: MV, *, ignore: str | None = None) -> list[Problem]:
        """The catalog's rules across entries, for one entry: an alias leads to one entry, and a
        universe is spelt one way with one entry per place in its order."""
        problems: list[Problem] = []
        for alias in mv.aliases:
            others = [other for other in self.entries_named(matching_key(alias)) if other.id != ignore]
            if others:
                message = _("alias {alias} already finds {other}", alias=repr(alias), other=others[0].display_name)
                problems.append(Problem(message, "aliases"))
        if mv.universe and mv.universe_order is not None:
            members = self._universe_members(mv.universe)
            spelt = next((other.universe for other in members if other.id != ignore), None)
            if spelt is not None and spelt != mv.universe:
                message = _(
                    "{universe} is spelt {spelling} in this catalog", universe=repr(mv.universe), spelling=repr(spelt)
                )
                problems.append(Problem(message, "universe"))
            holder = next((o for o in members if o.id != ignore and o.universe_order == mv.universe_order), None)
            if holder is not None:
                message = _(
                    "{universe} already has order {order} ({other})",
                    universe=repr(spelt or mv.universe),
                    order=mv.universe_order,
                    other=holder.display_name,
                )
                problems.append(Problem(message, "universe_order"))
        return problems

    def _universe_members(self, universe: str) -> Sequence[MV]:
        key = matching_key(universe)
        return [
            member
            for name, members in (*self.builtin.universes(), *self.own.universes())
            if matching_key(name) == key
            for member in members
        ]


def _merge_ranked(builtin: list[tuple[MatchKey, MV]], own: list[tuple[MatchKey, MV]], limit: int) -> list[MV]:
    """Two indexes' best matches as one ranking: where each matched, then release order.

    Each list is already in that order, so this is a merge of two sorted lists; release order
    is only worked out where two heads matched alike.
    """
    if not own:
        return [mv for _, mv in builtin[:limit]]
    if not builtin:
        return [mv for _, mv in own[:limit]]
    merged: list[MV] = []
    i = j = 0
    while len(merged) < limit:
        if i == len(builtin):
            merged.extend(mv for _, mv in own[j : j + limit - len(merged)])
            break
        if j == len(own):
            merged.extend(mv for _, mv in builtin[i : i + limit - len(merged)])
            break
        (left_key, left), (right_key, right) = builtin[i], own[j]
        if left_key < right_key or (left_key == right_key and _released_before(left, right)):
            merged.append(left)
            i += 1
        else:
            merged.append(right)
            j += 1
    return merged


def _released_before(left: MV, right: MV) -> bool:
    """``release_order(left) <= release_order(right)``, mostly without building either key."""
    if left.year != right.year:
        return left.year < right.year
    if left.release_date != right.release_date:
        if left.release_date is None or right.release_date is None:
            return right.release_date is None
        return left.release_date < right.release_date
    return release_order(left) <= release_order(right)


def _videos(entries: Iterable[MV]) -> dict[str, MV]:
    found: dict[str, MV] = {}
    for mv in entries:
        video = youtube_video_id(mv.youtube_url) if mv.youtube_url else None
        if video:
            found.setdefault(video, mv)
    return found


_BUILTIN_VIDEOS: weakref.WeakKeyDictionary[Catalog, dict[str, MV]] = weakref.WeakKeyDictionary()


def _builtin_videos(catalog: Catalog) -> dict[str, MV]:
    """The built-in catalog's video ids, found once per catalog and shared by every guild."""
    videos = _BUILTIN_VIDEOS.get(catalog)
    if videos is None:
        videos = _BUILTIN_VIDEOS[catalog] = _videos(catalog.entries)
    return videos
