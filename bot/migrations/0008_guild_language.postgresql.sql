-- The PostgreSQL variant of 0008_guild_language.sql: BIGINT for snowflakes and unix seconds.
CREATE TABLE guild_language (
    guild_id BIGINT PRIMARY KEY,
    locale TEXT NOT NULL,
    set_by BIGINT NOT NULL,
    set_at BIGINT NOT NULL
);
