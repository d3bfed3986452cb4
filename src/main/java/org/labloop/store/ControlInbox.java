package org.labloop.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A mailbox for operator requests to a campaign that another process is running. The CLI drops a request in; the
 * running engine's process takes it and records the matching event with the requester as actor.
 */
public final class ControlInbox implements AutoCloseable {
    private final String file;
    private final StoreConnection db;
    private SqliteEventLog.Hold hold;

    /** One request: pause (graceful or immediate), resume, abort, or ack of an operator request. */
    public record Request(long id, String action, String actor, String reason, boolean immediate) {
        public Request {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private ControlInbox(String file, StoreConnection db) {
        this.file = file;
        this.db = db;
    }

    /** Opens the inbox of the store at {@code location}, which must exist (opened once by its event log). */
    public static ControlInbox open(StoreLocation location) {
        return switch (location) {
            case StoreLocation.Directory d -> open(d.path());
            // One attempt to connect again: an engine's poller asks again a moment later anyway.
            case StoreLocation.Postgres pg ->
                new ControlInbox(pg.describe(), StoreConnection.server(pg, Duration.ZERO));
        };
    }

    /** Opens the inbox of the store in {@code dataDir}, which must exist (opened once by {@link SqliteEventLog}). */
    public static ControlInbox open(Path dataDir) {
        Path file = dataDir.resolve(SqliteEventLog.FILE_NAME).toAbsolutePath();
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout=10000");
                st.execute("PRAGMA synchronous=FULL");
            }
            ControlInbox inbox = new ControlInbox(file.toString(), StoreConnection.file(db));
            inbox.hold = SqliteEventLog.holdOpen(file);
            return inbox;
        } catch (SQLException e) {
            throw new StoreException("cannot open the control inbox in " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized void submit(String campaignId, String action, String actor, String reason, boolean immediate) {
        try {
            // Not written again on a lost connection: the request may have gone in, and twice is not once.
            db.once(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO control_requests"
                        + " (campaign_id, action, actor, reason, immediate) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, campaignId);
                    ps.setString(2, action);
                    ps.setString(3, actor);
                    ps.setString(4, reason);
                    ps.setInt(5, immediate ? 1 : 0);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot send " + action + " to campaign " + campaignId + " in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The campaign's requests not yet dealt with, in order. Only the process that holds the campaign's lock (its
     * engine) reads them, and it marks each {@link #done} once its event is recorded: a request whose engine is killed
     * before that is read again by the next engine. Reading is a plain query: the running engine's writes are not held
     * up by an empty mailbox.
     */
    public synchronized List<Request> open(String campaignId) {
        List<Request> open = new ArrayList<>();
        try {
            return db.again(c -> {
                open.clear();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, action, actor, reason, immediate"
                        + " FROM control_requests WHERE campaign_id = ? AND taken = 0 ORDER BY id")) {
                    ps.setString(1, campaignId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            open.add(new Request(
                                    rs.getLong(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getInt(5) != 0));
                        }
                    }
                }
                return open;
            });
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot read control requests of " + campaignId + " in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Marks request {@code requestId} dealt with: its event is recorded (or there was nothing to do). */
    public synchronized void done(long requestId) {
        try {
            db.again(c -> {
                try (PreparedStatement up = c.prepareStatement("UPDATE control_requests SET taken = 1 WHERE id = ?")) {
                    up.setLong(1, requestId);
                    return up.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot mark control request " + requestId + " done in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the control inbox " + file + ": " + e.getMessage(), e);
        } finally {
            if (hold != null) {
                hold.close();
            }
        }
    }
}
