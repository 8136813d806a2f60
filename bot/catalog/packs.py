"""Packs: a server's own catalog entries as a file, to export and to import after a dry run.

A pack is TOML in the ``data/mvs.toml`` format, or CSV in the layout of the widely shared
public K-pop MV list (``Date,Artist,Song Name,Korean Name,Director,Video,Type,Release``).
Every entry goes through the catalog's own validator (:func:`validate_entry`) with
:data:`SERVER_RULES`: a server entry needs a title, an artist and a year or a date.
Reading never raises for a bad row: the :class:`PackReport` lists it with its row number,
so a curator fixes the file once. Only a file that can't be read at all raises
:class:`PackError`. No Discord import: the Discord layer sends these messages (lazy, in the
curator's language; CSV column names stay English) and files.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from bot.catalog.model import MV
from bot.catalog.problems import Problem, bullet, joined
from bot.catalog.text import normalize
from bot.catalog.validation import SERVER_RULES, toml_parser, validate_entry, youtube_video_id
from bot.i18n import Msg, Number, Text, _, _n
from bot.text import truncate

log = logging.getLogger(__name__)

MAX_PACK_BYTES = 2 * 1024 * 1024
MAX_PACK_ROWS = 10_000
CSV_COLUMNS = ("Date", "Artist", "Song Name", "Korean Name", "Director", "Video", "Type", "Release")
PackFormat = Literal["toml", "csv"]

_FORMULA_START = frozenset("=+-@\t\r")
_CSV_FIELDS: dict[str, str] = {  # header (casefolded, single spaces) → what the column holds
    "date": "date",
    "release date": "date",
    "artist": "artist",
    "song name": "title",
    "song": "title",
    "title": "title",
    "korean name": "title_ko",
    "korean title": "title_ko",
    "video": "video",
    "youtube": "video",
    "director": "director",
    "type": "type",
    "release": "release",
}
_ESSENTIAL = (("date", "Date"), ("artist", "Artist"), ("title", "Song Name"))
_IMPORTED = frozenset({"date", "artist", "title", "title_ko", "video"})
_COLUMN_OF_FIELD = {  # validator field → the CSV column a curator knows it by
    "title": "Song Name",
    "artist": "Artist",
    "title_ko": "Korean Name",
    "year": "Date",
    "release_date": "Date",
    "youtube_url": "Video",
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED_DATE = re.compile(r"(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
_YEAR_ONLY = re.compile(r"\d{4}")
# TRANSLATORS: what separates the problems of one invalid row of a pack ("Date: missing; Artist: missing")
_PROBLEM_SEPARATOR = _("; ")
_DATE_FORMS = _("YYYY-MM-DD, M/D/YY or YYYY.MM.DD")
_TOML_KEY_ORDER = (
    "id", "title", "title_ko", "artist", "group", "year", "release_date", "album", "universe",
    "universe_order", "themes", "content_warnings", "mature", "aliases", "cast", "storyline",
    "twist", "sources", "youtube_url",
)  # fmt: skip
_TOML_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]} | {
    ord('"'): '\\"',
    ord("\\"): "\\\\",
    ord("\b"): "\\b",
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\f"): "\\f",
    ord("\r"): "\\r",
}


class PackError(Exception):
    """The file can't be read at all; the message (in the reader's language) says what to do."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True, slots=True)
