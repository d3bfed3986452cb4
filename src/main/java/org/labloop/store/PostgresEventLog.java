package org.labloop.store;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server store: the event log in a PostgreSQL schema, for several people or workcells sharing one store. The same
 * tables and SQL as the embedded store; a commit is durable when it returns (PostgreSQL's default
 * {@code synchronous_commit}). Schema changes go through Flyway migrations ({@code db/migration/postgresql}).
 */
public final class PostgresEventLog extends SqlEventLog {
    /**
     * How long a process waits for the server to take connections again after it lost one: a restart of the server, a
     * fail-over or a network outage of a few minutes does not stop a campaign.
     */
    public static final Duration PATIENCE = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(PostgresEventLog.class);
    /** The last version of this store's migrations ({@code db/migration/postgresql}). */
    static final int SCHEMA_VERSION = 2;

    private final StoreLocation.Postgres location;
    private final boolean readOnly;
    /** The campaign locks taken on this log's session ({@link PostgresLocks#on}), by key: taken back on a new one. */
    final Map<Long, String> locks = new LinkedHashMap<>();
    /**
     * Campaigns whose lock another process took while this log's connection was lost, with why: not written again
     * through this log until this process takes their lock once more.
     */
    final Map<String, String> fenced = new java.util.HashMap<>();

    /** Set by {@link #close} without the monitor, which a thread waiting for the server holds. */
    private volatile boolean closed;

    Duration patience = PATIENCE;
    /** The session on the server ({@link #identity}), read when it opened: a connection found lost cannot say. */
    private String session;

    private PostgresEventLog(StoreLocation.Postgres location, Connection db, boolean readOnly) {
        super(db, readOnly);
        this.location = location;
        this.readOnly = readOnly;
        this.session = identity(db);
    }

    /** Opens the store at {@code location} for reading and writing, creating its schema and tables when missing. */
    public static PostgresEventLog open(StoreLocation.Postgres location) {
        migrate(location);
        // Flyway leaves a newer version's migrations be; this version must not write among them.
        Connection db = checked(
                location,
                connect(location),
                c -> StoreFile.requireKnownVersion(c, location.describe(), SCHEMA_VERSION));
        return new PostgresEventLog(location, db, false);
    }

    /** A check of a newly opened connection. */
    @FunctionalInterface
    private interface Check {
        void run(Connection db) throws SQLException;
    }

    /** {@code db} once {@code check} has passed on it; closed, and the failure thrown, when it does not. */
    private static Connection checked(StoreLocation.Postgres location, Connection db, Check check) {
        try {
            check.run(db);
            return db;
        } catch (SQLException e) {
            closeQuietly(db);
            throw failure(location, "cannot open store", e);
        } catch (RuntimeException e) {
            closeQuietly(db);
            throw e;
        }
    }

    /** As {@link #open}, stamping rows with {@code wallClock}'s time (for tests). */
    public static PostgresEventLog open(StoreLocation.Postgres location, Clock wallClock) {
        PostgresEventLog log = open(location);
        log.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        return log;
    }

    /**
     * Opens an existing store for reading only: nothing is created or migrated, and the connection's transactions are
     * read-only. Refuses a schema that holds no LabLoop store.
     */
    public static PostgresEventLog openReadOnly(StoreLocation.Postgres location) {
        Connection db = checked(location, connect(location, true), c -> requireStore(c, location));
        return new PostgresEventLog(location, db, true);
    }

    /** Whether {@code location} holds a LabLoop store (its schema history), without creating anything. */
    public static boolean exists(StoreLocation.Postgres location) {
        try (Connection db = connect(location)) {
            return hasHistory(db, location);
        } catch (SQLException e) {
            throw failure(location, "cannot read store", e);
        }
    }

