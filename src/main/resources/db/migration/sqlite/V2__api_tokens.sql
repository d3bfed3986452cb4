-- API tokens for `labloop serve`. Only a SHA-256 hash of each token is stored; the token itself is shown once.
-- role: viewer (read only), operator (may create and control campaigns), admin (everything; later: users, signatures).
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL DEFAULT 'operator',
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT
);

CREATE INDEX api_tokens_name ON api_tokens (name);
