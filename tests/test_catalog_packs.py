"""Packs: TOML and CSV import (the dry run), export, duplicates, limits, and `check` on a pack."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.catalog import MV, THEMES, WARNINGS, CastMember, load_catalog
from bot.catalog.__main__ import main
from bot.catalog.packs import (
    MAX_PACK_BYTES,
    MAX_PACK_ROWS,
    PackError,
    PackReport,
    export_csv,
    export_pack,
    find_duplicate,
    neutralize_formula,
    parse_list_date,
    read_pack,
    restore_formula,
)
from bot.catalog.text import matching_key
from bot.catalog.validation import (
    CATALOG_RULES,
    SERVER_RULES,
    make_id,
    read_entries,
    validate_entry,
    youtube_video_id,
)

FIXTURE = Path(__file__).parent / "data" / "kpop_mvs_sample.csv"
HEADER = "Date,Artist,Song Name,Korean Name,Director,Video,Type,Release"
WATCH = "https://www.youtube.com/watch?v="


def make_mv(**fields: object) -> MV:
    base: dict[str, object] = {
        "id": "vixx-error", "title": "Error", "title_ko": None, "artist": "VIXX", "group": None,
        "year": 2014, "release_date": None, "album": None, "cast": (), "themes": (),
        "universe": None, "universe_order": None, "storyline": None, "twist": None,
        "content_warnings": (), "mature": False, "aliases": (), "sources": (), "youtube_url": None,
    }  # fmt: skip
    base.update(fields)
    return MV(**base)  # type: ignore[arg-type]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


# --------------------------------------------------------------------------- the fixture


@pytest.fixture(scope="module")
def sample() -> PackReport:
    return read_pack(FIXTURE.read_bytes(), FIXTURE.name)


def test_the_fixture_starts_with_a_bom_and_uses_crlf() -> None:
    data = FIXTURE.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data


def test_the_public_layout_is_read_row_by_row(sample: PackReport) -> None:
    assert sample.format == "csv" and sample.rows == 17  # the blank row isn't counted
    assert sample.ignored_columns == ("Director", "Type", "Release")
    by_title = {mv.title: mv for mv in sample.new}
    assert list(by_title) == [
        "Daechwita", "Haru Haru", "Please Don't...", "Let's Love", "Fever feat. Superbee, BIBI",
        'Satellite "Live"', "Alone", "Black Swan", "Villain", "Old Song",
    ]  # fmt: skip
    daechwita = by_title["Daechwita"]
    assert daechwita.id == "agust-d-daechwita" and daechwita.title_ko == "대취타"
    assert daechwita.release_date == date(2020, 5, 22) and daechwita.year == 2020
    assert daechwita.youtube_url == WATCH + "fixture0001"
    assert daechwita.sources == ("kpop_mvs_sample.csv row 2",)
    assert daechwita.themes == () and daechwita.storyline is None
    assert by_title["Please Don't..."].release_date == date(2012, 3, 5)
    assert by_title["Please Don't..."].youtube_url is None  # a blank Video cell
    assert by_title["Let's Love"].title_ko == "사랑, 하자"  # a quoted comma
    alone = by_title["Alone"]  # a quoted line break in Director doesn't split the row
    assert alone.artist == "Dynamic Duo, Chen (EXO)" and alone.sources == ("kpop_mvs_sample.csv row 8",)
    assert by_title["Villain"].release_date is None and by_title["Villain"].year == 2019
    assert by_title["Old Song"].release_date == date(1999, 1, 1)


def test_broken_rows_are_listed_with_their_row_and_column(sample: PackReport) -> None:
    reasons = {row.row: str(row.reason) for row in sample.invalid}
    assert sorted(reasons) == [10, 11, 12, 18, 19]
    assert reasons[10] == "Date: '13/45/20' is not a date (YYYY-MM-DD, M/D/YY or YYYY.MM.DD)"
    assert reasons[11] == "Artist: missing (required)"
    assert reasons[12].startswith("Video: 'see the channel' is not a YouTube video link")
    assert reasons[18].startswith("9 cells but the header has 8 columns")
    assert reasons[19] == "Date: '2020-02-30' is not a date (YYYY-MM-DD, M/D/YY or YYYY.MM.DD)"


def test_duplicates_within_the_file_name_the_earlier_row(sample: PackReport) -> None:
    found = {d.row: (d.of_row, d.of.title) for d in sample.duplicates}
    assert found == {14: (13, "Black Swan"), 15: (7, 'Satellite "Live"')}  # title+artist; video


def test_duplicates_of_existing_entries_are_skipped() -> None:
    catalog = load_catalog()
    shipped = [catalog.get("bigbang-haru-haru"), catalog.get("k-will-please-dont")]
    report = read_pack(FIXTURE.read_bytes(), FIXTURE.name, existing=[mv for mv in shipped if mv])
    existing = {d.row: d.of.id for d in report.duplicates if d.of_row is None}
    assert existing == {3: "bigbang-haru-haru", 4: "k-will-please-dont"}
    assert len(report.new) == 8
    summary = str(report.summary())
    assert summary.startswith("kpop_mvs_sample.csv (CSV): 17 rows read: 8 new, 4 duplicates, 5 invalid")
    assert "row 3: “Haru Haru” by BIGBANG is already in the catalog (bigbang-haru-haru)" in summary
    assert "row 14: “Black Swan” by BTS repeats row 13" in summary
    assert "row 15: “Satellite (Feat. ASH ISLAND)” by HA:TFELT (the same video) repeats row 7" in summary
    assert "row 11: Artist: missing (required)" in summary


def test_the_summary_lists_a_few_and_counts_the_rest(sample: PackReport) -> None:
    lines = str(sample.summary(limit=2)).splitlines()
    assert "  … and 3 more" in lines


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-10-14", date(2014, 10, 14)),
        ("2014-1-4", date(2014, 1, 4)),
        ("10/14/14", date(2014, 10, 14)),
        ("1/4/00", date(2000, 1, 4)),
        ("1/4/69", date(2069, 1, 4)),
        ("1/4/70", date(1970, 1, 4)),
        ("12/31/99", date(1999, 12, 31)),
        ("3/5/2012", date(2012, 3, 5)),
        ("2014.10.14", date(2014, 10, 14)),
        ("2014. 10. 14.", date(2014, 10, 14)),
        (" 2014.10.14 ", date(2014, 10, 14)),
        ("2014", 2014),
    ],
)
def test_every_date_form(text: str, expected: date | int) -> None:
    assert parse_list_date(text) == expected


@pytest.mark.parametrize("text", ["14/10/14", "2014-13-01", "2/30/20", "Oct 14 2014", "14", "2014/10/14", ""])
def test_what_is_not_a_date(text: str) -> None:
    assert parse_list_date(text) is None


# --------------------------------------------------------------------------- columns


def test_columns_are_found_by_name_in_any_order_and_case() -> None:
    data = csv_bytes("Error,VIXX,10/14/14", header=" song NAME ,ARTIST,date")
    report = read_pack(data, "short.csv")
    (mv,) = report.new
    assert (mv.title, mv.artist, mv.release_date, mv.title_ko, mv.youtube_url) == (
        "Error", "VIXX", date(2014, 10, 14), None, None,
    )  # fmt: skip
    assert report.ignored_columns == () and report.invalid == ()


def test_a_row_shorter_than_the_header_has_blanks() -> None:
    report = read_pack(csv_bytes("10/14/14,VIXX,Error"), "short-rows.csv")
    assert [mv.title for mv in report.new] == ["Error"]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("Date,Artist,Korean Name,Video", "'Song Name'"),
        ("Artist,Song Name,Video", "'Date'"),
        ("Song Name,Video", "'Date' / 'Artist'"),
    ],
)
def test_a_missing_essential_column_is_named(header: str, missing: str) -> None:
    with pytest.raises(PackError) as caught:
        read_pack(csv_bytes("x,y,z", header=header), "list.csv")
    message = str(caught.value)
    assert f"list.csv: the header row has no {missing} column (found: {header.replace(',', ', ')})" in message
    assert HEADER in message


def test_a_column_named_twice_is_refused() -> None:
    with pytest.raises(PackError, match="names the column 'artist' twice"):
        read_pack(csv_bytes("", header="Date,Artist,Song Name,artist"), "list.csv")


def test_semicolons_and_tabs_from_other_spreadsheets() -> None:
    for delimiter in (";", "\t"):
        header = delimiter.join(["Date", "Artist", "Song Name"])
        data = csv_bytes(delimiter.join(["2014-10-14", "VIXX", '"Error; the remix"']), header=header)
        assert [mv.title for mv in read_pack(data, "list.csv").new] == ["Error; the remix"]


def test_an_unclosed_quote_names_its_row() -> None:
    data = csv_bytes("2014-10-14,VIXX,Error", '2014-10-14,VIXX,"Error', "2014-10-14,VIXX,Hyde")
    with pytest.raises(PackError, match=r"list.csv: row 3 can't be read as CSV \(unexpected end of data\)"):
        read_pack(data, "list.csv")


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ((HEADER + "\r\n").encode("utf-16"), "UTF-16"),
        (codecs.BOM_UTF16_BE + HEADER.encode("utf-16-be"), "UTF-16"),
        (HEADER.encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        ((HEADER + "\n").encode("utf-32"), "UTF-32"),
        (
            f"{HEADER}\n2003-06-24,Beyoncé,Crazy in Love,,,,,\n".encode("latin-1"),
            "Latin-1 / Windows-1252",
        ),
        (f"{HEADER}\n2008-08-08,빅뱅,하루하루,하루하루,,,,\n".encode("cp949"), "EUC-KR / CP949"),
    ],
)
def test_other_encodings_are_refused_by_name(data: bytes, named: str) -> None:
    with pytest.raises(PackError) as caught:
        read_pack(data, "list.csv")
    message = str(caught.value)
    assert message.startswith(f"list.csv is not UTF-8 (it looks like {named}")
    assert message.endswith("save it as CSV UTF-8 (Comma delimited).")


def test_a_stray_byte_is_found_by_line() -> None:
    data = csv_bytes("2014-10-14,VIXX,Error", "2003-06-24,Beyonc\xe9,Crazy".replace("\xe9", "?"))
    data = data.replace(b"Beyonc?", b"Beyonc\xe9")
    with pytest.raises(PackError, match="the first non-UTF-8 byte is on line 3"):
        read_pack(data, "list.csv")


def test_a_workbook_or_binary_file_is_not_a_pack() -> None:
    with pytest.raises(PackError, match=r"is a workbook \(.xlsx\)"):
        read_pack(b"PK\x03\x04" + bytes(100), "list.xlsx")
    with pytest.raises(PackError, match="is not a text file"):
        read_pack(b"Date,Artist\x00,Song Name" + b"x" * 100, "list.csv")


def test_an_empty_file() -> None:
    with pytest.raises(PackError, match=r"^list.csv is empty\.$"):
        read_pack(b"\r\n", "list.csv")


# --------------------------------------------------------------------------- limits


def test_a_file_over_2_mb_is_refused() -> None:
    data = csv_bytes("2014-10-14,VIXX,Error") + b" " * MAX_PACK_BYTES
    with pytest.raises(PackError, match=r"big\.csv is too big \(2,097,\d{3} bytes\); a pack can be at most 2 MB"):
        read_pack(data, "big.csv")


def test_at_most_10000_rows() -> None:
    rows = [f"2014-10-14,Act {n},Song {n}" for n in range(MAX_PACK_ROWS)]
    assert len(read_pack(csv_bytes(*rows), "full.csv").new) == MAX_PACK_ROWS
    with pytest.raises(PackError, match="has more than 10,000 rows; a pack holds at most 10,000"):
        read_pack(csv_bytes(*rows, "2014-10-14,One,More"), "over.csv")
    tables = "".join(f'[[mv]]\ntitle = "S{n}"\nartist = "A"\nyear = 2014\n' for n in range(MAX_PACK_ROWS + 1))
    with pytest.raises(PackError, match=r"over\.toml has more than 10,000 rows"):
        read_pack(tables.encode(), "over.toml")


# --------------------------------------------------------------------------- TOML packs


def test_a_toml_pack_needs_only_title_artist_and_a_year_or_date() -> None:
    text = """
