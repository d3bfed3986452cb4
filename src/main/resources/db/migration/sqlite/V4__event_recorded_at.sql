-- The wall-clock time each event row was written. It stays outside the hash chain: a simulated campaign's events
-- carry virtual times and are the same bytes for the same files and seed, while this says when the run (and any
-- person acting on it) really happened. Rows written before this column existed have NULL.
ALTER TABLE events ADD COLUMN recorded_at TEXT;
