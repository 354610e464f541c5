-- API keys and their aliases. One schema for SQLite and Postgres (portable types only).
-- A key's secret is never stored: only its SHA-256, in hex, which is what requests are
-- looked up by.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- A key's aliases in the user's order; replaced whole, in one transaction. Integers are
-- BIGINT and `hidden` is 0 or 1, so that both databases read them back as the same type.
CREATE TABLE aliases (
    key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    target TEXT NOT NULL,
    match_kind TEXT NOT NULL CHECK (match_kind IN ('exact', 'prefix')),
    hidden BIGINT NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    PRIMARY KEY (key_id, position)
);
