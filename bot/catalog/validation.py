"""Validation of the catalog TOML: every mistake, named by entry and field, in one error.

The catalog is edited by hand and reviewed like code, so the loader is strict: unknown
fields, unknown themes or warnings, wrong types, bad slugs and dates, aliases that would
find two entries, clashing universe orders and twist words in plain sight (cast roles,
storyline: :mod:`bot.catalog.spoilers`) all stop the load with a message a
contributor can act on (``entry 'vixx-error': field 'themes': unknown theme 'scifi' …``).
All problems are collected, so one run of ``python -m bot.catalog check`` lists them all.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from types import ModuleType
from typing import Any

from bot.catalog.model import MV, THEMES, WARNINGS, CastMember, CatalogError
from bot.catalog.problems import Problem, entry_id_label, entry_label
from bot.catalog.spoilers import spoiler_problems
from bot.catalog.text import fold, matching_key
from bot.i18n import Msg, Text, _
from bot.text import truncate

FIELDS = (
    "id", "title", "title_ko", "artist", "group", "year", "release_date", "album", "cast",
    "themes", "universe", "universe_order", "storyline", "twist", "content_warnings",
    "mature", "aliases", "sources", "youtube_url",
)  # fmt: skip
_FIELD_SET = frozenset(FIELDS)
CAST_FIELDS = ("name", "role")
YEARS = (1900, 2100)
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEED_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.txt")
_URL = re.compile(r"https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?(?:[/?#]\S*)?")
_YOUTUBE_LINK = re.compile(
    r"(?:https?://)?(?:(?:www\.|m\.|music\.)?youtube\.com/"
    r"watch\?(?:\S*?&)?v=|youtu\.be/)"
    r"(?P<id>[A-Za-z0-9_-]{11})(?:[&?#/]\S*)?",
    re.IGNORECASE,
)
YOUTUBE_WATCH_URL = "https://www.youtube.com/watch?v="
_FEATURING = re.compile(r"\s*[(\[](?:feat|ft|with|prod)\b[^)\]]*[)\]]", re.IGNORECASE)
_DROPPED_FROM_IDS = str.maketrans("", "", "'’‘\".()[]{}")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
ID_LENGTH = 60
_MAX_PROBLEMS_SHOWN = 30


@dataclass(frozen=True, slots=True)
class EntryRules:
    """What one entry must have. The built-in catalog is curated and reviewed, so it needs
    everything; a server's own entries need only enough to be found and shown."""

    generate_id: bool  # a missing id becomes make_id(artist, title)
    year_from_date: bool  # a release_date alone gives the year
    themes_required: bool
    cited_sources: bool  # at least one source, each a seed file name or a URL


CATALOG_RULES = EntryRules(generate_id=False, year_from_date=False, themes_required=True, cited_sources=True)
SERVER_RULES = EntryRules(generate_id=True, year_from_date=True, themes_required=False, cited_sources=False)


def make_id(artist: str, title: str) -> str:
    """A slug in the catalog's ``artist-title`` style (``K.Will`` + ``Please Don't...`` →
    ``kwill-please-dont``), so generated ids read like hand-written ones."""
    parts = (_slug_part(artist), _slug_part(_FEATURING.sub("", title)))
    return "-".join(part for part in parts if part)[:ID_LENGTH].strip("-") or "mv"


def _slug_part(text: str) -> str:
    return _NOT_SLUG.sub("-", fold(text).translate(_DROPPED_FROM_IDS)).strip("-")


def youtube_video_id(url: str) -> str | None:
    """The video id of a youtube.com, music.youtube.com or youtu.be link; None for anything else."""
    match = _YOUTUBE_LINK.fullmatch(url.strip())
    return match["id"] if match else None


def _toml_module() -> ModuleType:
    """tomli when installed (the stdlib's tomllib, compiled: ~3x faster), else tomllib."""
    try:
        return importlib.import_module("tomli")
    except ModuleNotFoundError:
        return importlib.import_module("tomllib")


toml_parser = _toml_module()


