-- The server store: the same tables as the embedded one (db/migration/sqlite), in a schema of its own.
-- The event log is the source of truth; snapshots are caches rebuilt from it.
CREATE TABLE campaigns (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created    BIGINT NOT NULL UNIQUE
);

CREATE TABLE events (
    campaign_id TEXT   NOT NULL REFERENCES campaigns (id),
    seq         BIGINT NOT NULL,
    at          TEXT   NOT NULL,
    actor       TEXT   NOT NULL,
    type        TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    prev_hash   TEXT   NOT NULL,
    hash        TEXT   NOT NULL,
    -- When the row was written on the wall clock, outside the hash chain (see the SQLite store's V4).
    recorded_at TEXT,
    PRIMARY KEY (campaign_id, seq)
);

CREATE TABLE snapshots (
    campaign_id TEXT   NOT NULL PRIMARY KEY REFERENCES campaigns (id),
    seq         BIGINT NOT NULL,
    state       TEXT   NOT NULL
);

-- Append-only: the database itself refuses edits, deletions and truncation of committed events.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;

CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- API tokens: only a SHA-256 hash of each token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL DEFAULT 'operator',
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT
);

CREATE INDEX api_tokens_name ON api_tokens (name);

-- Operator requests (pause, resume, abort, acknowledge) for a campaign that another process is running.
CREATE TABLE control_requests (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id  TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    immediate    INTEGER NOT NULL DEFAULT 0,
    taken        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX control_requests_open ON control_requests (campaign_id, taken);

-- Simulated devices' own memory of the steps they were given (the embedded store keeps it in sim-devices.db).
CREATE TABLE device_steps (
    device      TEXT NOT NULL,
    step_key    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    due         TEXT NOT NULL,
    state       TEXT NOT NULL,
    outputs     TEXT NOT NULL,
    failure     TEXT,
    PRIMARY KEY (device, step_key)
);
