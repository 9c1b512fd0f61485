-- The PostgreSQL translation of the SQLite backend's schema (crates/store-sqlite/migrations
-- 0001 to 0010), in one step since this backend starts from them all.
--
-- Same logical representation as SQLite, so the two backends read alike: ids are uuids in
-- their text form, times are BIGINT milliseconds since the Unix epoch (UTC), sealed bytes are
-- BYTEA. Flags are BOOLEAN. Ids and codes use the "C" collation: byte order, whatever the
-- database's locale, so keyset pagination and listings order exactly as in SQLite.

-- Staff accounts. Passwords are argon2id PHC strings; the TOTP secret is sealed with the
-- master key and the last step used is kept so that a code can never be replayed.
CREATE TABLE users (
    id               TEXT COLLATE "C" PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
    password_hash    TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    totp_secret      BYTEA,
    totp_key_version BIGINT,
    totp_last_step   BIGINT,
    -- How many chats they may hold at once (claimed and not yet closed).
    capacity         BIGINT NOT NULL DEFAULT 3 CHECK (capacity BETWEEN 1 AND 20),
    -- NULL force: staff who answer for both forces. Languages: comma-separated ISO 639 codes.
    force            TEXT CHECK (force IN ('police', 'gendarmerie')),
    minors           BOOLEAN NOT NULL DEFAULT false,
    languages        TEXT NOT NULL DEFAULT 'fr'
);

