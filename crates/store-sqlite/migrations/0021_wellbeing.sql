-- Wellbeing (issue 21 item 5, docs/WELLBEING.md): the minutes each officer held each chat,
-- with what the chat was about that minute, to measure their exposure; and the breaks they
-- took. One row per (chat, minute): the first node to sample a minute writes it, any other
-- finds it there and writes nothing. No content, no visitor data: the chat's id and four facts.
-- Staff data, purged after two days (minutes) and 35 days (breaks) by the purge task.
CREATE TABLE exposure_minutes (
    conversation_id TEXT NOT NULL,
    minute          INTEGER NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    danger          INTEGER NOT NULL CHECK (danger IN (0, 1)),
    flagged         INTEGER NOT NULL CHECK (flagged IN (0, 1)),
    minor           INTEGER NOT NULL CHECK (minor IN (0, 1)),
    grave           INTEGER NOT NULL CHECK (grave IN (0, 1)),
    PRIMARY KEY (conversation_id, minute)
) STRICT, WITHOUT ROWID;
CREATE INDEX exposure_minutes_user ON exposure_minutes (user_id, minute);
CREATE INDEX exposure_minutes_minute ON exposure_minutes (minute);

-- Breaks: at most one open (ended_at NULL) per officer.
CREATE TABLE breaks (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at),
    PRIMARY KEY (user_id, started_at)
) STRICT;
CREATE UNIQUE INDEX breaks_open ON breaks (user_id) WHERE ended_at IS NULL;
