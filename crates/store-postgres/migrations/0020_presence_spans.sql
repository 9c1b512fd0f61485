-- Shifts (issue 21 item 4, docs/SHIFTS.md): who was on duty when, for the supervisors' board.
-- One row per span of one staff member's effective presence (`available`, `paused`, or any
-- state the router adds later); being offline is the absence of a span. `ended_at` is NULL
-- while the span lasts, and at most one span per person is open (the partial unique index
-- lets two nodes race without opening two). The node holding the console writes it and
-- confirms open spans every 30 s in `seen_at`; a span no node confirmed for 2 minutes (its
-- node died, or restarted and forgot) is closed at its last confirmation. Kept 35 days, then
-- purged with the chats (crates/server/src/purge.rs).
CREATE TABLE presence_spans (
    id         BIGSERIAL PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state      TEXT NOT NULL CHECK (char_length(state) BETWEEN 1 AND 32),
    started_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL,
    ended_at   BIGINT,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX presence_spans_open ON presence_spans (user_id) WHERE ended_at IS NULL;
CREATE INDEX presence_spans_time ON presence_spans (started_at);
