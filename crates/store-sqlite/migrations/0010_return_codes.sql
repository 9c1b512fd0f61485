-- Return codes: a short keyed hash (the lookup bucket) and an argon2id hash of the code. A
-- blocked or purged conversation cannot be reopened: the first is excluded from lookups, the
-- second is gone.
ALTER TABLE conversations ADD COLUMN code_bucket INTEGER;
ALTER TABLE conversations ADD COLUMN code_hash TEXT;
CREATE INDEX conversations_code_bucket ON conversations (code_bucket) WHERE code_bucket IS NOT NULL;

-- Secrets of this installation that are not keys of the data (the return codes' lookup key).
CREATE TABLE install_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