    private static void requireStore(Connection db, StoreLocation.Postgres location) throws SQLException {
        if (!hasHistory(db, location)) {
            throw new StoreException("no LabLoop store at " + location.describe() + " (schema " + location.schema()
                    + " has no LabLoop tables); run a campaign there first, or name the schema that holds one with"
                    + " ?schema=NAME");
        }
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT version, description FROM flyway_schema_history WHERE NOT success LIMIT 1")) {
            if (rs.next()) {
                throw new StoreException("store " + location.describe() + ": an upgrade of its schema (version "
                        + rs.getString(1) + ", " + rs.getString(2) + ") failed half-way; " + StoreFile.RESTORE);
            }
        }
        StoreFile.requireKnownVersion(db, location.describe(), SCHEMA_VERSION);
    }

    private static boolean hasHistory(Connection db, StoreLocation.Postgres location) throws SQLException {
        try (var ps = db.prepareStatement("SELECT 1 FROM information_schema.tables WHERE table_schema = ?"
                + " AND table_name = 'flyway_schema_history'")) {
            ps.setString(1, location.schema());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** A new connection to the store's database, with the store's schema first on the search path. */
    public static Connection connect(StoreLocation.Postgres location) {
        return connect(location, false);
    }

    /** As {@link #connect(StoreLocation.Postgres)}; {@code readOnly}: the server refuses every write on it. */
    private static Connection connect(StoreLocation.Postgres location, boolean readOnly) {
        try {
            java.util.Properties properties = location.properties();
            if (readOnly) {
                properties.setProperty("readOnly", "true");
                properties.setProperty("readOnlyMode", "always"); // statements outside a transaction too
            }
            Connection db = DriverManager.getConnection(location.jdbcUrl(), properties);
            db.setAutoCommit(true);
            return db;
        } catch (SQLException e) {
            throw failure(location, "cannot connect to store", e);
        }
    }

    private static void migrate(StoreLocation.Postgres location) {
        StringBuilder url = new StringBuilder(location.jdbcUrl())
                .append("?ApplicationName=")
                .append(StoreLocation.Postgres.applicationName(
                        ProcessHandle.current().pid()));
        for (Map.Entry<String, String> o : location.options().entrySet()) {
            url.append('&')
                    .append(URLEncoder.encode(o.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(o.getValue(), StandardCharsets.UTF_8));
        }
        try {
            Flyway.configure()
                    .dataSource(url.toString(), location.user(), location.password())
                    .schemas(location.schema())
                    .defaultSchema(location.schema())
                    .createSchemas(true)
                    .locations("classpath:db/migration/postgresql")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            SQLException sql = sqlCause(e);
            if (sql != null) {
                throw failure(location, "cannot open store", sql);
            }
            String why = StoreFile.firstLine(e);
            if (why.contains("non-empty schema")) {
                // Bad input, as reading commands say of it ("no LabLoop store here"): the address names the wrong
                // schema.
                throw org.labloop.core.InvalidInputException.of(
                        "--data " + location.describe(),
                        "schema " + location.schema() + " already holds tables that are not a LabLoop store's",
                        "name another schema with ?schema=NAME (it is created when missing)");
            }
            throw new StoreException(
                    "cannot open store " + location.describe() + ": its schema does not fit this"
                            + " version of LabLoop (" + why + "); use the LabLoop version that wrote it, or "
                            + StoreFile.RESTORE,
                    e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static StoreException failure(StoreLocation.Postgres location, String what, SQLException e) {
        return new StoreException(what + " " + location.describe() + ": " + reason(location, e), e);
    }

    /** PostgreSQL's error as a reason and a remedy, by its SQLSTATE class. */
    static String reason(StoreLocation.Postgres location, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = StoreFile.firstLine(e);
        if (state.startsWith("08") && causedBy(e, java.net.UnknownHostException.class)) {
            return "host '" + location.host() + "' is not known here (its name does not resolve); check the host in"
                    + " the address";
        }
        if (state.startsWith("08")) {
            return "the server cannot be reached or dropped the connection (" + detail + "); check that PostgreSQL"
                    + " runs at " + location.host() + ":" + location.port() + " and run the command again (what was"
                    + " committed is intact)";
        }
        if (state.startsWith("57P")) {
            return "the server ended the connection (" + detail + "); what was committed is intact: once the server"
                    + " is back, run the command again (a run that stopped continues with labloop resume)";
        }
        if (state.equals("28000") || state.equals("28P01")) {
            return "the server refused user " + location.user() + " (" + detail + "); check the user and the"
                    + " password (PGUSER, PGPASSWORD or the address)";
        }
        if (state.equals("3D000")) {
            return "database " + location.database() + " does not exist; create it (createdb " + location.database()
                    + ") or name another";
        }
        if (state.equals("42501")) {
            return "user " + location.user() + " lacks a privilege (" + detail + "); grant it, or name a schema the"
                    + " user owns with ?schema=NAME";
        }
        if (state.equals("53100")) {
            return "the server's disk is full (" + detail + "); free some space and run the command again (what was"
                    + " committed is intact)";
        }
        if (state.equals("25006")) {
            return "the store was opened read-only (" + detail + ")";
        }
        return detail;
    }

    /** Whether {@code e}, raised on {@code db}, says that the connection is gone rather than that a statement failed. */
    static boolean lost(SQLException e, Connection db) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
            return true;
        }
        try {
            return db.isClosed();
        } catch (SQLException ignored) {
            return true;
        }
    }

    /**
     * A new connection in place of {@code old}, lost with {@code cause}: tried at once and then at growing intervals
     * (up to 10 s) for up to {@code patience}, while the server restarts or the network comes back.
     */
    static Connection connectAgain(
            StoreLocation.Postgres location,
            boolean readOnly,
            Connection old,
            Duration patience,
            SQLException cause,
            java.util.function.BooleanSupplier closing) {
        closeQuietly(old); // it is gone already
        LOG.warn(
                "lost the connection to store {} ({}); connecting again",
                location.describe(),
                StoreFile.firstLine(cause));
        long start = System.nanoTime();
        long pause = 250;
        while (true) {
            if (closing.getAsBoolean()) {
                throw new StoreException("store " + location.describe() + " was closed while waiting for its server ("
                        + StoreFile.firstLine(cause) + ")");
            }
            try {
                Connection db = connect(location, readOnly);
                LOG.warn(
                        "connected to store {} again after {} s",
                        location.describe(),
                        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
                return db;
            } catch (StoreException e) {
                long waited = (System.nanoTime() - start) / 1_000_000;
                if (waited + pause > patience.toMillis()) {
                    throw new StoreUnavailableException(
                            "lost the connection to store " + location.describe() + " ("
                                    + StoreFile.firstLine(cause) + ") and could not connect again"
                                    + (patience.isZero() ? "" : " within " + patience.toSeconds() + " s") + ": "
                                    + e.getMessage(),
                            e);
                }
                // In slices, so that closing the store ends the wait at once (the loop's first check says so).
                for (long slept = 0; slept < pause && !closing.getAsBoolean(); slept += 50) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException i) {
                        Thread.currentThread().interrupt();
                        throw new StoreException(
                                "interrupted while connecting to store " + location.describe() + " again", e);
                    }
                }
                pause = Math.min(pause * 2, 10_000);
            }
        }
    }

    /**
     * True while a write waits for the server to come back after this log lost its connection (for up to the patience
     * above): whatever else this log is asked meanwhile waits behind it. A server asks this first, to answer at once.
     */
    @Override
    public boolean waitingForServer() {
        return super.waitingForServer();
    }

    @Override
    boolean connectionLost(SQLException e) {
        return !closed && lost(e, db);
    }

    @Override
    String fenced(String campaignId) {
        return fenced.get(campaignId);
    }

    /**
     * Connects again and takes back this session's campaign locks before anything is written: the server let go of them
     * with the old session, and a campaign another process took meanwhile is not this one's to write any more.
     */
    @Override
    void reconnect(SQLException cause, boolean patient) {
        // Every session this log had and lost since it last held all its locks: one may still hold a lock for a while.
        java.util.Set<String> own = lostSessions;
        if (session != null) {
            own.add(session);
        }
        long start = System.nanoTime();
        // A read tries once to connect, and waits a little only for a lost session of its own to let go of a lock.
        Duration limit = patient ? patience : Duration.ofSeconds(10);
        for (int attempt = 1; ; attempt++) {
            Connection fresh =
                    connectAgain(location, readOnly, db, patient ? patience : Duration.ZERO, cause, () -> closed);
            String freshSession = identity(fresh); // while it is open: a lost connection cannot say
            try {
                takeBackAll(fresh, own, start, limit, cause);
                db = fresh;
                session = freshSession;
                own.clear(); // every lock is on the new session now
                break;
            } catch (SQLException e) {
                if (!lost(e, fresh) || attempt == MAX_RECONNECTS) {
                    closeQuietly(fresh);
                    throw failure("cannot take back the locks of this process's campaigns in", e);
                }
                // The new session was lost too (a server still restarting): once more.
                if (freshSession != null) {
                    own.add(freshSession);
                }
                db = fresh;
                cause = e;
            } catch (InterruptedException e) {
                closeQuietly(fresh);
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while taking back the locks of this process's campaigns in "
                        + location.describe());
            } catch (RuntimeException e) {
                closeQuietly(fresh);
                throw e;
            }
        }
    }

    /**
     * This log's sessions lost since it last held all its locks (kept when a reconnection gives up, so that the next
     * one still knows them as its own).
     */
    private final java.util.Set<String> lostSessions = new java.util.HashSet<>();

    /** How many new sessions one reconnection tries when each is lost in turn. */
    private static final int MAX_RECONNECTS = 20;

    /**
     * Takes every lock of this log back on {@code fresh}, before it becomes the log's: nothing is written on a session
     * that does not hold its campaign's lock. A campaign another process drives now is given up (this log writes it no
     * more until the process takes its lock again; what was asked of another campaign goes on).
     */
    private void takeBackAll(
            Connection fresh, java.util.Set<String> own, long start, Duration limit, SQLException cause)
            throws SQLException, InterruptedException {
        for (var it = locks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, String> lock = it.next();
            String campaign = lock.getValue();
            if (!takeBack(fresh, lock.getKey(), campaign, own, start, limit)) {
                it.remove();
                String why = "campaign " + campaign + " in " + location.describe() + " is driven by another process"
                        + " since this one's connection to the server was lost (" + StoreFile.firstLine(cause)
                        + "); this process stops driving it, and what it committed is intact: see labloop status "
                        + campaign;
                fenced.put(campaign, why);
                LOG.warn(why);
            }
        }
    }

    /**
     * Takes lock {@code key} back on {@code fresh}; false when another process holds it. A lock one of this process's
     * lost sessions ({@code own}, by pid and start time, so that neither a reused pid nor another server's session is
     * taken for one) still holds, the server not having noticed that the connection is gone (after a network cut it
     * waits for TCP keepalive), is freed by ending that session.
     */
    private boolean takeBack(
            Connection fresh, long key, String campaign, java.util.Set<String> own, long start, Duration limit)
            throws SQLException, InterruptedException {
        java.util.Set<String> ended = new java.util.HashSet<>();
        java.util.Set<String> ownPids = new java.util.HashSet<>();
        for (String o : own) {
            ownPids.add(o.substring(0, o.indexOf('@')));
        }
        while (!tryLock(fresh, key)) {
            for (String holder : holders(fresh, key)) {
                String pid = holder.substring(0, holder.indexOf('@'));
                if (own.contains(holder)) {
                    if (ended.add(holder)) {
                        endSession(fresh, holder);
                    }
                } else if (!(holder.endsWith("@?") && ownPids.contains(pid))) {
                    return false; // not a session of this process (one of ours that is exiting shows no start)
                }
            }
            if (closed) {
                throw new StoreException("store " + location.describe() + " was closed while taking back the lock of"
                        + " campaign " + campaign);
            }
            if (System.nanoTime() - start > limit.toNanos()) {
                throw new StoreUnavailableException(
                        "the server still holds the lock of campaign " + campaign + " in " + location.describe()
                                + " for a lost session of this process, and did not let go of it within "
                                + limit.toSeconds() + " s; what it committed is intact: once the server has ended"
                                + " that session, continue with labloop resume " + campaign,
                        null);
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // failing already, or gone: nothing more to say
        }
    }

    /**
     * Ends this process's own lost session {@code session} (pid and start time, checked again as it is ended); a server
     * that does not allow it is waited for instead.
     */
    private void endSession(Connection fresh, String session) {
        int at = session.indexOf('@');
        try (var ps = fresh.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE pid = ? AND backend_start::text = ?")) {
            ps.setInt(1, Integer.parseInt(session.substring(0, at)));
            ps.setString(2, session.substring(at + 1));
            ps.executeQuery().close();
        } catch (SQLException e) {
            LOG.warn(
                    "cannot end this process's lost session {} on store {} ({}); waiting for the server to end it",
                    session,
                    location.describe(),
                    StoreFile.firstLine(e));
        }
    }

    private static boolean tryLock(Connection fresh, long key) throws SQLException {
        try (var ps = fresh.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The sessions ({@link #identity}) of this database holding advisory lock {@code key} for themselves, not shared
     * for a moment; one whose start time the server no longer shows (it is exiting) ends in "@?".
     */
    private static List<String> holders(Connection fresh, long key) throws SQLException {
        try (var ps = fresh.prepareStatement("SELECT l.pid, a.backend_start::text FROM pg_locks l"
                + " LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock'"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 1")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffffffffL);
            List<String> sessions = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String started = rs.getString(2);
                    sessions.add(rs.getInt(1) + "@" + (started == null ? "?" : started));
                }
            }
            return sessions;
        }
    }

    /**
     * A session on the server as its process id and start time ("pid@start"): a pid alone may be reused, or name a
     * session on another server after a fail-over. Null when the server cannot say.
     */
    private static String identity(Connection db) {
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT pid, backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
            return rs.next() ? rs.getInt(1) + "@" + rs.getString(2) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    @Override
    void begin(boolean creating) throws SQLException {
        db.setAutoCommit(false);
        if (creating) {
            // An id is derived from the ids already there: concurrent creators take turns; readers are not held up.
            try (Statement st = db.createStatement()) {
                st.execute("LOCK TABLE campaigns IN SHARE ROW EXCLUSIVE MODE");
            } catch (SQLException e) {
                rollback(e);
                throw e;
            }
        }
    }

    @Override
    void commit() throws SQLException {
        db.commit();
        db.setAutoCommit(true);
    }

    @Override
    void rollback(Throwable cause) {
        try {
            db.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
        try {
            db.setAutoCommit(true);
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    @Override
    String where() {
        return location.describe();
    }

    /** Where this store lives. */
    StoreLocation.Postgres place() {
        return location;
    }

    @Override
    StoreException failure(String what, SQLException e) {
        return failure(location, what, e);
    }

    @Override
    String explain(SQLException e) {
        return reason(location, e);
    }

    @Override
    boolean isConstraint(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    @Override
    public String location() {
        return location.describe();
    }

    /**
     * Whether another session holds campaign {@code campaignId}'s lock, asked on this log's own session (which holds no
     * campaign lock when it only reads), connecting again once when that session was lost.
     */
    public synchronized boolean lockHeldElsewhere(String campaignId) {
        try {
            return again(
                    false, () -> PostgresLocks.heldElsewhere(db, PostgresLocks.key(location.schema(), campaignId)));
        } catch (SQLException e) {
            throw failure("cannot probe the lock of campaign " + campaignId + " in", e);
        }
    }

    @Override
    public void close() {
        closed = true; // what still asks this log gets an error, not a new connection; a wait for the server ends
        synchronized (this) {
            try {
                db.close();
            } catch (SQLException e) {
                throw failure("cannot close store", e);
            }
        }
    }
}
