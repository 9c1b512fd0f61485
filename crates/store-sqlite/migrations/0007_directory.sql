-- Canned replies, written by supervisors; shortcuts are unique.
CREATE TABLE canned_replies (
    id         TEXT PRIMARY KEY,
    shortcut   TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The directory of support services, loaded whole from a data file (`ecoute resources load`).
-- departement NULL: a national service.
CREATE TABLE resources (
    position    INTEGER PRIMARY KEY,
    departement TEXT,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    phone       TEXT,
    address     TEXT,
    hours       TEXT,
    url         TEXT,
    sample      INTEGER NOT NULL CHECK (sample IN (0, 1))
) STRICT;
CREATE INDEX resources_by_departement ON resources (departement, position);
