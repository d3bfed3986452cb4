-- Refused attempts to use a token or to sign (see the embedded store's V5). Rows are only ever added.
CREATE TABLE access_refusals (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at  TEXT   NOT NULL,
    kind         TEXT   NOT NULL,
    principal    TEXT   NOT NULL,
    campaign_id  TEXT,
    source       TEXT   NOT NULL,
    detail       TEXT   NOT NULL
);

CREATE FUNCTION access_refusals_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access refusals are append-only';
END;
$$;

CREATE TRIGGER access_refusals_no_change BEFORE UPDATE OR DELETE ON access_refusals
    FOR EACH ROW EXECUTE FUNCTION access_refusals_append_only();

CREATE TRIGGER access_refusals_no_truncate BEFORE TRUNCATE ON access_refusals
    FOR EACH STATEMENT EXECUTE FUNCTION access_refusals_append_only();
