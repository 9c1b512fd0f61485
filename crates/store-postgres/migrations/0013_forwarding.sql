-- Forwarded reports (issue 19, docs/DOSSIER.md): unit accounts, the visitor's consent, the
-- dossiers and what is recorded on them, and the log of the e-mails that told a unit.

-- A unit's account: role `unit`, tied to its unit (not a foreign key: the directory is
-- replaced whole by `ecoute units load`, and an account outlives a reload).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('officer', 'supervisor', 'admin', 'unit'));
ALTER TABLE users ADD COLUMN unit_id TEXT COLLATE "C";
ALTER TABLE users ADD CONSTRAINT users_unit_check CHECK ((role = 'unit') = (unit_id IS NOT NULL));

-- The consent question put to the visitor in the chat, and their answer. `sealed` (the
-- question as shown, the language, the contact instructions) is sealed with the chat's key.
CREATE TABLE consents (
    conversation_id TEXT COLLATE "C" PRIMARY KEY REFERENCES conversations (id),
    unit_id         TEXT COLLATE "C" NOT NULL,
    asked_by        TEXT COLLATE "C" NOT NULL,
    asked_at        BIGINT NOT NULL,
    answer          BOOLEAN,
    answered_at     BIGINT,
    sealed          BYTEA
);

-- One dossier per forwarded chat. Both files are sealed with the chat's key: the purge, which
-- deletes the chat's row and its wrapped key, deletes these rows with it.
CREATE TABLE dossiers (
    id               TEXT COLLATE "C" PRIMARY KEY,
    conversation_id  TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES conversations (id),
    reference        TEXT COLLATE "C" NOT NULL UNIQUE,
    unit_id          TEXT COLLATE "C" NOT NULL,
    state            TEXT NOT NULL,
    produced_at      BIGINT NOT NULL,
    acknowledged_at  BIGINT,
    first_contact_at BIGINT,
    updated_at       BIGINT NOT NULL,
    closed_at        BIGINT,
    digest           TEXT NOT NULL,
    signed_by        BIGINT NOT NULL,
    sealed_json      BYTEA NOT NULL,
    sealed_pdf       BYTEA NOT NULL
);
CREATE INDEX dossiers_by_unit ON dossiers (unit_id, produced_at);
CREATE INDEX dossiers_waiting ON dossiers (produced_at) WHERE state = 'sent';

-- What a unit and the person record on a dossier: a state (with the unit's note) or a message
-- from the person; the text sealed with the chat's key.
CREATE TABLE dossier_events (
    dossier_id  TEXT COLLATE "C" NOT NULL REFERENCES dossiers (id),
    seq         BIGINT NOT NULL,
    state       TEXT,
    by_user     TEXT COLLATE "C" REFERENCES users (id),
    sealed_text BYTEA,
    at          BIGINT NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);

-- The e-mails that told a unit a dossier waits: no address, no content.
CREATE TABLE dossier_notifications (
    dossier_id TEXT COLLATE "C" NOT NULL REFERENCES dossiers (id),
    unit_id    TEXT COLLATE "C" NOT NULL,
    at         BIGINT NOT NULL,
    outcome    TEXT NOT NULL,
    attempts   BIGINT NOT NULL
);
CREATE INDEX dossier_notifications_by_dossier ON dossier_notifications (dossier_id, at);
