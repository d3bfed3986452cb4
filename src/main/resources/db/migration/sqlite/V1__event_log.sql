-- The event log is the source of truth; snapshots are caches rebuilt from it.
CREATE TABLE campaigns (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created    INTEGER NOT NULL UNIQUE
);

CREATE TABLE events (
    campaign_id TEXT    NOT NULL REFERENCES campaigns (id),
    seq         INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    PRIMARY KEY (campaign_id, seq)
);

CREATE TABLE snapshots (
    campaign_id TEXT    NOT NULL PRIMARY KEY REFERENCES campaigns (id),
    seq         INTEGER NOT NULL,
    state       TEXT    NOT NULL
);

-- Append-only: the database itself refuses edits and deletions of committed events.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