class InvalidRow:
    """A row that was not imported. ``row`` is the spreadsheet row for CSV (the header is
    row 1) and the entry's position for TOML (the first ``[[mv]]`` is 1)."""

    row: int
    reason: Text


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A valid row that is already there: in ``existing`` (``of_row`` None) or earlier in
    the same file (``of_row`` is that row)."""

    row: int
    entry: MV
    of: MV
    of_row: int | None


@dataclass(frozen=True, slots=True)
class PackReport:
    """The dry run of an import: what would be added, what is skipped and why."""

    filename: str
    format: PackFormat
    rows: int  # rows read, blank rows not counted
    new: tuple[MV, ...]
    duplicates: tuple[Duplicate, ...]
    invalid: tuple[InvalidRow, ...]
    ignored_columns: tuple[str, ...] = ()

    def summary(self, *, limit: int = 10) -> Msg:
        """Text for a curator, in their language: the counts, then the first ``limit``
        skipped rows of each kind. Titles are quoted as typed: send it with mentions turned
        off. CSV column names stay as the file has them."""
        counts = _(
            "{file} ({format}): {rows} read: {new} new, {duplicates}, {invalid} invalid",
            file=self.filename,
            format=self.format.upper(),
            rows=_n("{count} row", "{count} rows", self.rows),
            new=Number(len(self.new)),
            duplicates=_n("{count} duplicate", "{count} duplicates", len(self.duplicates)),
            invalid=Number(len(self.invalid)),
        )
        lines: list[Text] = [counts]
        if self.ignored_columns:
            lines.append(_("ignored columns: {columns}", columns=", ".join(self.ignored_columns)))
        lines += _listed(_("duplicates:"), [_describe_duplicate(d) for d in self.duplicates], limit)
        invalid = [_("row {row}: {reason}", row=i.row, reason=i.reason) for i in self.invalid]
        lines += _listed(_("invalid rows:"), invalid, limit)
        return joined(lines)


def _listed(heading: Msg, items: Sequence[Text], limit: int) -> list[Text]:
    if not items:
        return []
    lines: list[Text] = [heading]
    lines += [bullet(item, indent="  ") for item in items[:limit]]
    if len(items) > limit:
        lines.append(_("  … and {count} more", count=Number(len(items) - limit)))
    return lines


def _describe_duplicate(duplicate: Duplicate) -> Msg:
    mv = duplicate.entry
    title, artist, row = truncate(mv.title, 60), truncate(mv.artist, 40), duplicate.row
    same_video = _duplicate_keys(mv)[0] != _duplicate_keys(duplicate.of)[0]
    if duplicate.of_row is not None:
        if same_video:
            return _(
                "row {row}: “{title}” by {artist} (the same video) repeats row {other}",
                row=row, title=title, artist=artist, other=duplicate.of_row,
            )  # fmt: skip
        return _(
            "row {row}: “{title}” by {artist} repeats row {other}",
            row=row, title=title, artist=artist, other=duplicate.of_row,
        )  # fmt: skip
    if same_video:
        return _(
            "row {row}: “{title}” by {artist} (the same video) is already in the catalog ({id})",
            row=row, title=title, artist=artist, id=duplicate.of.id,
        )  # fmt: skip
    return _(
        "row {row}: “{title}” by {artist} is already in the catalog ({id})",
        row=row, title=title, artist=artist, id=duplicate.of.id,
    )  # fmt: skip


# --------------------------------------------------------------------------- duplicates


def _duplicate_keys(mv: MV) -> tuple[tuple[str, str], str | None]:
    """What makes two entries the same MV: title and artist once normalised, or the video."""
    title = normalize(mv.title) or mv.title.casefold()
    artist = normalize(mv.artist) or mv.artist.casefold()
    video = youtube_video_id(mv.youtube_url) if mv.youtube_url else None
    return (title, artist), video


def find_duplicate(entry: MV, existing: Iterable[MV]) -> MV | None:
    """The entry of ``existing`` that is the same MV as ``entry`` (same title and artist once
    normalised, or the same YouTube video), else None."""
    names, video = _duplicate_keys(entry)
    for mv in existing:
        other_names, other_video = _duplicate_keys(mv)
        if other_names == names or (video is not None and other_video == video):
            return mv
    return None


class DuplicateIndex:
    """:func:`find_duplicate` for many look-ups: the same rule, one dictionary probe each."""

    def __init__(self, entries: Iterable[MV] = ()) -> None:
        self._by_names: dict[tuple[str, str], MV] = {}
        self._by_video: dict[str, MV] = {}
        for mv in entries:
            self.add(mv)

    def add(self, mv: MV) -> None:
        names, video = _duplicate_keys(mv)
        self._by_names.setdefault(names, mv)
        if video is not None:
            self._by_video.setdefault(video, mv)

    def find(self, entry: MV) -> MV | None:
        names, video = _duplicate_keys(entry)
        found = self._by_names.get(names)
        if found is None and video is not None:
            found = self._by_video.get(video)
        return found


# --------------------------------------------------------------------------- export


def export_pack(entries: Sequence[MV]) -> str:
    """The entries as TOML in the ``data/mvs.toml`` format and key order, text verbatim:
    :func:`read_entries` gives back exactly these entries (with ``SERVER_RULES`` when
    they lack the catalog's themes or cited sources). Lightstick's own bookkeeping
    (``origin``, who suggested and approved an entry) is not part of a pack."""
    noun = "entry" if len(entries) == 1 else "entries"
    header = (
        f"# Lightstick MV pack: {len(entries)} {noun} in the data/mvs.toml format.\n"
        "# Fields and rules: data/CATALOG.md (section 'Packs').\n"
    )
    return header + "".join("\n" + _toml_entry(mv) for mv in entries)


def _toml_entry(mv: MV) -> str:
    lines = ["[[mv]]"]
    for key in _TOML_KEY_ORDER:
        value = getattr(mv, key)
        if key == "cast":
            if value:
                lines.append("cast = [")
                lines += [f"  {_toml_cast_member(member.name, member.role)}," for member in value]
                lines.append("]")
        elif key == "sources" and value:
            lines.append("sources = [")
            lines += [f"  {_toml_string(source)}," for source in value]
            lines.append("]")
        elif value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_cast_member(name: str, role: str | None) -> str:
    if role is None:
        return f"{{ name = {_toml_string(name)} }}"
    return f"{{ name = {_toml_string(name)}, role = {_toml_string(role)} }}"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f'"{value.isoformat()}"'
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_string(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + text.translate(_TOML_ESCAPES) + '"'


def export_csv(entries: Sequence[MV]) -> str:
    """The entries in the public list's CSV layout (title, act, Hangul title, date, video
    only; TOML is the full format), with a BOM so Excel reads Hangul as UTF-8.

    Text a spreadsheet would run as a formula gets an apostrophe in front, which
    :func:`read_pack` takes off again: a CSV export imports as the same entries.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for mv in entries:
        day = mv.release_date.isoformat() if mv.release_date else str(mv.year)
        text = [neutralize_formula(value or "") for value in (mv.artist, mv.title, mv.title_ko)]
        writer.writerow([day, *text, "", mv.youtube_url or "", "", ""])
    return "\ufeff" + buffer.getvalue()


