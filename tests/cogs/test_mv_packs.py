"""`/mv export` and `/mv import file:` end to end: the real bot against the fake Discord."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.server import CurationSettings, server_mv_id
from bot.catalog.server import store as store_module
from bot.catalog.server.entries import entry_fields, validate_server_entry
from bot.client import LightstickBot
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild, InteractionRecord, Member

JSON = dict[str, Any]
EPHEMERAL = 64
SAMPLE_CSV = Path(__file__).resolve().parents[1] / "data" / "kpop_mvs_sample.csv"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MANAGE_GUILD = 1 << 5

RICH_ENTRY = {
    "title": 'Neon Heist "Live" =1+1',
    "title_ko": "네온 하이스트",
    "artist": "Haneul",
    "group": "Sky Crew",
    "release_date": "2022-04-01",
    "album": "Night Drive",
    "cast": [{"name": "Kim Min-ji", "role": "the thief"}, {"name": "Lee"}],
    "themes": ["heist", "crime"],
    "universe": "Neon Saga",
    "universe_order": 1,
    "storyline": "A crew plans one last job under the city lights.\nThen the alarms ring.",
    "twist": "The detective was one of them all along.",
    "content_warnings": ["guns"],
    "mature": True,
    "aliases": ["Neon Job"],
    "sources": ["fan wiki\\page", "=cmd|' /C calc'!A0"],
    "youtube_url": "https://youtu.be/NeonHeist01",
}


@dataclass
class World:
    fake: FakeDiscord
    bot: LightstickBot
    guild: Guild
    other: Guild
    general: JSON
    admin: Member
    curator: Member
    fan: Member
    other_admin: Member

    @property
    def store(self) -> store_module.ServerCatalogStore:
        return self.bot.catalogs.store

    @property
    def cog(self) -> Any:
        return self.bot.get_cog("MV")

    async def slash(self, command: str, user: Member | None = None, guild: Guild | None = None, **options: Any):
        guild = guild or self.guild
        channel = self.general if guild is self.guild else self.fake.channel(guild, "general")
        return await self.fake.slash(command, guild, channel, user or self.admin, **options)

    async def dry_run(self, data: bytes, filename: str = "kpop.csv", **kwargs: Any) -> JSON:
        """The import's dry-run message (after the deferred reply is edited)."""
        record = await self.slash("mv import", file=self.fake.attachment(filename, data), **kwargs)
        return await record.final_message()

    async def rows(self) -> dict[str, int]:
        db = self.bot.db
        return {
            table: int(await db.fetchval(f"SELECT COUNT(*) FROM {table}"))
            for table in ("server_entries", "server_entry_history")
        }


@pytest.fixture
def bots(engine_bots: BotRunner) -> BotRunner:
    """Every test here runs on SQLite and on PostgreSQL."""
    return engine_bots


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> World:
    guild = fake.add_guild("K-Pop Central")
    other = fake.add_guild("둘째 서버")
    curators = fake.add_role(guild, "curators")
    admins = fake.add_role(guild, "admins", permissions=MANAGE_GUILD)
    other_admins = fake.add_role(other, "admins", permissions=MANAGE_GUILD)
    world = World(
        fake,
        await bots.start(),
        guild,
        other,
        fake.channel(guild, "general"),
        fake.add_member(guild, "admin", roles=[admins]),
        fake.add_member(guild, "curator", roles=[curators]),
        fake.add_member(guild, "fan"),
        fake.add_member(other, "other-admin", roles=[other_admins]),
    )
    await world.store.save_settings(CurationSettings(guild.id, curator_role_id=curators), now=NOW)
    return world


def embed_of(message: JSON) -> JSON:
    [embed] = message["embeds"]
    return dict(embed)


def buttons(message: JSON) -> dict[str, JSON]:
    return {c["label"]: c for row in message.get("components", []) for c in row["components"] if c["type"] == 2}


def button_id(message: JSON, label_start: str) -> str:
    return next(c["custom_id"] for label, c in buttons(message).items() if label.startswith(label_start))


async def outcome(record: InteractionRecord, starts: str) -> JSON:
    """The message after a Confirm click: the click's own edits until one starts with `starts`."""
    await record.response()
    await eventually(lambda: any(e.get("content", "").startswith(starts) for e in record.edits), timeout=10)
    return next(e for e in record.edits if e.get("content", "").startswith(starts))


def uploaded(fake: FakeDiscord, message: JSON) -> list[tuple[str, bytes]]:
    """The files on a message the bot sent, as (filename, bytes) from the fake CDN."""
    return [(a["filename"], fake.files[int(a["id"])][1]) for a in message["attachments"]]


# --------------------------------------------------------------------------- definitions


