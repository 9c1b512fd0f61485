-- Account administration (docs/ADMINISTRATION.md). A disabled account cannot log in and has no
-- session; the administrators' list shows when each account last logged in.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE users ADD COLUMN last_login_at BIGINT;

-- One-time links that let a person choose their password and enrol their authenticator
-- (a new account), or replace one of them (a reset), without any secret passing through an
-- administrator. Only the SHA-256 of the token is kept; a link is spent once (`used_at`).
CREATE TABLE account_links (
    token_hash BYTEA PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('enrol', 'reset_password', 'reset_totp')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX account_links_user ON account_links (user_id);