def neutralize_formula(text: str) -> str:
    """``'=SUM(A1)`` for ``=SUM(A1)``: an apostrophe in front of text that a spreadsheet would
    run as a formula, and in front of text already starting with apostrophes before such
    a character, so :func:`restore_formula` undoes exactly this."""
    if text.lstrip("'")[:1] in _FORMULA_START:
        return "'" + text
    return text


def restore_formula(cell: str) -> str:
    """The text :func:`neutralize_formula` was given."""
    if cell[:1] == "'" and cell.lstrip("'")[:1] in _FORMULA_START:
        return cell[1:]
    return cell


# --------------------------------------------------------------------------- import


def read_pack(data: bytes, filename: str, *, existing: Sequence[MV] = ()) -> PackReport:
    """The dry run of importing a pack file: new entries (with ids unique in the pack and
    against ``existing``), duplicates and invalid rows. Raises PackError when the file
    can't be read at all (too big, not UTF-8, no header, not TOML…)."""
    started = time.perf_counter()
    pack_format = _format_of(filename, data)
    text = _decode(data, filename, pack_format)
    collector = _Collector(filename, pack_format, existing)
    if pack_format == "toml":
        _read_toml(text, collector)
    else:
        _read_csv(text, collector)
    report = collector.report()
    log.info(
        "pack %s (%s): %d rows, %d new, %d duplicates, %d invalid in %.0f ms",
        filename, pack_format, report.rows, len(report.new), len(report.duplicates),
        len(report.invalid), (time.perf_counter() - started) * 1000,
    )  # fmt: skip
    return report


