-- Staff accounts. Passwords are argon2id PHC strings.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

-- Staff login sessions, found by the SHA-256 of the cookie value.
CREATE TABLE staff_sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;

-- One-time codes that allow creating the first administrator.
CREATE TABLE setup_codes (
    code_hash  BLOB PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

-- One row per chat. No IP address, user agent or postal code: only the département.
-- token_hash becomes NULL when the visitor's token is revoked.
CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    token_hash      BLOB UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('victim', 'witness')),
    minor           INTEGER NOT NULL CHECK (minor IN (0, 1)),
    departement     TEXT,
    state           TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'visitor_left', 'closed')),
    officer_id      TEXT REFERENCES users (id),
    outcome         TEXT,
    wrapped_key     BLOB NOT NULL,
    key_version     INTEGER NOT NULL,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    claimed_at      INTEGER,
    visitor_left_at INTEGER,
    closed_at       INTEGER
) STRICT;

CREATE INDEX conversations_waiting ON conversations (created_at) WHERE state = 'waiting';
CREATE INDEX conversations_open_by_officer ON conversations (officer_id)
    WHERE state IN ('active', 'visitor_left');

-- Message bodies are sealed (XChaCha20-Poly1305) with the conversation's data key.
CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    author          TEXT NOT NULL CHECK (author IN ('visitor', 'officer')),
    officer_id      TEXT REFERENCES users (id),
    client_id       TEXT NOT NULL,
    body            BLOB NOT NULL,
    sent_at         INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, author, client_id)
) STRICT, WITHOUT ROWID;
