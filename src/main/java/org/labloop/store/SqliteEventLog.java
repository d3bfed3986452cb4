package org.labloop.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * The embedded event log: one SQLite file in WAL mode with {@code synchronous=FULL}, so an append that returned
 * survives a crash or power cut. Schema changes go through Flyway migrations.
 */
public final class SqliteEventLog extends SqlEventLog {
    /** File name of the store inside a data directory. */
    public static final String FILE_NAME = "labloop.db";
    /** The last version of this store's migrations ({@code db/migration/sqlite}). */
    static final int SCHEMA_VERSION = 5;

    private final Path file;

    private SqliteEventLog(Path file, Connection db, boolean readOnly) {
        super(db, readOnly);
        this.file = file;
    }

    /** As {@link #open(Path)}, stamping rows with {@code wallClock}'s time (for tests). */
    public static SqliteEventLog open(Path dataDir, Clock wallClock) {
        SqliteEventLog log = open(dataDir);
        log.wallClock = java.util.Objects.requireNonNull(wallClock, "wallClock");
        return log;
    }

    /**
     * Opens (creating if needed) the store in {@code dataDir} for reading and writing. An existing file is checked
     * first (SQLite header, write-ahead log, pages, schema) on a read-only connection, so a damaged file or another
     * program's database is refused before anything is written to it. A new store is built under a temporary name
     * and renamed into place, so a crash never leaves a half-made {@value #FILE_NAME} behind.
     */
    public static SqliteEventLog open(Path dataDir) {
        Path dir = dataDir.toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StoreException("data directory " + dataDir + " is a file, not a directory; pass --data a"
                    + " directory (it is created when missing)");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException(
                    "cannot create data directory " + dataDir + ": " + StoreFile.ioReason(e)
                            + "; check the path and that it is writable by this user",
                    e);
        }
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isWritable(dir)) {
            // Said here, before SQLite opens the file read-only without a word and a later write fails elsewhere.
            throw new StoreException("data directory " + dataDir + " is not writable (a read-only file system, or"
                    + " its permissions): running and controlling campaigns write to the store; status, verify and"
                    + " export only read it");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) || Files.exists(file)) {
            if (!Files.isRegularFile(file)) {
                throw new StoreException("store " + file + " is not a regular file; " + StoreFile.RESTORE);
            }
            checkBytesUnlessOpen(file);
            try (Connection ro = connectReadOnly(file)) {
                StoreFile.requireSound(ro, file);
                StoreFile.checkSchema(ro, file, true);
            } catch (SQLException e) {
                throw StoreFile.failure("cannot open store", file, e);
            }
        } else {
            create(dir, file);
        }
        migrate(file);
        try {
            Connection db = DriverManager.getConnection(url(file));
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA foreign_keys=ON");
                st.execute("PRAGMA busy_timeout=10000");
            } catch (SQLException e) {
                db.close();
                throw e;
            }
            db.setAutoCommit(true);
            return opened(new SqliteEventLog(file, db, false));
        } catch (SQLException e) {
            throw StoreFile.failure("cannot open store", file, e);
        }
    }

    /**
     * Opens the existing store in {@code dataDir} for reading only: no migration, no write, the file is left exactly
     * as it was. Refuses, with what is wrong and what to do, a missing, empty, truncated or damaged file, a write-ahead
     * log that is not one, and a database that is not a LabLoop store.
     */
    public static SqliteEventLog openReadOnly(Path dataDir) {
        return openReadOnly(dataDir, true);
    }

    /**
     * As {@link #openReadOnly(Path)}; with {@code checkPages} false SQLite's page check is left to the caller (see
     * {@link #damage()}), so that a tool can still read what is readable in a damaged file.
     */
    public static SqliteEventLog openReadOnly(Path dataDir, boolean checkPages) {
        Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new StoreException("no LabLoop store at " + file + " (the file is missing or not a regular file);"
                    + " pass --data the directory of a store");
        }
        checkBytesUnlessOpen(file);
        Connection db;
        try {
            db = connectReadOnly(file);
        } catch (SQLException e) {
            throw StoreFile.failure("cannot open store", file, e);
        }
        try {
            if (checkPages) {
                StoreFile.requireSound(db, file);
            }
            StoreFile.checkSchema(db, file, false);
        } catch (RuntimeException e) {
            closeQuietly(db);
            throw e;
        }
        return opened(new SqliteEventLog(file, db, true));
    }

    /** SQLite's page-level check of the whole file: empty when sound, else its first findings. */
    public synchronized List<String> damage() {
        return StoreFile.quickCheck(db, file);
    }

    /** The store's file. */
    public Path file() {
        return file;
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file;
    }

    private static Connection connectReadOnly(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10000);
        // A store on a read-only medium (an archived copy): SQLite cannot create the shared-memory file its log mode
        // needs, so the file is read as unchanging. Only when no write-ahead log lies beside it, whose events the
        // file would not show yet.
        Path dir = file.getParent();
        boolean archived = dir != null
                && !Files.isWritable(dir)
                && !Files.exists(StoreFile.sibling(file, "-wal"))
                && !Files.exists(StoreFile.sibling(file, "-shm"));
        String url = archived ? "jdbc:sqlite:file:" + file.toUri().getRawPath() + "?immutable=1" : url(file);
        Connection db = DriverManager.getConnection(url, config.toProperties());
        try (Statement st = db.createStatement()) {
            st.execute("PRAGMA query_only=1");
        } catch (SQLException e) {
            closeQuietly(db);
            throw e;
        }
        return db;
    }

    private static void closeQuietly(Connection db) {
        try {
            db.close();
        } catch (SQLException ignored) {
            // already failing with a better message
        }
    }

    /** Builds a new store under a temporary name, then renames it into place in one step. */
    private static void create(Path dir, Path file) {
        // Named by process and thread: two threads of one process may create the same store at once.
        Path tmp = dir.resolve("." + FILE_NAME + ".new-"
                + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
        try {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(StoreFile.sibling(tmp, "-journal"));
            migrate(tmp);
            try {
                // A link is made only where no file is: a rename would replace a store another process has just put
                // in place and begun to write, and its writes would be lost with the file it replaced.
                Files.createLink(file, tmp);
                syncDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Created by another process meanwhile: that one is the store.
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                // A file system without hard links: renamed into place, as long as no store is there yet.
                if (!Files.exists(file)) {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                    syncDirectory(dir);
                }
            }
        } catch (IOException e) {
            throw new StoreException(
                    "cannot create store " + file + ": " + StoreFile.ioReason(e)
                            + "; check that the data directory is writable and the disk is not full",
                    e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can sync a directory; the rename is still atomic
        }
    }

    private static void migrate(Path file) {
        try {
            Flyway.configure()
                    .dataSource(url(file), null, null)
                    .locations("classpath:db/migration/sqlite")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            SQLException sql = sqlCause(e);
            throw new StoreException(
                    "cannot open store " + file + ": "
                            + (sql != null
                                    ? StoreFile.explain(sql)
                                    : "its schema does not fit this version of LabLoop (" + StoreFile.firstLine(e)
                                            + "); use the LabLoop version that wrote it, or " + StoreFile.RESTORE),
                    e);
        }
    }

    @Override
    void begin(boolean creating) throws SQLException {
        // Spelled out in SQL so that an I/O error (a full disk) surfaces from the statement that hit it, not as a
        // later "no transaction is active"; IMMEDIATE takes the write lock now, so creators queue up.
        try (Statement st = db.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
        }
    }

    @Override
    void commit() throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("COMMIT");
        }
    }

    /** SQLite may already have rolled back (a full disk, an I/O error): keep the first error, not the rollback's. */
    @Override
    void rollback(Throwable cause) {
        try (Statement st = db.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    @Override
    String where() {
        return file.toString();
    }

    @Override
    StoreException failure(String what, SQLException e) {
        return StoreFile.failure(what, file, e);
    }

    @Override
    String explain(SQLException e) {
        return StoreFile.explain(e);
    }

    @Override
    boolean isConstraint(SQLException e) {
        return e instanceof SQLiteException s && s.getResultCode().name().startsWith("SQLITE_CONSTRAINT");
    }

    @Override
    public String location() {
        return "sqlite:" + file;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw StoreFile.failure("cannot close store", file, e);
        } finally {
            if (registered) {
                registered = false;
                OPEN.computeIfPresent(key(file), (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    /**
     * Stores this process has open, by real path, with how many logs hold each. SQLite's locks are POSIX locks, which
     * the kernel drops for the whole process as soon as any descriptor of the file is closed: reading the store's
     * header with plain file I/O while one of its connections is open would let another process (a second labloop, a
     * sqlite3 shell) believe it is the last user, checkpoint and delete the write-ahead log still being written, and
     * so lose committed events. The header is therefore read only while this process has the file open nowhere.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Integer> OPEN =
            new java.util.concurrent.ConcurrentHashMap<>();

    private boolean registered;

    private static String key(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize().toString();
        }
    }

    private static SqliteEventLog opened(SqliteEventLog log) {
        OPEN.merge(key(log.file), 1, Integer::sum);
        log.registered = true;
        return log;
    }

    /**
     * Marks the store {@code file} as open in this process for a connection made outside this class (the token table,
     * the control inbox), until the returned hold is closed; see {@link #OPEN}.
     */
    public static Hold holdOpen(Path file) {
        String k = key(file);
        OPEN.merge(k, 1, Integer::sum);
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                OPEN.computeIfPresent(k, (key, n) -> n == 1 ? null : n - 1);
            }
        };
    }

    /** A mark that the store is open in this process; closing it releases the mark (once). */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    private static void checkBytesUnlessOpen(Path file) {
        if (!OPEN.containsKey(key(file))) {
            StoreFile.checkBytes(file);
        }
    }
}
