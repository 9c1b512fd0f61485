-- One key check value per master key version: a known constant sealed under that version's
-- key (crates/crypto, `MasterKey::check_value`). A process holding the key writes it the first
-- time it meets this database, and every process that opens the database with keys compares
-- its own key with it before anything else, so that a node started with another key is refused
-- instead of sealing what its peers cannot open (docs/SECURITY.md). It reveals nothing of the
-- key. A database from before this table gets its values at the next start, and only once the
-- key held has opened a secret already sealed under its version.
CREATE TABLE master_key_checks (
    version    INTEGER PRIMARY KEY CHECK (version > 0),
    sealed     BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
