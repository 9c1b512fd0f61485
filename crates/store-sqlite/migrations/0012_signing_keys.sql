-- The installation's dossier signing keys (docs/DOSSIER.md). The secret is stored only sealed
-- by a master key, whose version `key_version` names, so that `ecoute keys rotate` seals it
-- again like the other secrets; `id` is the record id the seal is bound to (derived from the
-- version), which lets the rotation's shared queries name the row. The key that signs is the
-- highest version not retired; a retired key stays listed, as the dossiers it signed still
-- check against it.
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL UNIQUE CHECK (version > 0),
    public_key  BLOB NOT NULL CHECK (length(public_key) = 32),
    sealed      BLOB NOT NULL,
    key_version INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
) STRICT;
