-- Lightstick core tables (PostgreSQL variant of 0001_initial.sql: no STRICT).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
