package org.labloop.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The right to drive a campaign of a PostgreSQL store, as a session-level advisory lock on a connection of its own.
 * The server drops the lock when that connection ends, however the process dies, so a killed run never leaves a stale
 * lock. One session holds each lock once: the caller keeps track of what this process holds, and never asks the
 * session again for a lock it has (a session's advisory locks stack instead of refusing).
 */
public final class PostgresLocks implements AutoCloseable {
    private final StoreLocation.Postgres location;
    private Connection db;

    public PostgresLocks(StoreLocation.Postgres location) {
        this.location = location;
    }

    /** Takes campaign {@code campaignId}'s lock; false when another session holds it. */
    public synchronized boolean tryLock(String campaignId) {
        return call("SELECT pg_try_advisory_lock(?)", campaignId, "lock");
    }

    /** Lets go of a lock {@link #tryLock} took. */
    public synchronized void unlock(String campaignId) {
        call("SELECT pg_advisory_unlock(?)", campaignId, "release the lock of");
    }

    /** Whether another session holds campaign {@code campaignId}'s lock, found without holding it afterwards. */
    public synchronized boolean heldElsewhere(String campaignId) {
        if (!call("SELECT pg_try_advisory_lock_shared(?)", campaignId, "probe the lock of")) {
            return true;
        }
        call("SELECT pg_advisory_unlock_shared(?)", campaignId, "probe the lock of");
        return false;
    }

    private boolean call(String sql, String campaignId, String what) {
        try {
            if (db == null) {
                db = PostgresEventLog.connect(location);
            }
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                ps.setLong(1, key(location.schema(), campaignId));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        } catch (SQLException e) {
            throw PostgresEventLog.failure(location, "cannot " + what + " campaign " + campaignId + " in", e);
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

    /** Ends the session, which lets go of every lock it holds. */
    @Override
    public synchronized void close() {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException e) {
                throw PostgresEventLog.failure(location, "cannot close the lock session of", e);
            } finally {
                db = null;
            }
        }
    }
}
