package org.labloop.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.labloop.event.EventLogException;
import org.sqlite.SQLiteConfig;

/**
 * Watches how far another process has written a store, read-only and cheaply (the newest event's row number), for
 * tools that act on a running campaign at moments defined by its progress rather than by the clock.
 */
public final class LogProgress implements AutoCloseable {
    private final StoreLocation location;
    private final String file;
    private Connection db;

    /** A watcher of the store at {@code location}; the store need not exist yet. */
    public LogProgress(StoreLocation location) {
        this.location = location;
        this.file = location instanceof StoreLocation.Directory d
                ? d.path().resolve(SqliteEventLog.FILE_NAME).toString()
                : location.describe();
    }

    /** How many events the store holds, over every campaign (0 while it does not exist yet). */
    public long events() {
        try {
            if (db == null) {
                if (location instanceof StoreLocation.Postgres pg) {
                    db = PostgresEventLog.connect(pg);
                } else if (!Files.exists(Path.of(file))) {
                    return 0;
                } else {
                    SQLiteConfig config = new SQLiteConfig();
                    config.setReadOnly(true);
                    config.setBusyTimeout(10000);
                    db = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
                }
            }
            // No row is ever deleted, so the newest row number (SQLite) or the row count is the number of events.
            String sql = location instanceof StoreLocation.Postgres
                    ? "SELECT COUNT(*) FROM events"
                    : "SELECT COALESCE(MAX(rowid), 0) FROM events";
            try (Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            // The writer may not have created the table yet.
            if ((e.getMessage() != null && e.getMessage().contains("no such table"))
                    || "42P01".equals(e.getSQLState())) {
                return 0;
            }
            throw new EventLogException("cannot read the progress of " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // closing a read-only connection loses nothing
            }
            db = null;
        }
    }
}
