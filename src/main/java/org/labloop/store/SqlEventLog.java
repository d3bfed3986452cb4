package org.labloop.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventCodec;
import org.labloop.event.EventLog;

/**
 * The event log's SQL, the same on the embedded store (SQLite) and the server store (PostgreSQL): the subclasses open
 * the connection, say how a transaction begins and how a database's errors read.
 */
abstract class SqlEventLog implements EventLog {
    /** The connection; a server store replaces it when the server ends the old one ({@link #reconnect}). */
    Connection db;

    private final boolean readOnly;
    private final Map<String, Head> heads = new HashMap<>();
    /** Stamps each row with when it was written (outside the hash chain); the store's own edge to real time. */
    Clock wallClock = Clock.systemUTC();

    SqlEventLog(Connection db, boolean readOnly) {
        this.db = db;
        this.readOnly = readOnly;
    }

    /**
     * Begins a write transaction. {@code creating}: it will reserve a campaign id, so concurrent creators must wait
     * for each other (the id is derived from what is already there).
     */
    abstract void begin(boolean creating) throws SQLException;

    abstract void commit() throws SQLException;

    /** Ends a failed transaction; an error of the rollback itself is kept with {@code cause}. */
    abstract void rollback(Throwable cause);

    /** The store in messages: its file, or its PostgreSQL address. */
    abstract String where();

    /** A StoreException for a failed operation: what, where, the reason in words and what to do. */
    abstract StoreException failure(String what, SQLException e);

    /** The reason in words, with what to do. */
    abstract String explain(SQLException e);

    /** Whether the statement broke a uniqueness rule (the same seq appended twice). */
    abstract boolean isConstraint(SQLException e);

    /** Whether {@code e} says that the connection itself is gone (the server ended it, or the network did). */
    boolean connectionLost(SQLException e) {
        return false;
    }

    /** Why this log may no longer write campaign {@code campaignId} (another process took it), or null. */
    String fenced(String campaignId) {
        return null;
    }

    private void requireNotFenced(String campaignId) {
        String why = fenced(campaignId);
        if (why != null) {
            throw new StoreException(why);
        }
    }

    /**
     * Replaces a lost connection, taking back the campaign locks the old session held; throws a StoreException saying
     * why when it cannot. {@code patient}: waits for the server to come back (an engine's writes), otherwise tries
     * once (reads, which a person or a client can simply ask again). Only a store whose {@link #connectionLost} can be
     * true has anything to do.
     */
    void reconnect(SQLException cause, boolean patient) {
        throw failure("lost the connection to", cause);
    }