class _Collector:
    """Sorts validated rows into new, duplicate and invalid, and gives new entries free ids."""

    def __init__(self, filename: str, pack_format: PackFormat, existing: Sequence[MV]) -> None:
        self.filename = filename
        self.format: PackFormat = pack_format
        self.rows = 0
        self.new: list[MV] = []
        self.duplicates: list[Duplicate] = []
        self.invalid: list[InvalidRow] = []
        self.ignored_columns: tuple[str, ...] = ()
        self._existing = DuplicateIndex(existing)
        self._in_file = DuplicateIndex()
        self._row_of: dict[str, int] = {}  # new entry id → its row
        self._taken_ids = {mv.id for mv in existing}

    def count_row(self) -> None:
        self.rows += 1
        if self.rows > MAX_PACK_ROWS:
            raise PackError(
                _(
                    "{file} has more than {most} rows; a pack holds at most {most}. Split it into smaller files "
                    "and import them one by one.",
                    file=self.filename,
                    most=Number(MAX_PACK_ROWS),
                )
            )

    def add(self, row: int, mv: MV | None, problems: Sequence[Text]) -> None:
        if mv is None:
            self.invalid.append(InvalidRow(row, joined(problems, _PROBLEM_SEPARATOR)))
            return
        known = self._existing.find(mv)
        if known is not None:
            self.duplicates.append(Duplicate(row, mv, known, None))
            return
        earlier = self._in_file.find(mv)
        if earlier is not None:
            self.duplicates.append(Duplicate(row, mv, earlier, self._row_of[earlier.id]))
            return
        mv = self._with_free_id(mv)
        self._in_file.add(mv)
        self._row_of[mv.id] = row
        self.new.append(mv)

    def _with_free_id(self, mv: MV) -> MV:
        """The id, or the id with -2, -3 … when the pack or the server already uses it."""
        free, suffix = mv.id, 1
        while free in self._taken_ids:
            suffix += 1
            free = f"{mv.id}-{suffix}"
        self._taken_ids.add(free)
        return mv if free == mv.id else dataclasses.replace(mv, id=free)

    def report(self) -> PackReport:
        return PackReport(
            filename=self.filename,
            format=self.format,
            rows=self.rows,
            new=tuple(self.new),
            duplicates=tuple(self.duplicates),
            invalid=tuple(self.invalid),
            ignored_columns=self.ignored_columns,
        )