def read_entries(text: str, *, source: str = "<string>", rules: EntryRules = CATALOG_RULES) -> list[MV]:
    """The valid entries of catalog TOML in file order, or a CatalogError listing every problem."""
    try:
        document = toml_parser.loads(text)
    except toml_parser.TOMLDecodeError as error:
        raise CatalogError(f"{source}: not valid TOML: {error}") from None
    problems = [
        Problem(_("unknown top-level key {key} (entries are [[mv]] tables)", key=repr(key)))
        for key in document
        if key != "mv"
    ]
    raw_entries = document.get("mv")
    if not isinstance(raw_entries, list) or not raw_entries:
        if raw_entries is None:
            problems.append(Problem(_("no entries: expected [[mv]] tables")))
        else:
            got = _describe(raw_entries)
            problems.append(Problem(_("no entries: expected [[mv]] tables, got {got}", got=got)))
        raise _catalog_error(problems, source)
    numbered: list[tuple[int, MV]] = []
    for number, raw in enumerate(raw_entries, start=1):
        mv, entry_problems = validate_entry(raw, number, rules=rules)
        problems.extend(entry_problems)
        if mv is not None:
            numbered.append((number, mv))
    entries = [mv for _, mv in numbered]
    problems += _check_unique_ids(numbered) + _check_aliases(entries) + _check_universes(entries)
    if problems:
        raise _catalog_error(problems, source)
    return entries


