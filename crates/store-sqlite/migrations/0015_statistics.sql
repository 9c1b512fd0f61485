-- The statistics record (issue 20, docs/STATISTICS.md): one row per chat that ended, written
-- in the transaction that closed it (or purged it unclosed), kept after the purge. No column
-- refers to a conversation, a person, an officer or an exact time; docs/STATISTICS.md
-- justifies each one, and a test fails on a column it does not. `id` is random and the table
-- has no rowid, so the rows are not kept in the order they were written (an order that could
-- be matched against the audit log's closes).
CREATE TABLE chat_statistics (
    id                 TEXT PRIMARY KEY,
    iso_week           INTEGER NOT NULL,
    hour_of_week       INTEGER NOT NULL CHECK (hour_of_week BETWEEN 0 AND 167),
    departement        TEXT,
    force              TEXT CHECK (force IN ('police', 'gendarmerie')),
    unit_id            TEXT,
    reporter           TEXT NOT NULL CHECK (reporter IN ('victim', 'witness')),
    minor              INTEGER NOT NULL CHECK (minor IN (0, 1)),
    language           TEXT NOT NULL,
    facts              TEXT NOT NULL,
    ending             TEXT NOT NULL,
    wait               TEXT,
    duration           TEXT,
    handovers          INTEGER NOT NULL CHECK (handovers BETWEEN 0 AND 3),
    quick_exit         INTEGER NOT NULL CHECK (quick_exit IN (0, 1)),
    left_before_answer INTEGER NOT NULL CHECK (left_before_answer IN (0, 1)),
    danger_path        INTEGER NOT NULL CHECK (danger_path IN (0, 1)),
    risk_labels        TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX chat_statistics_by_week ON chat_statistics (iso_week, hour_of_week);
