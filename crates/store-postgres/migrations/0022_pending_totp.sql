-- The authenticator secret offered to an account that has not enrolled one yet (issue 24 item 2):
-- kept, sealed with the master key, so that every page shows the same one until a code from it
-- enrols it or it expires; an app that scanned it keeps working across reloads and logins.
-- At most one per account; removed at enrolment.
CREATE TABLE pending_totp (
    user_id     TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed      BYTEA NOT NULL,
    key_version BIGINT NOT NULL,
    issued_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL CHECK (expires_at >= issued_at)
);