async def test_export_and_import_are_mv_subcommands(world: World) -> None:
    mv = next(c for c in world.fake.commands["global"] if c["name"] == "mv")
    subcommands = {sub["name"]: sub for sub in mv["options"]}
    export, imported = subcommands["export"], subcommands["import"]
    assert 1 <= len(export["description"]) <= 100 and 1 <= len(imported["description"]) <= 100
    [file_option] = imported["options"]
    assert (file_option["name"], file_option["type"], file_option["required"]) == ("file", 11, True)
    [format_option] = export["options"]
    assert [c["value"] for c in format_option["choices"]] == ["toml", "csv"]
    assert all(len(c["name"]) <= 100 for c in format_option["choices"])


# --------------------------------------------------------------------------- import: dry run, confirm


async def test_a_public_list_csv_is_dry_run_then_written_on_confirm(world: World) -> None:
    dry_run = await world.dry_run(SAMPLE_CSV.read_bytes(), "kpop_mvs_sample.csv")
    assert dry_run["flags"] & EPHEMERAL
    text = embed_of(dry_run)["description"]
    assert "17 rows read: 8 new, 4 duplicates, 5 invalid" in text
    assert "row 3: “Haru Haru” by BIGBANG is already in the catalog (bigbang-haru-haru)" in text
    assert "row 14: “Black Swan” by BTS repeats row 13" in text
    assert "row 10: Date: '13/45/20' is not a date" in text
    assert "row 11: Artist: missing (required)" in text
    assert "row 18: 9 cells but the header has 8 columns" in text
    assert "Confirm" in str(embed_of(dry_run)["fields"])
    assert set(buttons(dry_run)) == {"Confirm: add 8", "Cancel"}
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}  # a dry run writes nothing

    view_before = await world.bot.catalogs.get(world.guild.id)
    confirm = button_id(dry_run, "Confirm")
    first = await world.fake.click(dry_run, confirm, world.guild, world.admin)
    second = await world.fake.click(dry_run, confirm, world.guild, world.admin)  # a double click
    done = await outcome(first, "Imported 8 entries")
    assert "kpop_mvs_sample.csv" in done["content"]
    assert all(button["disabled"] for button in buttons(done).values())
    again = await second.response()
    assert again["data"]["flags"] & EPHEMERAL and "already" in again["data"]["content"]

    assert await world.rows() == {"server_entries": 8, "server_entry_history": 8}
    view = await world.bot.catalogs.get(world.guild.id)
    assert view is not view_before and len(view.own) == 8
    daechwita = view.find("대취타")
    assert daechwita is not None and daechwita.from_server
    assert (daechwita.title, daechwita.artist, str(daechwita.release_date)) == ("Daechwita", "Agust D", "2020-05-22")
    assert daechwita.youtube_url == "https://www.youtube.com/watch?v=fixture0001"
    assert daechwita.approved_by == world.admin.user_id
    alone = view.find("Alone")
    assert alone is not None and alone.artist == "Dynamic Duo, Chen (EXO)" and alone.title_ko == "혼자"
    villain = view.find("Villain")
    assert villain is not None and (villain.year, villain.release_date) == (2019, None)
    entry_id = int(daechwita.id.removeprefix("s-"))
    [history] = await world.store.history(world.guild.id, entry_id)
    assert history.actor_id == world.admin.user_id and history.changes["title"] == (None, "Daechwita")

    # the same file again: everything is a duplicate now, nothing to confirm
    repeat = await world.dry_run(SAMPLE_CSV.read_bytes(), "kpop_mvs_sample.csv")
    assert "0 new, 12 duplicates" in embed_of(repeat)["description"]
    assert buttons(repeat) == {} and "no new entries" in str(embed_of(repeat)["fields"])


async def test_only_the_importer_may_press_the_buttons_and_cancel_writes_nothing(world: World) -> None:
    dry_run = await world.dry_run(SAMPLE_CSV.read_bytes(), user=world.curator)  # a curator by role
    assert "8 new" in embed_of(dry_run)["description"]
    stranger = await world.fake.click(dry_run, button_id(dry_run, "Confirm"), world.guild, world.admin)
    body = await stranger.response()
    assert body["data"]["flags"] & EPHEMERAL and "Only the curator who started this import" in body["data"]["content"]
    cancelled = await world.fake.click(dry_run, button_id(dry_run, "Cancel"), world.guild, world.curator)
    assert (await cancelled.response())["data"]["content"].startswith("Import cancelled; nothing was written")
    assert all(button["disabled"] for button in buttons(world.fake.ephemeral_messages[int(dry_run["id"])]).values())
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}


async def test_a_dry_run_expires_and_its_buttons_are_disabled(world: World) -> None:
    world.cog.import_timeout = 0.3
    dry_run = await world.dry_run(SAMPLE_CSV.read_bytes())
    message_id = int(dry_run["id"])

    def expired() -> bool:
        message = world.fake.ephemeral_messages[message_id]
        return all(b["disabled"] for b in buttons(message).values()) and "expired" in message.get("content", "")

    await eventually(expired, timeout=5)
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}