[[mv]]
title = "Error"
artist = "VIXX"
release_date = "2014-10-14"

[[mv]]
title = "Error"
artist = "VIXX"
year = 2014
youtube_url = "https://music.youtube.com/watch?v=abcdefghijk&feature=share"

[[mv]]
id = "vixx-error"
title = "Hyde"
artist = "VIXX"
year = 2013
themes = ["scifi"]

[[mv]]
title = "Voodoo Doll"
artist = "VIXX"
"""
    report = read_pack(text.encode(), "vixx.toml")
    assert report.format == "toml" and report.rows == 4
    (error,) = report.new
    assert (error.id, error.year, error.release_date) == ("vixx-error", 2014, date(2014, 10, 14))
    assert [(d.row, d.of_row) for d in report.duplicates] == [(2, 1)]
    assert [(i.row, str(i.reason)) for i in report.invalid] == [
        (
            3,
            "field 'themes': unknown theme 'scifi' (known: " + ", ".join(sorted(THEMES)) + "); did you mean 'sci-fi'?",
        ),
        (4, "field 'year': missing (give a year or a release_date)"),
    ]


def test_ids_are_made_unique_in_the_pack_and_against_existing_entries() -> None:
    tables = [
        '[[mv]]\ntitle = "Error"\nartist = "VIXX"\nyear = 2014\n',
        '[[mv]]\ntitle = "Error!"\nartist = "VIXX"\nyear = 2015\nyoutube_url = "https://youtu.be/abcdefghij1"\n',
        '[[mv]]\nid = "vixx-error"\ntitle = "Error (Live)"\nartist = "VIXX"\nyear = 2016\n',
    ]
    existing = [make_mv(id="vixx-error-2", title="Hyde", youtube_url=WATCH + "abcdefghij0")]
    report = read_pack("\n".join(tables).encode(), "pack.toml", existing=existing)
    # "Error!" normalises like "Error", so only a different title counts as new
    assert [mv.id for mv in report.new] == ["vixx-error", "vixx-error-3"]
    assert [(d.row, d.of_row) for d in report.duplicates] == [(2, 1)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[mv]\n", "pack.toml is not valid TOML: "),
        ('title = "x"\n', "pack.toml: unknown top-level key 'title'; a pack holds [[mv]] tables."),
        ("# nothing yet\n", "pack.toml has no entries: each entry is an [[mv]] table."),
    ],
)
def test_a_broken_toml_pack_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PackError) as caught:
        read_pack(text.encode(), "pack.toml")
    assert str(caught.value).startswith(message)


def test_the_format_comes_from_the_extension_or_the_content() -> None:
    toml = b'[[mv]]\ntitle = "Error"\nartist = "VIXX"\nyear = 2014\n'
    assert read_pack(toml, "pack.TOML").format == "toml"
    assert read_pack(toml, "message.txt").format == "toml"
    assert read_pack(csv_bytes("2014,VIXX,Error"), "message.txt").format == "csv"


# --------------------------------------------------------------------------- the validator


def test_server_rules_relax_only_the_minimum() -> None:
    raw = {"title": "Error", "artist": "VIXX", "year": 2014}
    mv, problems = validate_entry(raw, rules=SERVER_RULES)
    assert problems == [] and mv == make_mv()
    _, problems = validate_entry(raw)  # the built-in catalog's rules: everything
    assert [str(problem) for problem in problems] == [
        "entry #1: field 'id': missing (required)",
        "entry #1: field 'themes': missing (required)",
        "entry #1: field 'sources': missing (required)",
    ]
    _, problems = validate_entry({"year": 2014, "mature": "no"}, 7, rules=SERVER_RULES, label="row 7")
    assert [str(problem) for problem in problems] == [
        "row 7: field 'title': missing (required)",
        "row 7: field 'artist': missing (required)",
        "row 7: field 'mature': expected true or false, got string 'no'",
    ]
    _, problems = validate_entry({**raw, "year": 2013, "release_date": "2014-10-14"}, rules=SERVER_RULES)
    assert [str(problem) for problem in problems] == [
        "entry #1: field 'release_date': 2014-10-14 is not in the entry's year 2013"
    ]


def test_catalog_rules_still_refuse_uncited_sources() -> None:
    raw = {
        "id": "x",
        "title": "T",
        "artist": "A",
        "year": 2014,
        "themes": ["drama"],
        "sources": ["row 2"],
    }
    assert [str(p) for p in validate_entry(raw, rules=CATALOG_RULES)[1]] == [
        "entry 'x': field 'sources': 'row 2' is neither a seed file name "
        "(e.g. '002_0f347bd8e5380b69.txt') nor an http(s) URL"
    ]
    assert validate_entry(raw, rules=SERVER_RULES)[1] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://youtu.be/abcdefghijk",
        "https://youtu.be/abcdefghijk?si=Xy",
        "youtu.be/abcdefghijk",
        "http://www.youtube.com/watch?v=abcdefghijk&t=42s",
        "https://m.youtube.com/watch?v=abcdefghijk",
        "https://music.youtube.com/watch?v=abcdefghijk&feature=share",
        "https://www.youtube.com/watch?feature=share&v=abcdefghijk",
    ],
)
def test_youtube_links_are_normalised(url: str) -> None:
    assert youtube_video_id(url) == "abcdefghijk"
    mv, _ = validate_entry({"title": "T", "artist": "A", "year": 2014, "youtube_url": url}, rules=SERVER_RULES)
    assert mv is not None and mv.youtube_url == WATCH + "abcdefghijk"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/results?search_query=vixx",
        "https://youtu.be/abcdefghij",
        "https://youtu.be/abcdefghijkl",
        "https://evil.example/youtu.be/abcdefghijk",
        "https://notyoutube.com/watch?v=abcdefghijk",
    ],
)
def test_what_is_not_a_youtube_video(url: str) -> None:
    assert youtube_video_id(url) is None


def test_make_id_follows_the_catalog_style() -> None:
    kept = [mv for mv in load_catalog().entries if make_id(mv.artist, mv.title) == mv.id]
    assert len(kept) >= 20  # curated ids that shorten an act ("yunho-…") differ, by choice
    assert make_id("ROSÉ", "toxic till the end") == "rose-toxic-till-the-end"
    assert make_id("V", "FRI(END)S") == "v-friends"
    assert make_id("TWICE", "STRATEGY (feat. Megan Thee Stallion)") == "twice-strategy"
    assert make_id("B.A.P", "One Shot") == "bap-one-shot"
    assert make_id("빅뱅", "하루하루") == "mv"
    assert make_id("BIGBANG", "하루하루") == "bigbang"
    assert len(make_id("A" * 80, "B" * 80)) <= 60


# --------------------------------------------------------------------------- find_duplicate


def test_find_duplicate_by_normalised_title_and_artist_or_by_video() -> None:
    rose = make_mv(id="rose-x", title="toxic till the end", artist="ROSÉ")
    video = make_mv(id="v", title="Something Else", artist="Other", youtube_url=WATCH + "abcdefghijk")
    existing = [rose, video]
    assert find_duplicate(make_mv(title="Toxic Till The End!", artist="Rose"), existing) is rose
    assert find_duplicate(make_mv(title="New", artist="New", youtube_url=WATCH + "abcdefghijk"), existing) is video
    assert find_duplicate(make_mv(title="toxic till the end", artist="LISA"), existing) is None
    assert find_duplicate(make_mv(title="하루하루", artist="BIGBANG"), [make_mv(title="하루 하루", artist="bigbang")])


# --------------------------------------------------------------------------- export


def _stripped(text: str) -> str:
    return text.strip()


SPECIAL_TEXT = [
    "하루하루", 'Say "hi"', "back\\slash\\", "two\nlines", "a | b", "@everyone", "<@&123>", "🎤✨💜",
    "=HYPERLINK(\"http://x\")", "+82", "-1", "@SUM(A1)", "'=quoted", "tab\tinside", "\u0000nul",
    "ends with \\", "\u007fdel", "ROSÉ", "FRI(END)S", "[[mv]]", "key = \"value\"", "# not a comment",
]  # fmt: skip
texts = st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(min_size=1, max_size=30)).map(_stripped).filter(bool)
#: Twists without letters, so no twist word can turn up in a role or storyline (the spoiler rule)
twists = st.one_of(
    st.sampled_from(['끝 "반전" \\ | 🎬 =1+1', "…!?", "-- 42 --"]),
    st.text(st.characters(exclude_categories=("L", "M", "N", "Cs")), min_size=1, max_size=20)
    .map(_stripped)
    .filter(bool),
)
seed_sources = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,12}\.txt", fullmatch=True)
url_sources = st.from_regex(r"https://[a-z]{1,8}\.[a-z]{2,4}/[A-Za-z0-9_/?=&%-]{0,20}", fullmatch=True)
videos = st.from_regex(r"[A-Za-z0-9_-]{11}", fullmatch=True).map(lambda video: WATCH + video)


@st.composite
def entries(draw: st.DrawFn, *, curated: bool) -> list[MV]:
    """1-3 entries the validator accepts as they are (under the catalog's rules if curated)."""
    count = draw(st.integers(1, 3))
    ids = draw(
        st.lists(
            st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    result = []
    for position, mv_id in enumerate(ids, start=1):
        day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
        universe = draw(st.booleans())
        sources = draw(st.lists(seed_sources | url_sources if curated else texts, min_size=int(curated), max_size=3))
        result.append(
            MV(
                id=mv_id,
                title=draw(texts),
                title_ko=draw(st.none() | texts),
                artist=draw(texts),
                group=draw(st.none() | texts),
                year=day.year,
                release_date=draw(st.sampled_from([None, day])),
                album=draw(st.none() | texts),
                cast=tuple(draw(st.lists(st.builds(CastMember, texts, st.none() | texts), max_size=3))),
                themes=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(sorted(THEMES)),
                            min_size=int(curated),
                            max_size=3,
                            unique=True,
                        )
                    )
                ),
                universe="Saga ☆ 세계" if universe else None,
                universe_order=position if universe else None,
                storyline=draw(st.none() | texts),
                twist=draw(st.none() | twists),
                content_warnings=tuple(draw(st.lists(st.sampled_from(sorted(WARNINGS)), max_size=3, unique=True))),
                mature=draw(st.booleans()),
                aliases=tuple(draw(st.lists(texts.filter(matching_key), max_size=3))),
                sources=tuple(sources),
                youtube_url=draw(st.none() | videos),
            )
        )
    _assume_aliases_find_one_entry(result)
    return result


