-- Routing (docs/ROUTING.md): which force answers each département, officers' skills, and what
-- each chat needs and how urgent it is.

-- Loaded from a data file (`ecoute forces load`); a département not listed needs either force.
CREATE TABLE departement_forces (
    departement TEXT PRIMARY KEY,
    force       TEXT NOT NULL CHECK (force IN ('police', 'gendarmerie'))
) STRICT;

-- NULL force: staff who answer for both forces. Languages: comma-separated ISO 639 codes.
ALTER TABLE users ADD COLUMN force TEXT CHECK (force IN ('police', 'gendarmerie'));
ALTER TABLE users ADD COLUMN minors INTEGER NOT NULL DEFAULT 0 CHECK (minors IN (0, 1));
ALTER TABLE users ADD COLUMN languages TEXT NOT NULL DEFAULT 'fr';

-- What the chat needs (force of its département, language), how urgent it is (0 normal,
-- 1 flagged by a risk rule, 2 the visitor said they are in danger now), the labels of the risk
-- rules that matched (one per line; never the words written), and from when any officer may
-- take it whatever their skills.
ALTER TABLE conversations ADD COLUMN force TEXT CHECK (force IN ('police', 'gendarmerie'));
ALTER TABLE conversations ADD COLUMN language TEXT NOT NULL DEFAULT 'fr';
ALTER TABLE conversations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 2);
ALTER TABLE conversations ADD COLUMN risk_flags TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN danger INTEGER NOT NULL DEFAULT 0 CHECK (danger IN (0, 1));
ALTER TABLE conversations ADD COLUMN open_to_all_at INTEGER NOT NULL DEFAULT 0;
-- When the current owner received it (claim, transfer, take-over); claimed_at stays the first
-- answer, for the figures of waiting time.
ALTER TABLE conversations ADD COLUMN assigned_at INTEGER;
-- How many times the chat changed hands (transfer, take-over, back to the queue), for figures.
ALTER TABLE conversations ADD COLUMN handovers INTEGER NOT NULL DEFAULT 0;

DROP INDEX conversations_waiting;
CREATE INDEX conversations_waiting ON conversations (priority DESC, created_at, id)
    WHERE state = 'waiting';

-- Staff-only notes on a chat, sealed with the chat's data key like its messages: the officer's
-- private notes, handover notes, and supervisors' whispers. The visitor never receives them.
CREATE TABLE staff_notes (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('note', 'handover', 'whisper')),
    author_id       TEXT REFERENCES users (id),
    body            BLOB NOT NULL,
    at              INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) STRICT, WITHOUT ROWID;
