-- TOTP for every staff account: the secret is sealed with the master key (never stored in clear);
-- the last step used is kept so that a code can never be replayed.
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_key_version INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

-- One-time recovery codes, as SHA-256 hashes of 80-bit random codes.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

-- A public id per session, so that a user can see and end their sessions without the cookie's hash.
ALTER TABLE staff_sessions ADD COLUMN id TEXT;
CREATE UNIQUE INDEX staff_sessions_id ON staff_sessions (id);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

-- Failed logins per username (known or not), kept one hour, to refuse the 101st.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_by_name ON login_failures (username, at);

-- The audit log: append-only, hash-chained. No message content and no address, ever.
CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    actor_id        TEXT,
    actor_name      TEXT,
    action          TEXT NOT NULL,
    conversation_id TEXT,
    detail          TEXT,
    prev_hash       BLOB NOT NULL,
    hash            BLOB NOT NULL
) STRICT;
CREATE INDEX audit_log_conversation ON audit_log (conversation_id) WHERE conversation_id IS NOT NULL;
