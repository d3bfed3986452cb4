-- Refused attempts to use a token or to sign: who tried (when known), from where, and why it was refused, so that
-- unauthorised use can be found and reported. The token itself is never stored. Rows are only ever added.
CREATE TABLE access_refusals (
    id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    recorded_at  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    principal    TEXT    NOT NULL,
    campaign_id  TEXT,
    source       TEXT    NOT NULL,
    detail       TEXT    NOT NULL
);

CREATE TRIGGER access_refusals_no_update BEFORE UPDATE ON access_refusals
BEGIN
    SELECT RAISE(ABORT, 'access refusals are append-only');
END;

CREATE TRIGGER access_refusals_no_delete BEFORE DELETE ON access_refusals
BEGIN
    SELECT RAISE(ABORT, 'access refusals are append-only');
END;
