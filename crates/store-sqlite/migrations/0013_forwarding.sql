-- Forwarded reports (issue 19, docs/DOSSIER.md): unit accounts, the visitor's consent, the
-- dossiers and what is recorded on them, and the log of the e-mails that told a unit.

-- A unit's account: role `unit`, tied to its unit. SQLite cannot change a CHECK constraint in
-- place, so the table is rebuilt. Foreign keys are deferred to the commit (the new table holds
-- every id again by then); dropping the old table still cascades to the sessions and recovery
-- codes, which are kept aside and put back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE keep_staff_sessions AS SELECT * FROM staff_sessions;
CREATE TEMP TABLE keep_recovery_codes AS SELECT * FROM recovery_codes;
CREATE TABLE users_new (
    id               TEXT PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin', 'unit')),
    password_hash    TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    totp_secret      BLOB,
    totp_key_version INTEGER,
    totp_last_step   INTEGER,
    capacity         INTEGER NOT NULL DEFAULT 3 CHECK (capacity BETWEEN 1 AND 20),
    force            TEXT CHECK (force IN ('police', 'gendarmerie')),
    minors           INTEGER NOT NULL DEFAULT 0 CHECK (minors IN (0, 1)),
    languages        TEXT NOT NULL DEFAULT 'fr',
    -- The unit of a unit's account (not a foreign key: the directory is replaced whole by
    -- `ecoute units load`, and an account outlives a reload).
    unit_id          TEXT,
    CHECK ((role = 'unit') = (unit_id IS NOT NULL))
) STRICT;
INSERT INTO users_new (id, username, display_name, role, password_hash, created_at,
                       totp_secret, totp_key_version, totp_last_step, capacity, force, minors,
                       languages)
    SELECT id, username, display_name, role, password_hash, created_at,
           totp_secret, totp_key_version, totp_last_step, capacity, force, minors, languages
    FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
DELETE FROM staff_sessions;
INSERT INTO staff_sessions SELECT * FROM temp.keep_staff_sessions;
DELETE FROM recovery_codes;
INSERT INTO recovery_codes SELECT * FROM temp.keep_recovery_codes;
DROP TABLE temp.keep_staff_sessions;
DROP TABLE temp.keep_recovery_codes;

-- The consent question put to the visitor in the chat, and their answer. `sealed` (the
-- question as shown, the language, the contact instructions) is sealed with the chat's key.
CREATE TABLE consents (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
    unit_id         TEXT NOT NULL,
    asked_by        TEXT NOT NULL,
    asked_at        INTEGER NOT NULL,
    answer          INTEGER CHECK (answer IN (0, 1)),
    answered_at     INTEGER,
    sealed          BLOB
) STRICT;

-- One dossier per forwarded chat. Both files are sealed with the chat's key: the purge, which
-- deletes the chat's row and its wrapped key, deletes these rows with it.
CREATE TABLE dossiers (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL UNIQUE REFERENCES conversations (id),
    reference        TEXT NOT NULL UNIQUE,
    unit_id          TEXT NOT NULL,
    state            TEXT NOT NULL,
    produced_at      INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    first_contact_at INTEGER,
    updated_at       INTEGER NOT NULL,
    closed_at        INTEGER,
    digest           TEXT NOT NULL,
    signed_by        INTEGER NOT NULL,
    sealed_json      BLOB NOT NULL,
    sealed_pdf       BLOB NOT NULL
) STRICT;
CREATE INDEX dossiers_by_unit ON dossiers (unit_id, produced_at);
CREATE INDEX dossiers_waiting ON dossiers (produced_at) WHERE state = 'sent';

-- What a unit and the person record on a dossier: a state (with the unit's note) or a message
-- from the person; the text sealed with the chat's key.
CREATE TABLE dossier_events (
    dossier_id  TEXT NOT NULL REFERENCES dossiers (id),
    seq         INTEGER NOT NULL,
    state       TEXT,
    by_user     TEXT REFERENCES users (id),
    sealed_text BLOB,
    at          INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, seq)
) STRICT;

-- The e-mails that told a unit a dossier waits: no address, no content.
CREATE TABLE dossier_notifications (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    unit_id    TEXT NOT NULL,
    at         INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    attempts   INTEGER NOT NULL
) STRICT;
CREATE INDEX dossier_notifications_by_dossier ON dossier_notifications (dossier_id, at);