def _format_of(filename: str, data: bytes) -> PackFormat:
    """By the file's extension; a file without one is TOML if it starts like TOML."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "toml":
        return "toml"
    if suffix in ("csv", "tsv"):
        return "csv"
    start = data.lstrip(codecs.BOM_UTF8).lstrip()[:1]
    return "toml" if start in (b"[", b"#") else "csv"


def _decode(data: bytes, filename: str, pack_format: PackFormat) -> str:
    """UTF-8 text without a BOM, or a PackError naming the encoding the file seems to be in."""
    if len(data) > MAX_PACK_BYTES:
        raise PackError(
            _(
                "{file} is too big ({size} bytes); a pack can be at most 2 MB ({most} bytes). "
                "Split it into smaller files.",
                file=filename,
                size=Number(len(data)),
                most=Number(MAX_PACK_BYTES),
            )
        )
    if not data.strip():
        raise PackError(_("{file} is empty.", file=filename))
    encoding = _foreign_encoding(data, filename)
    if encoding is None:
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            encoding = _(
                "{encoding}; the first non-UTF-8 byte is on line {line}",
                encoding=_guess_legacy_encoding(data),
                line=line,
            )
    save_as = "CSV UTF-8 (Comma delimited)" if pack_format == "csv" else "UTF-8"
    raise PackError(
        _(
            "{file} is not UTF-8 (it looks like {encoding}); save it as {format}.",
            file=filename,
            encoding=encoding,
            format=save_as,
        )
    )


def _foreign_encoding(data: bytes, filename: str) -> Text | None:
    """UTF-16 or UTF-32, by their byte-order marks or the zero bytes of their ASCII; a
    PackError for a workbook or another binary file, which no encoding makes a pack."""
    boms = [
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ]
    for bom, name in boms:
        if data.startswith(bom):
            return name
    if data.startswith(b"PK\x03\x04"):
        raise PackError(
            _(
                "{file} is a workbook (.xlsx) or another zip file, not a pack. In your spreadsheet choose "
                "Save As › CSV UTF-8 (Comma delimited) and import that file.",
                file=filename,
            )
        )
    head = data[:4096]
    if head.count(0) * 4 >= len(head):
        return _("UTF-16 without a byte-order mark")
    if 0 in head:
        raise PackError(_("{file} is not a text file; a pack is a .csv or .toml file.", file=filename))
    return None


def _guess_legacy_encoding(data: bytes) -> str:
    """Korean Windows' code page when the text decodes as Hangul, else Western Latin-1."""
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return "Latin-1 / Windows-1252"
    foreign = [ch for ch in text if ord(ch) > 0x7F]
    hangul = sum(1 for ch in foreign if "\uac00" <= ch <= "\ud7a3")
    return "EUC-KR / CP949" if hangul * 2 > len(foreign) else "Latin-1 / Windows-1252"


# --------------------------------------------------------------------------- TOML packs


def _read_toml(text: str, collector: _Collector) -> None:
    name = collector.filename
    try:
        document = toml_parser.loads(text)
    except toml_parser.TOMLDecodeError as error:
        # TRANSLATORS: {error} is the TOML parser's own explanation, in English
        raise PackError(_("{file} is not valid TOML: {error}.", file=name, error=str(error))) from None
    unknown = [key for key in document if key != "mv"]
    if unknown:
        raise PackError(
            _("{file}: unknown top-level key {key}; a pack holds [[mv]] tables.", file=name, key=repr(unknown[0]))
        )
    raw_entries = document.get("mv")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise PackError(_("{file} has no entries: each entry is an [[mv]] table.", file=name))
    for number, raw in enumerate(raw_entries, start=1):
        collector.count_row()
        mv, problems = validate_entry(raw, number, rules=SERVER_RULES, label="")  # the row says where
        collector.add(number, mv, [problem.text() for problem in problems])


# --------------------------------------------------------------------------- CSV packs


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where each imported field is in a row, found by the header's names."""

    index: dict[str, int]
    width: int

    def cell(self, cells: list[str], field: str) -> str:
        position = self.index.get(field)
        if position is None or position >= len(cells):
            return ""
        return restore_formula(cells[position].strip())


def _read_csv(text: str, collector: _Collector) -> None:
    name = collector.filename
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records = _records(rows, name)
    header = next(records, None)
    if header is None:
        raise PackError(_("{file} is empty.", file=name))
    columns = _map_columns(header[1], name, collector)
    for row, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave blank rows at the end
        collector.count_row()
        mv, problems = _csv_entry(cells, columns, name, row)
        collector.add(row, mv, problems)


