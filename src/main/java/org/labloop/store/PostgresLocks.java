package org.labloop.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The right to drive a campaign of a PostgreSQL store, as a session-level advisory lock. An engine's locks are taken on
 * the very session its events are written through ({@link #on}): the server drops them when that connection ends,
 * however the process dies, and a process whose session was lost can no longer write either, so a lock is never lost
 * while its holder still records. One session holds each lock once: the caller keeps track of what this process
 * holds, and never asks the session again for a lock it has (a session's advisory locks stack instead of refusing).
 */
public final class PostgresLocks implements AutoCloseable {
    private final StoreLocation.Postgres location;
    /** The log whose session holds the locks, which it takes back when it connects again; null for a probe. */
    private final PostgresEventLog log;
    /** A probe's own session. */
    private final Connection own;

    private final Object monitor;

    private PostgresLocks(StoreLocation.Postgres location, PostgresEventLog log, Connection own, Object monitor) {
        this.location = location;
        this.log = log;
        this.own = own;
        this.monitor = monitor;
    }

    /** Locks on the session {@code log} writes through (and on the one it connects again with, if it loses that). */
    public static PostgresLocks on(PostgresEventLog log) {
        return new PostgresLocks(log.place(), log, null, log);
    }

    /** Locks on a session of their own, for a command that only asks whether a campaign is driven. */
    public static PostgresLocks probe(StoreLocation.Postgres location) {
        return new PostgresLocks(location, null, PostgresEventLog.connect(location), new Object());
    }

    private Connection db() {
        return log != null ? log.db : own;
    }

    /** Takes campaign {@code campaignId}'s lock; false when another session holds it. */
    public boolean tryLock(String campaignId) {
        synchronized (monitor) {
            boolean taken = call("SELECT pg_try_advisory_lock(?)", campaignId, "lock");
            if (taken && log != null) {
                log.locks.put(key(location.schema(), campaignId), campaignId);
                log.fenced.remove(campaignId);
            }
            return taken;
        }
    }

    /** Lets go of a lock {@link #tryLock} took; nothing to do once the session has ended (it took the lock along). */
    public void unlock(String campaignId) {
        synchronized (monitor) {
            if (log != null) {
                log.locks.remove(key(location.schema(), campaignId));
            }
            Connection db = db();
            try (PreparedStatement ps = db.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                ps.setLong(1, key(location.schema(), campaignId));
                ps.executeQuery().close();
            } catch (SQLException e) {
                // A session the server ended took its locks along: nothing is left to let go of.
                if (!PostgresEventLog.lost(e, db)) {
                    throw PostgresEventLog.failure(
                            location, "cannot release the lock of campaign " + campaignId + " in", e);
                }
            }
        }
    }

    /** Whether another session holds campaign {@code campaignId}'s lock, found without holding it afterwards. */
    public boolean heldElsewhere(String campaignId) {
        synchronized (monitor) {
            try {
                return heldElsewhere(db(), key(location.schema(), campaignId));
            } catch (SQLException e) {
                throw PostgresEventLog.failure(location, "cannot probe the lock of campaign " + campaignId + " in", e);
            }
        }
    }

    /** Whether another session than {@code db}'s holds lock {@code key}; {@code db} holds nothing of it afterwards. */
    static boolean heldElsewhere(Connection db, long key) throws SQLException {
        if (!ask(db, "SELECT pg_try_advisory_lock_shared(?)", key)) {
            return true;
        }
        ask(db, "SELECT pg_advisory_unlock_shared(?)", key);
        return false;
    }

    private static boolean ask(Connection db, String sql, long key) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private boolean call(String sql, String campaignId, String what) {
        synchronized (monitor) {
            Connection db = db();
            try {
                return ask(db, sql, key(location.schema(), campaignId));
            } catch (SQLException e) {
                StoreException failure =
                        PostgresEventLog.failure(location, "cannot " + what + " campaign " + campaignId + " in", e);
                // The session is gone (a log's next write connects again): asking once more later may well succeed.
                throw PostgresEventLog.lost(e, db) ? new StoreUnavailableException(failure.getMessage(), e) : failure;
            }
        }
    }

    /**
     * The advisory lock key of a campaign: 64 bits of the SHA-256 of schema and id, so that stores in other schemas
     * of the same database, and other applications' locks, are told apart.
     */
    static long key(String schema, String campaignId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(("labloop\0" + schema + "\0" + campaignId).getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = (k << 8) | (d[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Ends a session of its own, which lets go of every lock it holds; a log's session is the log's to close. */
    @Override
    public void close() {
        if (own != null) {
            synchronized (monitor) {
                try {
                    own.close();
                } catch (SQLException e) {
                    throw PostgresEventLog.failure(location, "cannot close the lock session of", e);
                }
            }
        }
    }
}