def _catalog_error(found: list[Problem], source: str) -> CatalogError:
    """The built-in catalog's problems, for its maintainers (the log, ``python -m bot.catalog
    check``): in English, the language outside any reply."""
    problems = [str(problem) for problem in found]
    if len(problems) == 1:
        return CatalogError(f"{source}: {problems[0]}", problems)
    shown = problems[:_MAX_PROBLEMS_SHOWN]
    lines = [f"{source}: {len(problems)} problems:"] + [f"  - {p}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"  … and {len(problems) - len(shown)} more")
    return CatalogError("\n".join(lines), problems)


# --------------------------------------------------------------------------- one entry


def _toml_type(value: object) -> str:
    names: list[tuple[type, str]] = [
        (bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"),
        (list, "array"), (dict, "table"), (datetime, "datetime"), (date, "date"),
    ]  # fmt: skip
    for kind, name in names:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _describe(value: object) -> str:
    return f"{_toml_type(value)} {truncate(repr(value), 40)}"


def _close_match(value: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value.lower(), sorted(known), n=1, cutoff=0.6)
    return repr(close[0]) if close else None


def _all_known_once(items: list[Any], allowed: frozenset[str]) -> bool:
    """Every item is one of ``allowed`` (so a clean string) and none is repeated."""
    try:
        return allowed.issuperset(items) and len(set(items)) == len(items)
    except TypeError:  # an unhashable item (a table): the slow path will name it
        return False


def validate_entry(
    raw: object, number: int = 1, *, rules: EntryRules = CATALOG_RULES, label: Text | None = None
) -> tuple[MV | None, list[Problem]]:
    """One entry as an MV, or None with everything that is wrong with it.

    The one validator for every entry, ``[[mv]]`` tables and a server's own rows alike, so
    the rules cannot drift apart. Problems are placed at ``label`` (default ``entry #number``,
    or the entry's id); an empty label (``""``) leaves the place out.
    """
    if not isinstance(raw, dict):
        where = label if label is not None else entry_label(number)
        problem = Problem(_("expected a table ([[mv]]), got {got}", got=_describe(raw)))
        return None, [problem.at(where) if where else problem]
    reader = _EntryReader(raw, number, rules, label)
    reader.check_fields()
    mv_id = reader.slug()
    year = reader.year()
    universe, universe_order = reader.universe()
    release_date = reader.release_date(year)
    if year is None and release_date is not None and rules.year_from_date:
        year = release_date.year
    fields: dict[str, Any] = {
        "id": mv_id,
        "title": reader.text("title", required=True),
        "title_ko": reader.text("title_ko"),
        "artist": reader.text("artist", required=True),
        "group": reader.text("group"),
        "year": year,
        "release_date": release_date,
        "album": reader.text("album"),
        "cast": reader.cast(),
        "themes": reader.texts("themes", required=rules.themes_required, allowed=THEMES),
        "universe": universe,
        "universe_order": universe_order,
        "storyline": reader.text("storyline"),
        "twist": reader.text("twist"),
        "content_warnings": reader.texts("content_warnings", allowed=WARNINGS),
        "mature": reader.boolean("mature"),
        "aliases": reader.texts("aliases"),
        "sources": reader.sources(),
        "youtube_url": reader.youtube_url(),
    }
    if reader.problems:
        return None, reader.problems
    mv = MV(**fields)
    spoilers = spoiler_problems(mv, reader.label if reader.label is not None else "")
    return (None, spoilers) if spoilers else (mv, [])


_MISSING = _("missing (required)")
#: What an empty list that must not be empty says, by field.
_NEEDS_ONE: dict[str, Msg] = {
    "themes": _("needs at least one theme"),
    "content_warnings": _("needs at least one content warning"),
    "aliases": _("needs at least one alias"),
    "sources": _("needs at least one source"),
}


def _unknown_item(field: str, item: str, allowed: frozenset[str]) -> Msg:
    """An item that isn't on the field's controlled list (themes, content warnings)."""
    known = ", ".join(sorted(allowed))
    close = _close_match(item, allowed)
    if field == "themes":
        if close:
            return _(
                "unknown theme {item} (known: {known}); did you mean {close}?",
                item=repr(item),
                known=known,
                close=close,
            )
        return _("unknown theme {item} (known: {known})", item=repr(item), known=known)
    if close:
        return _(
            "unknown content warning {item} (known: {known}); did you mean {close}?",
            item=repr(item),
            known=known,
            close=close,
        )
    return _("unknown content warning {item} (known: {known})", item=repr(item), known=known)


def _twice(field: str, item: str) -> Msg:
    if field == "themes":
        return _("theme {item} is listed twice", item=repr(item))
    return _("content warning {item} is listed twice", item=repr(item))


class _EntryReader:
    """Reads the fields of one ``[[mv]]`` table, recording each problem with entry and field."""

    def __init__(self, raw: dict[str, Any], number: int, rules: EntryRules, label: Text | None) -> None:
        self.raw = raw
        self.rules = rules
        ident = raw.get("id")
        if label is None:
            named = isinstance(ident, str) and _SLUG.fullmatch(ident)
            label = entry_id_label(str(ident)) if named else entry_label(number)
        #: Where problems are (None: not said, the reader knows which entry it is).
        self.label: Text | None = label or None
        self.problems: list[Problem] = []

    def problem(self, field: str, message: Msg) -> None:
        self.problems.append(Problem(message, field, self.label))

    def check_fields(self) -> None:
        if self.raw.keys() <= _FIELD_SET:
            return
        known = ", ".join(FIELDS)
        for field in self.raw:
            if field not in _FIELD_SET:
                close = _close_match(field, FIELDS)
                if close:
                    self.problem(
                        field, _("unknown field; did you mean {close}? (known: {known})", close=close, known=known)
                    )
                else:
                    self.problem(field, _("unknown field (known: {known})", known=known))

    def _get(self, field: str, required: bool) -> Any:
        value = self.raw.get(field)
        if value is None and required:
            self.problem(field, _MISSING)
        return value

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.raw.get(field)
        if type(value) is str and (stripped := value.strip()):
            return stripped  # the usual case, checked first: loading runs this 100,000 times
        if value is None:
            if required:
                self.problem(field, _MISSING)
        elif not isinstance(value, str):
            self.problem(field, _("expected a string, got {got}", got=_describe(value)))
        else:
            self.problem(field, _("must not be empty"))
        return None

    def integer(self, field: str, *, required: bool = False) -> int | None:
        value = self._get(field, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(field, _("expected an integer, got {got}", got=_describe(value)))
            return None
        return value

    def boolean(self, field: str) -> bool:
        value = self.raw.get(field, False)
        if not isinstance(value, bool):
            self.problem(field, _("expected true or false, got {got}", got=_describe(value)))
            return False
        return value

    def texts(
        self,
        field: str,
        *,
        required: bool = False,
        allowed: frozenset[str] | None = None,
    ) -> tuple[str, ...]:
        value = self._get(field, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(field, _("expected an array of strings, got {got}", got=_describe(value)))
            return ()
        if value and allowed is not None and _all_known_once(value, allowed):
            return tuple(value)  # the usual case, checked with set operations
        if required and not value:
            self.problem(field, _NEEDS_ONE.get(field, _("needs at least one value")))
        items: list[str] = []
        for position, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                got = _describe(item) if not isinstance(item, str) else _("an empty string")
                self.problem(
                    field,
                    _("item {position}: expected a non-empty string, got {got}", position=position, got=got),
                )
            elif allowed is not None and item not in allowed:
                self.problem(field, _unknown_item(field, item, allowed))
            elif allowed is not None and item in items:
                self.problem(field, _twice(field, item))
            else:
                items.append(item.strip())
        return tuple(items)

    def slug(self) -> str | None:
        if self.rules.generate_id and self.raw.get("id") is None:
            artist, title = self.raw.get("artist"), self.raw.get("title")
            if isinstance(artist, str) and isinstance(title, str):
                return make_id(artist, title)
            return None  # 'artist' or 'title' says why
        value = self.text("id", required=True)
        if value is not None and not _SLUG.fullmatch(value):
            self.problem(
                "id",
                _(
                    "{value} is not a slug (lowercase letters, digits and single hyphens, e.g. 'vixx-error')",
                    value=repr(value),
                ),
            )
            return None
        return value

    def year(self) -> int | None:
        if self.rules.year_from_date and "year" not in self.raw:
            if "release_date" not in self.raw:
                self.problem("year", _("missing (give a year or a release_date)"))
            return None  # else the release date gives it
        value = self.integer("year", required=True)
        if value is not None and not YEARS[0] <= value <= YEARS[1]:
            self.problem(
                "year",
                _("{year} is not a plausible year ({first}-{last})", year=value, first=YEARS[0], last=YEARS[1]),
            )
            return None
        return value

    def release_date(self, year: int | None) -> date | None:
        value = self.raw.get("release_date")
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            day = value  # a bare TOML date (release_date = 2024-12-06) means the same
        elif isinstance(value, str):
            try:
                if not _DATE.fullmatch(value):
                    raise ValueError(value)
                day = date.fromisoformat(value)
            except ValueError:
                self.problem("release_date", _("{value} is not a date (expected YYYY-MM-DD)", value=repr(value)))
                return None
        else:
            self.problem("release_date", _("expected a string YYYY-MM-DD, got {got}", got=_describe(value)))
            return None
        if year is not None and day.year != year:
            self.problem("release_date", _("{day} is not in the entry's year {year}", day=day.isoformat(), year=year))
            return None
        return day

    def cast(self) -> tuple[CastMember, ...]:
        value = self.raw.get("cast", [])
        if not isinstance(value, list):
            self.problem("cast", _("expected an array of tables, got {got}", got=_describe(value)))
            return ()
        members: list[CastMember] = []
        for position, item in enumerate(value, start=1):
            member = self._cast_member(item, position)
            if member is not None:
                members.append(member)
        return tuple(members)

    def _cast_member(self, item: object, position: int) -> CastMember | None:
        if not isinstance(item, dict):
            self.problem(
                "cast",
                _(
                    "item {position}: expected a table {{ name = …, role = … }}, got {got}",
                    position=position,
                    got=_describe(item),
                ),
            )
            return None
        unknown = [key for key in item if key not in CAST_FIELDS]
        if unknown:
            self.problem(
                "cast",
                _("item {position}: unknown key {key} (known: name, role)", position=position, key=repr(unknown[0])),
            )
        name, role = item.get("name"), item.get("role")
        if not isinstance(name, str) or not name.strip():
            self.problem("cast", _("item {position}: 'name' must be a non-empty string", position=position))
            return None
        if role is not None and (not isinstance(role, str) or not role.strip()):
            self.problem("cast", _("item {position}: 'role' must be a non-empty string", position=position))
            return None
        return CastMember(name.strip(), role.strip() if role else None)

    def universe(self) -> tuple[str | None, int | None]:
        universe = self.text("universe")
        order = self.integer("universe_order")
        if universe is not None and "universe_order" not in self.raw:
            self.problem("universe_order", _("missing (required when 'universe' is set)"))
        if order is not None and "universe" not in self.raw:
            self.problem("universe", _("missing (required when 'universe_order' is set)"))
        if order is not None and order < 1:
            self.problem("universe_order", _("must be 1 or more, got {order}", order=order))
        return universe, order

    def sources(self) -> tuple[str, ...]:
        sources = self.texts("sources", required=self.rules.cited_sources)
        if not self.rules.cited_sources:
            return sources
        for source in sources:
            if not (_SEED_FILE.fullmatch(source) or _URL.fullmatch(source)):
                self.problem(
                    "sources",
                    _(
                        "{source} is neither a seed file name (e.g. '002_0f347bd8e5380b69.txt') nor an http(s) URL",
                        source=repr(source),
                    ),
                )
        return sources

    def youtube_url(self) -> str | None:
        url = self.text("youtube_url")
        if url is None:
            return None
        video = youtube_video_id(url)
        if video is None:
            self.problem(
                "youtube_url",
                _(
                    "{url} is not a YouTube video link (https://www.youtube.com/watch?v=…, "
                    "https://youtu.be/… or https://music.youtube.com/watch?v=…); leave it out and "
                    "the card links a search",
                    url=repr(url),
                ),
            )
            return None
        return YOUTUBE_WATCH_URL + video  # one form: duplicates are found by video id


# --------------------------------------------------------------------------- across entries


def _label(mv: MV) -> Msg:
    return entry_id_label(mv.id)


def _check_unique_ids(numbered: list[tuple[int, MV]]) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for number, mv in numbered:
        if mv.id in first:
            message = _("duplicate id {id} (already used by entry #{number})", id=repr(mv.id), number=first[mv.id])
            problems.append(Problem(message, "id", entry_label(number)))
        else:
            first[mv.id] = number
    return problems


def _check_aliases(entries: list[MV]) -> list[Problem]:
    """An alias must lead to one entry: not another entry's alias, title or Hangul title."""
    problems: list[Problem] = []
    titles: defaultdict[str, list[MV]] = defaultdict(list)
    for mv in entries:
        for title in filter(None, (mv.title, mv.title_ko)):
            titles[matching_key(title)].append(mv)
    alias_owner: dict[str, MV] = {}
    for mv in entries:
        for alias in mv.aliases:
            key = matching_key(alias)
            shown = repr(alias)
            if not key:
                problems.append(
                    Problem(_("alias {alias} has no letters or digits", alias=shown), "aliases", _label(mv))
                )
                continue
            others = [other for other in titles.get(key, ()) if other.id != mv.id]
            owner = alias_owner.setdefault(key, mv)
            if others:
                message = _("alias {alias} is the title of {other}", alias=shown, other=_label(others[0]))
                problems.append(Problem(message, "aliases", _label(mv)))
            elif owner.id != mv.id:
                message = _("alias {alias} is already an alias of {other}", alias=shown, other=_label(owner))
                problems.append(Problem(message, "aliases", _label(mv)))
    return problems


def _check_universes(entries: list[MV]) -> list[Problem]:
    """A universe is spelt one way, and no two of its entries share a place in its order."""
    problems: list[Problem] = []
    spelling: dict[str, MV] = {}
    places: dict[tuple[str, int], MV] = {}
    for mv in entries:
        if mv.universe is None or mv.universe_order is None:
            continue
        key = matching_key(mv.universe)
        first = spelling.setdefault(key, mv)
        if first.universe != mv.universe:
            message = _(
                "{universe} is spelt {spelling} in {other}",
                universe=repr(mv.universe),
                spelling=repr(first.universe),
                other=_label(first),
            )
            problems.append(Problem(message, "universe", _label(mv)))
        holder = places.setdefault((key, mv.universe_order), mv)
        if holder.id != mv.id:
            message = _(
                "{universe} already has order {order} ({other})",
                universe=repr(mv.universe),
                order=mv.universe_order,
                other=_label(holder),
            )
            problems.append(Problem(message, "universe_order", _label(mv)))
    return problems
