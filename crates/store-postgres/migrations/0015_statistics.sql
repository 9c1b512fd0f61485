-- The statistics record (issue 20, docs/STATISTICS.md): one row per chat that ended, written
-- in the transaction that closed it (or purged it unclosed), kept after the purge. No column
-- refers to a conversation, a person, an officer or an exact time; docs/STATISTICS.md
-- justifies each one. `id` is random: rows are read in (week, hour, id) order, never in the
-- order they were written.
CREATE TABLE chat_statistics (
    id                 TEXT PRIMARY KEY,
    iso_week           BIGINT NOT NULL,
    hour_of_week       BIGINT NOT NULL CHECK (hour_of_week BETWEEN 0 AND 167),
    departement        TEXT,
    force              TEXT CHECK (force IN ('police', 'gendarmerie')),
    unit_id            TEXT,
    reporter           TEXT NOT NULL CHECK (reporter IN ('victim', 'witness')),
    minor              BOOLEAN NOT NULL,
    language           TEXT NOT NULL,
    facts              TEXT NOT NULL,
    ending             TEXT NOT NULL,
    wait               TEXT,
    duration           TEXT,
    handovers          BIGINT NOT NULL CHECK (handovers BETWEEN 0 AND 3),
    quick_exit         BOOLEAN NOT NULL,
    left_before_answer BOOLEAN NOT NULL,
    danger_path        BOOLEAN NOT NULL,
    risk_labels        TEXT NOT NULL
);
CREATE INDEX chat_statistics_by_week ON chat_statistics (iso_week, hour_of_week);
