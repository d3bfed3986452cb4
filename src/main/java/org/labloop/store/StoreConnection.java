package org.labloop.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * One connection to a store, for the tables beside the event log (control requests, tokens, the simulated devices'
 * memory): a SQLite file's, or a PostgreSQL server's, which is opened again when the server ends it (a restart, a
 * fail-over, a network cut, an administrator).
 */
public final class StoreConnection implements AutoCloseable {
    /** The SQL of one read or write. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection db) throws SQLException;
    }

    /** The server store's place; null for a file, whose connection is never lost this way. */
    private final StoreLocation.Postgres server;
    /** How long to wait for the server when connecting again. */
    private final Duration patience;

    private Connection db;
    /** Set by {@link #close} without the monitor, which a thread waiting for the server holds. */
    private volatile boolean closed;

    /** The read-only log whose connection this one is, closed with it; null when the connection is its own. */
    private final SqlEventLog owner;

    private StoreConnection(Connection db, StoreLocation.Postgres server, Duration patience) {
        this(db, server, patience, null);
    }

    private StoreConnection(Connection db, StoreLocation.Postgres server, Duration patience, SqlEventLog owner) {
        this.db = Objects.requireNonNull(db, "db");
        this.server = server;
        this.patience = patience;
        this.owner = owner;
    }

    /**
     * The connection of {@code log}, a store opened read-only, for reading the tables beside its events (tokens,
     * refused attempts) without creating, upgrading or writing anything; closing it closes the log. A connection lost
     * is not replaced: a listing is asked again.
     */
    public static StoreConnection readingThrough(org.labloop.event.EventLog log) {
        if (!(log instanceof SqlEventLog sql) || !sql.readOnly()) {
            throw new IllegalArgumentException("not a store opened read-only: " + log.location());
        }
        return new StoreConnection(sql.db, null, Duration.ZERO, sql);
    }

    /** Whether {@code e} says that a table is missing: a store from before that table existed. */
    public static boolean missingTable(SQLException e) {
        return "42P01".equals(e.getSQLState()) || String.valueOf(e.getMessage()).contains("no such table");
    }

    /** A SQLite file's connection. */
    public static StoreConnection file(Connection db) {
        return new StoreConnection(db, null, Duration.ZERO);
    }

    /**
     * A new connection to the server store at {@code location}; when the server ends it, a new one is tried for up to
     * {@code patience} (zero: once) before a {@link StoreUnavailableException}.
     */
    public static StoreConnection server(StoreLocation.Postgres location, Duration patience) {
        return new StoreConnection(PostgresEventLog.connect(location), location, patience);
    }

    /**
     * Runs {@code work}, which does the same when run twice (a read, an upsert): once more on a new connection when the
     * server ended the first one under it.
     */
    public synchronized <T> T again(Work<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.run(db);
            } catch (SQLException e) {
                // A server still restarting can end the new session too: a patient connection tries again.
                if (!lost(e) || (attempt > 1 && patience.isZero()) || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                db = PostgresEventLog.connectAgain(server, false, db, patience, e, () -> closed);
            }
        }
    }

    /** How many connections one read or write tries when each is lost in turn. */
    private static final int MAX_ATTEMPTS = 20;

    /**
     * Runs {@code work} once: it may have taken effect when its answer was lost, so it is not run again. A connection
     * the server ended is replaced for the next call, and the caller told that the write may or may not have gone in.
     */
    public synchronized <T> T once(Work<T> work) throws SQLException {
        try {
            return work.run(db);
        } catch (SQLException e) {
            if (!lost(e)) {
                throw e;
            }
            try {
                db = PostgresEventLog.connectAgain(server, false, db, Duration.ZERO, e, () -> closed);
            } catch (StoreException again) {
                e.addSuppressed(again);
            }
            throw new StoreUnavailableException(
                    "the connection to store " + server.describe() + " was lost while writing ("
                            + StoreFile.firstLine(e) + "); it may or may not have been recorded: look before doing"
                            + " it again",
                    e);
        }
    }

    private boolean lost(SQLException e) {
        // After close, an error is the caller's to see: a closed store does not open itself again.
        return server != null && !closed && PostgresEventLog.lost(e, db);
    }

    @Override
    public void close() throws SQLException {
        closed = true; // a wait for the server ends
        synchronized (this) {
            if (owner != null) {
                owner.close();
            } else {
                db.close();
            }
        }
    }
}
