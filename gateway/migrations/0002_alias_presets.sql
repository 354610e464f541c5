-- Presets: the request members an alias sets. Each column holds a JSON object as compact
-- text, exactly as the crate validated and wrote it, or NULL when the alias sets none.
ALTER TABLE aliases ADD COLUMN defaults TEXT;
ALTER TABLE aliases ADD COLUMN overrides TEXT;