def _assume_aliases_find_one_entry(mvs: list[MV]) -> None:
    """The catalog's rule across entries: an alias is no other entry's title or alias."""
    for mv in mvs:
        others = [other for other in mvs if other is not mv]
        names = {
            matching_key(text) for other in others for text in (other.title, other.title_ko, *other.aliases) if text
        }
        assume(not names & {matching_key(alias) for alias in mv.aliases})


@settings(max_examples=80, deadline=None)
@given(entries(curated=True))
def test_catalog_entries_round_trip_through_export(mvs: list[MV]) -> None:
    assert read_entries(export_pack(mvs)) == mvs


@settings(max_examples=80, deadline=None)
@given(entries(curated=False))
def test_server_entries_round_trip_through_export(mvs: list[MV]) -> None:
    text = export_pack(mvs)
    assert read_entries(text, rules=SERVER_RULES) == mvs
    report = read_pack(text.encode(), "server.toml")
    assert not report.invalid
    assert [*report.new, *(d.entry for d in report.duplicates)] == sorted(mvs, key=lambda mv: mv not in report.new)


@pytest.mark.parametrize("text", SPECIAL_TEXT)
def test_awkward_text_round_trips(text: str) -> None:
    mv = make_mv(
        id="awkward", title=text, artist=text, title_ko=text, storyline=text, album=text,
        cast=(CastMember(text, text),), aliases=(text,) if matching_key(text) else (),
        sources=(text,),
    )  # fmt: skip
    assert read_entries(export_pack([mv]), rules=SERVER_RULES) == [mv]
    assert read_pack(export_pack([mv]).encode(), "awkward.toml").new == (mv,)


