-- A key rotation looks for the conversations still wrapped by an older master key, a batch at
-- a time, and `ecoute keys status` counts them per version: both walk this index instead of
-- the whole table.
CREATE INDEX conversations_key_version ON conversations (key_version, id);