def _records(rows: Iterator[list[str]], filename: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with its spreadsheet row (the header is 1; a quoted line break doesn't count)."""
    row = 0
    try:
        for row, cells in enumerate(rows, start=1):
            yield row, cells
    except csv.Error as error:
        raise PackError(
            # TRANSLATORS: {error} is the CSV reader's own explanation, in English
            _(
                "{file}: row {row} can't be read as CSV ({error}). A field that starts with a quote must end "
                'with one, and a quote inside it is written twice ("").',
                file=filename,
                row=row + 1,
                error=str(error),
            )
        ) from None


def _delimiter(text: str) -> str:
    """Commas, or the semicolons or tabs that some spreadsheets write instead."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)  # a tie (no delimiter at all) is a comma


def _map_columns(header: list[str], filename: str, collector: _Collector) -> _Columns:
    index: dict[str, int] = {}
    ignored: list[str] = []
    for position, title in enumerate(header):
        key = " ".join(title.strip().casefold().split())
        field = _CSV_FIELDS.get(key)
        if field in index:
            raise PackError(
                _("{file}: the header names the column {column} twice.", file=filename, column=repr(title.strip()))
            )
        if field in _IMPORTED:
            index[field] = position
        elif title.strip():
            ignored.append(title.strip())
    missing = [column for field, column in _ESSENTIAL if field not in index]
    if missing:
        names = [t.strip() for t in header if t.strip()]
        found: Text = truncate(", ".join(names), 200) if names else _("nothing")
        raise PackError(
            _(
                "{file}: the header row has no {column} column (found: {found}). The first row must name "
                "the columns, like the public list: {header}.",
                file=filename,
                column=" / ".join(repr(column) for column in missing),
                found=found,
                header=",".join(CSV_COLUMNS),
            )
        )
    collector.ignored_columns = tuple(ignored)
    return _Columns(index, len(header))


def _csv_entry(cells: list[str], columns: _Columns, filename: str, row: int) -> tuple[MV | None, list[Text]]:
    """One row through the catalog's validator, its problems named by CSV column."""
    problems: list[Text] = []
    if len(cells) > columns.width and any(cell.strip() for cell in cells[columns.width :]):
        problems.append(
            _(
                "{cells} cells but the header has {columns} columns (a field with a comma in it needs quotes)",
                cells=Number(len(cells)),
                columns=Number(columns.width),
            )
        )
    raw: dict[str, Any] = {"sources": [f"{filename} row {row}"]}
    for field, key in (("title", "title"), ("artist", "artist"), ("title_ko", "title_ko")):
        if value := columns.cell(cells, field):
            raw[key] = value
    if video := columns.cell(cells, "video"):
        raw["youtube_url"] = video
    day = columns.cell(cells, "date")
    when = parse_list_date(day) if day else None
    if isinstance(when, date):
        raw["release_date"] = when
    elif when is not None:
        raw["year"] = when
    mv, found = validate_entry(raw, row, rules=SERVER_RULES, label="")  # the row says where
    if when is None:  # the validator would only say that the year is missing
        if day:
            problems.append(
                _("{column}: {value} is not a date ({forms})", column="Date", value=repr(day), forms=_DATE_FORMS)
            )
        else:
            problems.append(_("{column}: missing", column="Date"))
        found = [problem for problem in found if problem.field != "year"]
    problems += [_in_column_terms(problem) for problem in found]
    return (mv if not problems else None), problems


def _in_column_terms(problem: Problem) -> Msg:
    """``field 'title': missing (required)`` → ``Song Name: missing (required)`` (column
    names stay English, as the file has them)."""
    return problem.text(column=_COLUMN_OF_FIELD.get(problem.field or ""))


def parse_list_date(text: str) -> date | int | None:
    """A date in one of the public list's forms: ``2012-03-05``, ``3/5/12``, ``2012.03.05``;
    a bare ``2012`` gives only the year. Two-digit years 00-69 are 2000-2069, 70-99 are
    1970-1999 (the C library's rule). None when it isn't a date."""
    text = text.strip()
    try:
        if match := _ISO_DATE.fullmatch(text) or _DOTTED_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _US_DATE.fullmatch(text):
            year = int(match[3])
            if len(match[3]) == 2:
                year += 2000 if year < 70 else 1900
            return date(year, int(match[1]), int(match[2]))
    except ValueError:
        return None
    if _YEAR_ONLY.fullmatch(text):
        return int(text)
    return None