def test_export_keeps_the_catalog_key_order() -> None:
    mv = load_catalog().get("k-will-please-dont")
    assert mv is not None
    text = export_pack([mv])
    keys = [line.split(" = ")[0] for line in text.splitlines() if " = " in line and not line.startswith(" ")]
    assert keys == [
        "id", "title", "title_ko", "artist", "year", "album", "themes", "content_warnings",
        "mature", "aliases", "cast", "storyline", "twist", "sources",
    ]  # fmt: skip
    assert read_entries(text) == [mv]


# --------------------------------------------------------------------------- formulas


@given(st.text())
def test_neutralising_a_formula_is_undone_on_import(text: str) -> None:
    cell = neutralize_formula(text)
    assert restore_formula(cell) == text
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+82 10", "'+82 10"),
        ("-1", "'-1"),
        ("@everyone", "'@everyone"),
        ("'=x", "''=x"),
        ("'Cause", "'Cause"),
        ("하루하루", "하루하루"),
        ("'", "'"),
    ],
)
def test_formula_cells(text: str, cell: str) -> None:
    assert neutralize_formula(text) == cell


def test_the_csv_export_is_safe_in_a_spreadsheet_and_imports_as_itself() -> None:
    mvs = [
        make_mv(
            id="a",
            title='=HYPERLINK("http://evil")',
            artist="@everyone",
            title_ko="-하루",
            release_date=date(2014, 10, 14),
        ),
        make_mv(id="b", title="'=already", artist="+82", youtube_url=WATCH + "abcdefghijk"),
        make_mv(id="c", title='Plain, "quoted"\nand split', artist="VIXX", year=1999),
    ]
    text = export_csv(mvs)
    assert text.startswith("\ufeff" + ",".join(HEADER.split(",")) + "\r\n")
    cells = [cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    report = read_pack(text.encode("utf-8"), "export.csv")
    carried = [(mv.title, mv.artist, mv.title_ko, mv.year, mv.release_date, mv.youtube_url) for mv in report.new]
    assert carried == [(mv.title, mv.artist, mv.title_ko, mv.year, mv.release_date, mv.youtube_url) for mv in mvs]


# --------------------------------------------------------------------------- `check`


def test_check_runs_the_dry_run_on_a_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(FIXTURE)]) == 1  # the fixture has broken rows
    out = capsys.readouterr().out
    assert re.search(rf"{re.escape(str(FIXTURE))}: pack dry run \(duplicates checked against \d+ built-in", out)
    assert re.search(r"17 rows read: \d+ new, \d+ duplicates, 5 invalid", out)
    clean = tmp_path / "clean.csv"
    clean.write_bytes(csv_bytes("2014-10-14,VIXX,Error", "2013-05-14,VIXX,Hyde"))
    assert main(["check", str(clean)]) == 0
    assert "clean.csv (CSV): 2 rows read: " in capsys.readouterr().out
    latin = tmp_path / "latin.csv"
    latin.write_bytes(csv_bytes("2003-06-24,Beyoncé,Crazy").replace("é".encode(), b"\xe9"))
    assert main(["check", str(latin)]) == 1
    assert "pack check failed: latin.csv is not UTF-8 (it looks like Latin-1" in capsys.readouterr().err


def test_check_reads_a_toml_pack_only_when_asked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text('[[mv]]\ntitle = "Hyde"\nartist = "VIXX"\nyear = 2013\n', encoding="utf-8")
    assert main(["check", str(pack), "--pack"]) == 0
    assert "pack.toml (TOML): 1 row read: " in capsys.readouterr().out
    assert main(["check", str(pack)]) == 1  # the built-in catalog's rules: ids, themes, sources
    assert "field 'id': missing (required)" in capsys.readouterr().err
