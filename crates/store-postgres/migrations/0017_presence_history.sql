-- The presence history (issue 20, docs/STATISTICS.md "The presence history"): for each hour of
-- each week (Paris time), the officers available to take chats, as officer-minutes over the
-- minutes sampled, for the staffing plan. No column names an officer or holds a time finer than
-- the hour. A minute is counted once however many nodes sample it: its bit in `minute_mask` is
-- set by the first sample, and a sample whose bit is already set writes nothing (the upsert on
-- the primary key serialises nodes racing on one row). Kept as long as the statistics (the purge
-- does not touch it). Number 0016 is another change's.
CREATE TABLE presence_history (
    iso_week        BIGINT NOT NULL,
    hour_of_week    BIGINT NOT NULL CHECK (hour_of_week BETWEEN 0 AND 167),
    officer_minutes BIGINT NOT NULL CHECK (officer_minutes >= 0),
    minutes_sampled BIGINT NOT NULL CHECK (minutes_sampled BETWEEN 0 AND 60),
    minute_mask     BIGINT NOT NULL,
    PRIMARY KEY (iso_week, hour_of_week)
);