async def test_a_failure_while_writing_leaves_nothing_written(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    dry_run = await world.dry_run(SAMPLE_CSV.read_bytes())

    def crash(*args: object) -> list[object]:
        raise RuntimeError("the disk fell off")  # after the entries are inserted, before their history

    monkeypatch.setattr(store_module, "_added_history", crash)
    click = await world.fake.click(dry_run, button_id(dry_run, "Confirm"), world.guild, world.admin)
    failed = await outcome(click, "The import failed and nothing was written (error id")
    assert all(button["disabled"] for button in buttons(failed).values())
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}
    assert len((await world.bot.catalogs.get(world.guild.id)).own) == 0


async def test_an_import_past_the_server_limit_is_refused_at_the_dry_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules["cogs.mv.packs"], "MAX_ENTRIES", 5)
    dry_run = await world.dry_run(SAMPLE_CSV.read_bytes())
    assert buttons(dry_run) == {}
    assert "room for 5, not 8" in str(embed_of(dry_run)["fields"])
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}


# --------------------------------------------------------------------------- import: bad files


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("Date,Artist,Song Name\n2020-01-01,Beyoncé,Café\n".encode("latin-1"), ["not UTF-8", "Latin-1", "CSV UTF-8"]),
        ("\ufeffDate,Artist,Song Name\n2020-01-01,아이유,밤편지\n".encode("utf-16"), ["not UTF-8", "UTF-16"]),
        ("Date,Artist,Song Name\n2020-01-01,아이유,밤편지\n".encode("cp949"), ["not UTF-8", "EUC-KR / CP949"]),
        (b"Title;Year\nError;2014\n", ["no 'Date' / 'Artist' column", "found: Title, Year", "Date,Artist,Song Name"]),
    ],
)
async def test_a_file_in_the_wrong_encoding_or_format_is_refused_with_what_to_fix(
    world: World, data: bytes, words: list[str]
) -> None:
    record = await world.slash("mv import", file=world.fake.attachment("list.csv", data))
    message = await record.final_message()
    assert message["flags"] & EPHEMERAL and not message.get("components")
    for word in [*words, "Nothing was imported"]:
        assert word in message["content"], message["content"]
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}


async def test_a_toml_pack_with_a_syntax_error_is_refused(world: World) -> None:
    record = await world.slash("mv import", file=world.fake.attachment("pack.toml", b'[[mv]]\ntitle = "Error\n'))
    message = await record.final_message()
    assert "not valid TOML" in message["content"]
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}


async def test_a_file_over_two_megabytes_or_not_a_pack_is_refused_before_downloading(world: World) -> None:
    big = b"Date,Artist,Song Name\n" + b"2020-01-01,Act,Song\n" * 115_000
    assert len(big) > 2 * 1024 * 1024
    record = await world.slash("mv import", file=world.fake.attachment("huge.csv", big))
    body = await record.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "at most 2 MB" in body["data"]["content"] and "Split it" in body["data"]["content"]
    workbook = await world.slash("mv import", file=world.fake.attachment("list.xlsx", b"PK\x03\x04rest"))
    assert "CSV UTF-8" in (await workbook.response())["data"]["content"]
    image = await world.slash("mv import", file=world.fake.attachment("cat.png", b"\x89PNG"))
    assert "not a pack" in (await image.response())["data"]["content"]
    assert world.fake.cdn_downloads == []
    assert await world.rows() == {"server_entries": 0, "server_entry_history": 0}


async def test_members_who_are_not_curators_can_neither_import_nor_export(world: World) -> None:
    options: dict[str, dict[str, Any]] = {"mv import": {"file": world.fake.attachment("a.csv", b"x")}, "mv export": {}}
    for command, given in options.items():
        record = await world.fake.slash(command, world.guild, world.general, world.fan, **given)
        body = await record.response()
        assert body["data"]["flags"] & EPHEMERAL and "Only curators" in body["data"]["content"]
    assert world.fake.cdn_downloads == []
    curator_export = await world.slash("mv export", world.curator)
    assert "no entries of its own yet" in (await curator_export.response())["data"]["content"]


# --------------------------------------------------------------------------- export


