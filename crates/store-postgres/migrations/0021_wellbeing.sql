-- Wellbeing (issue 21 item 5, docs/WELLBEING.md): the minutes each officer held each chat,
-- with what the chat was about that minute, to measure their exposure; and the breaks they
-- took. One row per (chat, minute): the first node to sample a minute writes it, any other
-- finds it there and writes nothing (ON CONFLICT DO NOTHING on the primary key). No content, no
-- visitor data: the chat's id and four facts. Staff data, purged after two days (minutes) and
-- 35 days (breaks) by the purge task.
CREATE TABLE exposure_minutes (
    conversation_id TEXT COLLATE "C" NOT NULL,
    minute          BIGINT NOT NULL,
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    danger          BOOLEAN NOT NULL,
    flagged         BOOLEAN NOT NULL,
    minor           BOOLEAN NOT NULL,
    grave           BOOLEAN NOT NULL,
    PRIMARY KEY (conversation_id, minute)
);
CREATE INDEX exposure_minutes_user ON exposure_minutes (user_id, minute);
CREATE INDEX exposure_minutes_minute ON exposure_minutes (minute);

-- Breaks: at most one open (ended_at NULL) per officer.
CREATE TABLE breaks (
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    ended_at   BIGINT CHECK (ended_at IS NULL OR ended_at >= started_at),
    PRIMARY KEY (user_id, started_at)
);
CREATE UNIQUE INDEX breaks_open ON breaks (user_id) WHERE ended_at IS NULL;