    /**
     * Runs {@code work}, which only reads or writes what it would write again the same way, once more on a new
     * connection when the first one was lost under it ({@code patient}: see {@link #reconnect}).
     */
    <T> T again(boolean patient, Work<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.run();
            } catch (SQLException e) {
                // A server still restarting can end the new session too: a patient caller tries again.
                if (!connectionLost(e) || (attempt > 1 && !patient) || attempt == MAX_WRITES) {
                    throw e;
                }
                if (patient) {
                    awaitServer(e);
                } else {
                    reconnect(e, false);
                }
            }
        }
    }

    /**
     * True while a write waits here for the server to come back (see {@link #reconnect}): anything else this log is
     * asked meanwhile waits behind it, for minutes. Read without this log's lock, by callers that would rather answer
     * at once that the store is away.
     */
    boolean waitingForServer() {
        return waitingForServer;
    }

    private volatile boolean waitingForServer;

    /** {@code reconnect(cause, true)}, seen by {@link #waitingForServer} meanwhile. */
    private void awaitServer(SQLException cause) {
        waitingForServer = true;
        try {
            reconnect(cause, true);
        } finally {
            waitingForServer = false;
        }
    }

    /** Whether this log was opened for reading only. */
    boolean readOnly() {
        return readOnly;
    }

    private void requireWritable(String what) {
        if (readOnly) {
            throw new StoreException("cannot " + what + ": store " + where() + " was opened read-only");
        }
    }

    @Override
    public synchronized String newCampaignId(String name) {
        requireWritable("create a campaign");
        try {
            return inTransaction(true, () -> reserveId(name));
        } catch (SQLException e) {
            throw createFailure(name, e);
        }
    }

    /**
     * Why a campaign could not be created. Not tried again on a lost connection: the campaign may have been created
     * before the answer was lost, and a second one is not the same campaign.
     */
    private StoreException createFailure(String name, SQLException e) {
        if (connectionLost(e)) {
            return new StoreUnavailableException(
                    "the connection to store " + where() + " was lost while creating campaign '" + name + "' ("
                            + StoreFile.firstLine(e) + "); it may or may not have been created: look with labloop"
                            + " status before creating it again",
                    e);
        }
        return failure("cannot create campaign '" + name + "' in", e);
    }

    /** The SQL of one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in a transaction ({@code creating}: see {@link #begin}) and commits it. */
    private <T> T inTransaction(boolean creating, Work<T> work) throws SQLException {
        begin(creating);
        try {
            T out = work.run();
            commit();
            return out;
        } catch (Throwable e) {
            rollback(e); // whatever broke off the transaction: never leave it (and its locks) open
            throw e;
        }
    }

    /**
     * Reserves the campaign's id and writes its first event in one transaction, so that a process killed in between
     * leaves neither: the id is free again for the next campaign of that name.
     */
    @Override
    public synchronized Event create(String name, Instant at, String actor, EventBody.CampaignCreated body) {
        requireWritable("create a campaign");
        String json = EventCodec.toJson(body);
        try {
            Event first = inTransaction(true, () -> {
                String id = reserveId(name);
                Event e = new Event(
                        id,
                        1,
                        at,
                        actor,
                        body,
                        EventCodec.GENESIS,
                        EventCodec.hash(EventCodec.GENESIS, id, 1, at, actor, json));
                try (PreparedStatement ps = db.prepareStatement(INSERT_EVENT)) {
                    bind(ps, e, json, wallClock.instant().toString());
                    ps.executeUpdate();
                }
                return e;
            });
            heads.put(first.campaignId(), new Head(1, first.hash()));
            return first;
        } catch (SQLException e) {
            throw createFailure(name, e);
        }
    }

    /** The next free id for a campaign of {@code name}, inserted into the campaigns table in the open transaction. */
    private String reserveId(String name) throws SQLException {
        String slug = slug(name);
        long created;
        int n;
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(created), 0) FROM campaigns")) {
            rs.next();
            created = rs.getLong(1) + 1;
        }
        try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM campaigns WHERE id LIKE ?")) {
            ps.setString(1, slug + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getInt(1) + 1;
            }
        }
        String id = slug + "-" + n;
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO campaigns (id, name, created) VALUES (?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setLong(3, created);
            ps.executeUpdate();
        }
        return id;
    }

    private static final String INSERT_EVENT = "INSERT INTO events"
            + " (campaign_id, seq, at, actor, type, body, prev_hash, hash, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)";

    private static void bind(PreparedStatement ps, Event e, String json, String recorded) throws SQLException {
        ps.setString(1, e.campaignId());
        ps.setLong(2, e.seq());
        ps.setString(3, e.at().toString());
        ps.setString(4, e.actor());
        ps.setString(5, e.body().typeName());
        ps.setString(6, json);
        ps.setString(7, e.prevHash());
        ps.setString(8, e.hash());
        ps.setString(9, recorded);
    }

    /** The SQL failure under a migration tool's exception, if one is. */
    static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        return s.isEmpty() ? "campaign" : s.length() > 40 ? s.substring(0, 40) : s;
    }

    @Override
    public Event append(String campaignId, Instant at, String actor, EventBody body) {
        return appendAll(campaignId, at, actor, List.of(body)).get(0);
    }

    @Override
    public synchronized List<Event> appendAll(String campaignId, Instant at, String actor, List<EventBody> bodies) {
        requireWritable("append to campaign " + campaignId);
        requireNotFenced(campaignId);
        Head head = heads.get(campaignId);
        if (head == null) {
            head = loadHead(campaignId, true);
            heads.put(campaignId, head);
        }
        List<Event> events = new ArrayList<>(bodies.size());
        List<String> jsons = new ArrayList<>(bodies.size()); // encoded once, for the hash and for the row
        long seq = head.seq;
        String prev = head.hash;
        for (EventBody body : bodies) {
            String json = EventCodec.toJson(body);
            seq++;
            Event e = new Event(
                    campaignId, seq, at, actor, body, prev, EventCodec.hash(prev, campaignId, seq, at, actor, json));
            events.add(e);
            jsons.add(json);
            prev = e.hash();
        }
        try {
            for (int attempt = 1; !written(head, seq, prev, events, jsons); attempt++) {
                // The connection was lost and the events did not commit: write them again on the new one.
                if (attempt == MAX_WRITES) {
                    throw new StoreException("cannot append " + bodies.get(0).typeName() + " to campaign " + campaignId
                            + " in " + where() + ": the connection to the server was lost " + attempt + " times while"
                            + " writing it; check the server and the network, then labloop resume " + campaignId
                            + " (what was committed is intact)");
                }
            }
        } catch (SQLException e) {
            heads.remove(campaignId);
            throw new StoreException(
                    "cannot append " + bodies.get(0).typeName() + " to campaign " + campaignId + " in " + where()
                            + ": "
                            + (isConstraint(e)
                                    ? StoreFile.firstLine(e) + " (another process may be running this campaign)"
                                    : explain(e)),
                    e);
        }
        heads.put(campaignId, new Head(seq, prev));
        return events;
    }

    /** How many times one append is written before a connection that keeps breaking stops the run. */
    private static final int MAX_WRITES = 20;

    /**
     * Writes {@code events} after {@code head} in one transaction. When the connection is lost on the way, it is
     * replaced, and the end of the campaign's log says what happened: still at {@code head}, nothing was committed
     * (false: write again); at the last of {@code events} (seq {@code lastSeq}, hash {@code lastHash}), the commit went
     * through before the answer was lost (true); anywhere else, another process wrote meanwhile, and this one stops.
     */
    private boolean written(Head head, long lastSeq, String lastHash, List<Event> events, List<String> jsons)
            throws SQLException {
        try {
            inTransaction(false, () -> {
                String recorded = wallClock.instant().toString();
                try (PreparedStatement ps = db.prepareStatement(INSERT_EVENT)) {
                    for (int i = 0; i < events.size(); i++) {
                        bind(ps, events.get(i), jsons.get(i), recorded);
                        ps.executeUpdate();
                    }
                }
                return events;
            });
            return true;
        } catch (SQLException e) {
            if (!connectionLost(e)) {
                throw e;
            }
            String campaignId = events.get(0).campaignId();
            awaitServer(e);
            requireNotFenced(campaignId); // another process took it while the connection was down
            Head now = loadHead(campaignId, true);
            if (now.equals(head)) {
                return false;
            }
            if (now.equals(new Head(lastSeq, lastHash))) {
                return true;
            }
            throw new StoreException("campaign " + campaignId + " in " + where() + " was written to by another process"
                    + " while this one's connection to the server was down (its log ends at event " + now.seq()
                    + ", not " + head.seq() + " or " + lastSeq + "); this process stops, and what was committed is"
                    + " intact: see labloop status " + campaignId);
        }
    }

    /**
     * Forgets what this process knew of the end of campaign {@code campaignId}'s log, so that its next append reads it
     * from the store: called when the process takes the campaign's lock, since another process may have appended while
     * it did not hold it (a signature, a pause recorded from a terminal).
     */
    public synchronized void reread(String campaignId) {
        // Read now, under the lock: should the connection be lost before the first append and another process write
        // meanwhile, that append finds the log moved on from here and stops, instead of writing after the other's.
        heads.put(campaignId, loadHead(campaignId, false));
    }

    /** The end of the campaign's log; {@code patient}: see {@link #reconnect}. */
    private Head loadHead(String campaignId, boolean patient) {
        try {
            return again(patient, () -> {
                try (PreparedStatement ps = db.prepareStatement(
                        "SELECT seq, hash FROM events WHERE campaign_id = ? ORDER BY seq DESC LIMIT 1")) {
                    ps.setString(1, campaignId);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? new Head(rs.getLong(1), rs.getString(2)) : new Head(0, EventCodec.GENESIS);
                    }
                }
            });
        } catch (SQLException e) {
            throw failure("cannot read campaign " + campaignId + " from", e);
        }
    }

    @Override
    public synchronized Map<Long, Instant> recordedAt(String campaignId) {
        Map<Long, Instant> out = new java.util.LinkedHashMap<>();
        try {
            again(false, () -> {
                out.clear();
                try (PreparedStatement ps = db.prepareStatement("SELECT seq, recorded_at FROM events WHERE"
                        + " campaign_id = ? AND recorded_at IS NOT NULL ORDER BY seq")) {
                    ps.setString(1, campaignId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getLong(1), Instant.parse(rs.getString(2)));
                        }
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            // A store opened read-only before its upgrade has no such column: it keeps no such times.
            if (String.valueOf(e.getMessage()).contains("no such column")) {
                return Map.of();
            }
            throw failure("cannot read the wall-clock times of campaign " + campaignId + " in", e);
        }
        return out;
    }

    @Override
    public synchronized List<Event> read(String campaignId, long afterSeq) {
        List<Event> out = new ArrayList<>();
        try {
            again(false, () -> {
                out.clear();
                try (PreparedStatement ps = db.prepareStatement("SELECT seq, at, actor, body, prev_hash, hash FROM"
                        + " events WHERE campaign_id = ? AND seq > ? ORDER BY seq")) {
                    ps.setString(1, campaignId);
                    ps.setLong(2, afterSeq);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(decode(campaignId, rs));
                        }
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            String after = out.isEmpty()
                    ? ""
                    : " after event " + out.get(out.size() - 1).seq();
            throw failure("cannot read campaign " + campaignId + after + " from", e);
        }
        return out;
    }

    /** One row as an event; a row that does not decode is reported with its seq, never passed on half-read. */
    private Event decode(String campaignId, ResultSet rs) throws SQLException {
        long seq = rs.getLong(1);
        String at = rs.getString(2);
        String actor = rs.getString(3);
        String body = rs.getString(4);
        String prevHash = rs.getString(5);
        String hash = rs.getString(6);
        try {
            if (at == null || actor == null || body == null || prevHash == null || hash == null) {
                throw new IllegalArgumentException("a column is empty (NULL)");
            }
            EventBody decoded = EventCodec.fromJson(body);
            if (decoded == null) {
                throw new IllegalArgumentException("its body is null");
            }
            return new Event(campaignId, seq, Instant.parse(at), actor, decoded, prevHash, hash);
        } catch (RuntimeException e) {
            throw new StoreException(
                    "event " + seq + " of campaign " + campaignId + " in " + where() + " is unreadable: "
                            + StoreFile.firstLine(e) + "; " + StoreFile.RESTORE,
                    e);
        }
    }

    @Override
    public synchronized List<String> campaignIds() {
        List<String> ids = new ArrayList<>();
        try {
            again(false, () -> {
                ids.clear();
                try (Statement st = db.createStatement();
                        // A campaign whose first event never committed (a crash in between) does not exist.
                        ResultSet rs = st.executeQuery("SELECT id FROM campaigns c WHERE EXISTS"
                                + " (SELECT 1 FROM events e WHERE e.campaign_id = c.id) ORDER BY created")) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        if (id == null) {
                            throw new StoreException(
                                    "store " + where() + " is damaged: a campaign has no id; " + StoreFile.RESTORE);
                        }
                        ids.add(id);
                    }
                }
                return ids;
            });
        } catch (SQLException e) {
            throw failure("cannot list campaigns in", e);
        }
        return ids;
    }

    @Override
    public synchronized Optional<Event> last(String campaignId) {
        Head head = loadHead(campaignId, false);
        if (head.seq == 0) {
            return Optional.empty();
        }
        List<Event> tail = read(campaignId, head.seq - 1);
        return tail.isEmpty() ? Optional.empty() : Optional.of(tail.get(0));
    }

    @Override
    public synchronized void saveSnapshot(String campaignId, long seq, String json) {
        requireWritable("save a snapshot");
        requireNotFenced(campaignId);
        try {
            again(true, () -> {
                requireNotFenced(campaignId);
                try (PreparedStatement ps =
                        db.prepareStatement("INSERT INTO snapshots (campaign_id, seq, state) VALUES (?, ?, ?) ON"
                                + " CONFLICT (campaign_id) DO UPDATE SET seq = excluded.seq, state = excluded.state")) {
                    ps.setString(1, campaignId);
                    ps.setLong(2, seq);
                    ps.setString(3, json);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw failure("cannot save snapshot of " + campaignId + " in", e);
        }
    }

    @Override
    public synchronized Optional<Snapshot> snapshot(String campaignId) {
        try {
            return again(false, () -> {
                try (PreparedStatement ps =
                        db.prepareStatement("SELECT seq, state FROM snapshots WHERE campaign_id = ?")) {
                    ps.setString(1, campaignId);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next()
                                ? Optional.of(new Snapshot(rs.getLong(1), rs.getString(2)))
                                : Optional.<Snapshot>empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw failure("cannot read snapshot of " + campaignId + " in", e);
        }
    }

    @Override
    public synchronized void dropSnapshots() {
        requireWritable("drop snapshots");
        try (Statement st = db.createStatement()) {
            st.executeUpdate("DELETE FROM snapshots");
        } catch (SQLException e) {
            throw failure("cannot drop snapshots in", e);
        }
    }

    private record Head(long seq, String hash) {}
}