-- Staff login sessions, found by the SHA-256 of the cookie value, with a public id so that a
-- user can see and end their sessions.
CREATE TABLE staff_sessions (
    token_hash   BYTEA PRIMARY KEY,
    id           TEXT UNIQUE,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

-- One-time codes that allow creating the first administrator.
CREATE TABLE setup_codes (
    code_hash  BYTEA PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- One-time recovery codes, as SHA-256 hashes of 80-bit random codes.
CREATE TABLE recovery_codes (
    user_id   TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Failed logins per username (known or not), kept one hour, to refuse the 101st.
CREATE TABLE login_failures (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_by_name ON login_failures (username, at);
CREATE INDEX login_failures_by_age ON login_failures (at);

-- One row per chat. No IP address, user agent or postal code: only the département.
-- token_hash becomes NULL when the visitor's token is revoked.
CREATE TABLE conversations (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    token_hash           BYTEA UNIQUE,
    kind                 TEXT NOT NULL CHECK (kind IN ('victim', 'witness')),
    minor                BOOLEAN NOT NULL,
    departement          TEXT COLLATE "C",
    state                TEXT NOT NULL
                         CHECK (state IN ('waiting', 'active', 'visitor_left', 'closed')),
    officer_id           TEXT COLLATE "C" REFERENCES users (id),
    outcome              TEXT,
    wrapped_key          BYTEA NOT NULL,
    key_version          BIGINT NOT NULL,
    last_seq             BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    claimed_at           BIGINT,
    visitor_left_at      BIGINT,
    closed_at            BIGINT,
    -- Routing (docs/ROUTING.md): the force the chat needs, its language, how urgent it is
    -- (0 normal, 1 flagged by a risk rule, 2 the visitor said they are in danger now), the
    -- labels of the risk rules that matched (one per line; never the words written), and from
    -- when any officer may take it whatever their skills.
    force                TEXT CHECK (force IN ('police', 'gendarmerie')),
    language             TEXT NOT NULL DEFAULT 'fr',
    priority             BIGINT NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 2),
    risk_flags           TEXT NOT NULL DEFAULT '',
    danger               BOOLEAN NOT NULL DEFAULT false,
    open_to_all_at       BIGINT NOT NULL DEFAULT 0,
    -- When the current owner received it (claim, transfer, take-over); claimed_at stays the
    -- first answer, for the figures of waiting time.
    assigned_at          BIGINT,
    -- How many times the chat changed hands (transfer, take-over, back to the queue).
    handovers            BIGINT NOT NULL DEFAULT 0,
    -- The officer's record of the chat, sealed with the chat's data key.
    case_file            BYTEA,
    -- "Received" and "read" marks per side: sequence numbers of the other side's messages.
    visitor_received_seq BIGINT NOT NULL DEFAULT 0,
    visitor_read_seq     BIGINT NOT NULL DEFAULT 0,
    officer_received_seq BIGINT NOT NULL DEFAULT 0,
    officer_read_seq     BIGINT NOT NULL DEFAULT 0,
    -- Return codes: a short keyed hash (the lookup bucket) and an argon2id hash of the code.
    code_bucket          BIGINT,
    code_hash            TEXT
);

-- The queue, in its order.
CREATE INDEX conversations_waiting ON conversations (priority DESC, created_at, id)
    WHERE state = 'waiting';
CREATE INDEX conversations_open_by_officer ON conversations (officer_id)
    WHERE state IN ('active', 'visitor_left');
CREATE INDEX conversations_by_officer_assigned ON conversations (officer_id, assigned_at);
-- Key rotation walks this index instead of the whole table.
CREATE INDEX conversations_key_version ON conversations (key_version, id);
-- The purge job: one range scan per retention rule on one of these partial indexes, keyed so
-- that a listing can resume after the last row it showed (keyset pagination).
CREATE INDEX conversations_closed_by_outcome ON conversations (outcome, closed_at, id)
    WHERE state = 'closed';
CREATE INDEX conversations_unclosed_by_age ON conversations (created_at, id)
    WHERE state <> 'closed';
CREATE INDEX conversations_code_bucket ON conversations (code_bucket)
    WHERE code_bucket IS NOT NULL;

-- Message bodies are sealed (XChaCha20-Poly1305) with the conversation's data key. The
-- primary key makes the sequence unique; the second key makes a resend idempotent.
CREATE TABLE messages (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    author          TEXT NOT NULL CHECK (author IN ('visitor', 'officer')),
    officer_id      TEXT COLLATE "C" REFERENCES users (id),
    client_id       TEXT NOT NULL,
    body            BYTEA NOT NULL,
    sent_at         BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, author, client_id)
);

-- The audit log: append-only, hash-chained. No message content and no address, ever.
CREATE TABLE audit_log (
    seq             BIGINT PRIMARY KEY,
    at              BIGINT NOT NULL,
    actor_id        TEXT COLLATE "C",
    actor_name      TEXT,
    action          TEXT NOT NULL,
    conversation_id TEXT COLLATE "C",
    detail          TEXT,
    prev_hash       BYTEA NOT NULL,
    hash            BYTEA NOT NULL
);
CREATE INDEX audit_log_conversation ON audit_log (conversation_id)
    WHERE conversation_id IS NOT NULL;

-- The head of the audit chain: one row, locked by every transaction that appends an entry,
-- so that entries written from several nodes at once still form one chain without a gap or a
-- fork. It holds the last sequence number and hash (0 and no hash before the first entry).
CREATE TABLE audit_head (
    only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      BIGINT NOT NULL,
    hash     BYTEA
);
INSERT INTO audit_head (seq, hash) VALUES (0, NULL);

-- Which force answers each département; a département not listed needs either force.
CREATE TABLE departement_forces (
    departement TEXT COLLATE "C" PRIMARY KEY,
    force       TEXT NOT NULL CHECK (force IN ('police', 'gendarmerie'))
);

-- Staff-only notes on a chat, sealed with the chat's data key like its messages.
CREATE TABLE staff_notes (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('note', 'handover', 'whisper')),
    author_id       TEXT COLLATE "C" REFERENCES users (id),
    body            BYTEA NOT NULL,
    at              BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

-- Canned replies, written by supervisors; shortcuts are unique.
CREATE TABLE canned_replies (
    id         TEXT COLLATE "C" PRIMARY KEY,
    shortcut   TEXT COLLATE "C" NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The directory of support services, loaded whole from a data file. NULL: a national service.
CREATE TABLE resources (
    position    BIGINT PRIMARY KEY,
    departement TEXT COLLATE "C",
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    phone       TEXT,
    address     TEXT,
    hours       TEXT,
    url         TEXT,
    sample      BOOLEAN NOT NULL
);
CREATE INDEX resources_by_departement ON resources (departement, position);

-- Secrets of this installation that are not keys of the data (the return codes' lookup key).
CREATE TABLE install_secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
