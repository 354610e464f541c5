-- Model access: a key's allow list as a JSON array of entries ("openai/*",
-- "deepseek/deepseek-chat"), exactly as the crate validated them; NULL when the key has no
-- list (every model allowed). An empty array allows nothing.
ALTER TABLE api_keys ADD COLUMN allow_list TEXT;

-- Usage, billed as the real model: per key and resolved model (never the alias), what the
-- upstream's `usage` objects counted. Rows are added to in batches, off the request path.
CREATE TABLE key_usage (
    key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    requests BIGINT NOT NULL DEFAULT 0,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, model)
);
