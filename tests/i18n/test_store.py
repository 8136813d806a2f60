"""A server's language, stored: on SQLite and on PostgreSQL, with the real migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import Database
from bot.i18n.store import GuildLanguages, server_locale

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
GUILD = 1_111_111_111_111_111_111
ADMIN = 2_222_222_222_222_222_222


async def test_a_choice_is_stored_read_back_by_a_new_process_and_forgotten(db: Database) -> None:
    languages = GuildLanguages(db)
    assert await languages.chosen(GUILD) is None
    await languages.choose(GUILD, "pt-BR", by=ADMIN, now=NOW)
    assert await languages.chosen(GUILD) == "pt-BR"

    row = await db.fetchone("SELECT locale, set_by, set_at FROM guild_language WHERE guild_id = ?", (GUILD,))
    assert row is not None and tuple(row) == ("pt-BR", ADMIN, int(NOW.timestamp()))
    assert await GuildLanguages(db).chosen(GUILD) == "pt-BR"  # another process reads it

    await languages.choose(GUILD, "ko", by=ADMIN, now=NOW)
    assert await GuildLanguages(db).chosen(GUILD) == "ko"
    assert await db.fetchval("SELECT COUNT(*) FROM guild_language") == 1

    await languages.choose(GUILD, None, by=ADMIN, now=NOW)
    assert await languages.chosen(GUILD) is None
    assert await GuildLanguages(db).chosen(GUILD) is None
    assert await db.fetchval("SELECT COUNT(*) FROM guild_language") == 0


async def test_a_stored_locale_lightstick_no_longer_has_reads_as_no_choice(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO guild_language (guild_id, locale, set_by, set_at) VALUES (?, ?, ?, ?)",
            (GUILD, "xx-YY", ADMIN, int(NOW.timestamp())),
        )
    assert await GuildLanguages(db).chosen(GUILD) is None


def test_the_public_language_is_the_choice_then_the_community_locale_then_english() -> None:
    assert server_locale("vi", "ja") == "vi"
    assert server_locale(None, "ja") == "ja"
    assert server_locale(None, "fr") == "en-US"
    assert server_locale(None, None) == "en-US"