async def test_an_export_imported_into_another_server_gives_identical_entries(world: World) -> None:
    store = world.store
    await store.import_entries(world.guild.id, [validate_server_entry(RICH_ENTRY)], world.admin.user_id, now=NOW)
    dry_run = await world.dry_run(SAMPLE_CSV.read_bytes())
    await outcome(
        await world.fake.click(dry_run, button_id(dry_run, "Confirm"), world.guild, world.admin), "Imported 8"
    )
    exported = await world.slash("mv export")
    body = await exported.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"].startswith("This server's 9 entries, in the data/mvs.toml format")
    [(filename, data)] = uploaded(world.fake, exported.original or {})
    assert filename == "k-pop-central-catalog.toml"
    text = data.decode("utf-8")
    assert text.startswith("# Lightstick MV pack: 9 entries") and "네온 하이스트" in text

    record = await world.slash("mv import", world.other_admin, world.other, file=world.fake.attachment(filename, data))
    dry_run_b = await record.final_message()
    assert "9 rows read: 9 new, 0 duplicates, 0 invalid" in embed_of(dry_run_b)["description"]
    click = await world.fake.click(dry_run_b, button_id(dry_run_b, "Confirm"), world.other, world.other_admin)
    await outcome(click, "Imported 9 entries")

    in_a = await store.entries(world.guild.id)
    in_b = await store.entries(world.other.id)
    assert [entry_fields(e.mv) for e in in_b] == [entry_fields(e.mv) for e in in_a]
    assert {e.entry_id for e in in_a}.isdisjoint(e.entry_id for e in in_b)
    assert all(e.approved_by == world.other_admin.user_id for e in in_b)
    rich = (await world.bot.catalogs.get(world.other.id)).find("Neon Job")
    assert rich is not None and rich.twist == RICH_ENTRY["twist"] and rich.mature and len(rich.cast) == 2

    # exporting B gives the same pack but for the ids Lightstick gave the entries
    again = await world.slash("mv export", world.other_admin, world.other)
    await again.response()
    [(name_b, data_b)] = uploaded(world.fake, again.original or {})
    assert name_b == f"server-{world.other.id}-catalog.toml"  # a name with nothing Latin in it
    ids_a = [server_mv_id(e.entry_id) for e in in_a]
    ids_b = [server_mv_id(e.entry_id) for e in in_b]
    for id_a, id_b in zip(ids_a, ids_b, strict=True):
        text = text.replace(f'id = "{id_a}"\n', f'id = "{id_b}"\n', 1)
    assert data_b.decode("utf-8") == text


async def test_a_csv_export_neutralises_formulas_and_imports_back(world: World) -> None:
    await world.store.import_entries(world.guild.id, [validate_server_entry(RICH_ENTRY)], world.admin.user_id, now=NOW)
    exported = await world.slash("mv export", format="csv")
    body = await exported.response()
    assert "Cells a spreadsheet would run as a formula start with an apostrophe" in body["data"]["content"]
    [(filename, data)] = uploaded(world.fake, exported.original or {})
    assert filename == "k-pop-central-catalog.csv"
    text = data.decode("utf-8")
    assert text.startswith("\ufeffDate,Artist,Song Name,Korean Name,Director,Video,Type,Release\r\n")
    assert '2022-04-01,Haneul,"Neon Heist ""Live"" =1+1",네온 하이스트,,' in text
    evil = validate_server_entry({"title": '=HYPERLINK("http://x")', "artist": "@Act", "year": 2021})
    await world.store.import_entries(world.guild.id, [evil], world.admin.user_id, now=NOW)
    second = await world.slash("mv export", format="csv")
    await second.response()
    [(_, data)] = uploaded(world.fake, second.original or {})
    lines = data.decode("utf-8").splitlines()
    assert lines[2] == '2021,\'@Act,"\'=HYPERLINK(""http://x"")",,,,,'
    record = await world.slash(
        "mv import", world.other_admin, world.other, file=world.fake.attachment("back.csv", data)
    )
    dry_run = await record.final_message()
    assert "2 new" in embed_of(dry_run)["description"]
    click = await world.fake.click(dry_run, button_id(dry_run, "Confirm"), world.other, world.other_admin)
    await outcome(click, "Imported 2 entries")
    titles = {(e.mv.title, e.mv.artist) for e in await world.store.entries(world.other.id)}
    assert titles == {('Neon Heist "Live" =1+1', "Haneul"), ('=HYPERLINK("http://x")', "@Act")}


async def test_concurrent_confirms_of_two_curators_write_each_import_once(world: World) -> None:
    first = await world.dry_run(SAMPLE_CSV.read_bytes(), user=world.admin)
    second = await world.dry_run(SAMPLE_CSV.read_bytes(), user=world.curator)
    clicks = await asyncio.gather(
        world.fake.click(first, button_id(first, "Confirm"), world.guild, world.admin),
        world.fake.click(second, button_id(second, "Confirm"), world.guild, world.curator),
    )
    results = []
    for click in clicks:
        await click.response()
        await eventually(lambda: all(click.edits for click in clicks), timeout=10)
        results.append(click.edits[-1]["content"])
    assert sorted(r.split(" ")[0] for r in results) == ["Imported", "Nothing"]
    assert any("already in this server's catalog" in r and "run the import again" in r for r in results)
    assert await world.rows() == {"server_entries": 8, "server_entry_history": 8}
