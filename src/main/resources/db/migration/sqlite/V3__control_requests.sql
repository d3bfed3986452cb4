-- Operator requests (pause, resume, abort, acknowledge) for a campaign that another process is running.
-- The running engine takes them in order and turns each into an event; this table is only a mailbox.
CREATE TABLE control_requests (
    id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    campaign_id  TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    immediate    INTEGER NOT NULL DEFAULT 0,
    taken        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX control_requests_open ON control_requests (campaign_id, taken);
