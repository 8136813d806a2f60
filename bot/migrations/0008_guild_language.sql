-- `/settings language:`: the language of a server's public messages (polls, results,
-- storyline posts, review queue). A server without a row speaks its Community locale
-- when Discord sends one, and English otherwise. `locale` is Discord's code (`pt-BR`).
CREATE TABLE guild_language (
    guild_id INTEGER PRIMARY KEY,
    locale TEXT NOT NULL,
    set_by INTEGER NOT NULL,
    set_at INTEGER NOT NULL
) STRICT;
