package org.labloop.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Checks a store file before SQLite is let near it, and turns SQLite's failures into messages that say what is wrong,
 * which file, and what to do. Nothing here writes.
 */
final class StoreFile {
    /** What to do about a damaged store, for every message that reports one. */
    static final String RESTORE =
            "restore the data directory from a backup; `labloop verify --data DIR` names the" + " first bad event";

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int WAL_MAGIC_LE = 0x377f0682;
    private static final int WAL_MAGIC_BE = 0x377f0683;
    private static final int WAL_HEADER = 32;

    /** Tables every LabLoop store has, and the columns the log reads. */
    private static final List<String> REQUIRED = List.of(
            "SELECT campaign_id, seq, at, actor, type, body, prev_hash, hash FROM events LIMIT 0",
            "SELECT id, name, created FROM campaigns LIMIT 0",
            "SELECT campaign_id, seq, state FROM snapshots LIMIT 0");

    private StoreFile() {}

    /**
     * Refuses a file that cannot be a healthy store: empty, not SQLite, truncated, with a damaged header or a
     * write-ahead log that is not one. Reads the first bytes only.
     */
    static void checkBytes(Path file) {
        long size;
        byte[] head;
        try {
            size = Files.size(file);
            head = readHead(file, 100);
        } catch (IOException e) {
            throw new StoreException(
                    "cannot read store " + file + ": " + ioReason(e) + "; check the path and its" + " permissions", e);
        }
        if (size == 0) {
            throw new StoreException("store " + file + " is empty (0 bytes): it was truncated or never written."
                    + " Restore the data directory from a backup; to start a new, empty store instead, move the file"
                    + " aside");
        }
        if (head.length < 100 || !startsWith(head, SQLITE_MAGIC)) {
            throw new StoreException("store " + file + " is not an SQLite database (its first bytes are not the SQLite"
                    + " header): it is damaged, or --data points at something else; " + RESTORE);
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int rawPageSize = b.getShort(16) & 0xffff;
        long pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
        if (pageSize < 512 || pageSize > 65536 || Long.bitCount(pageSize) != 1) {
            throw new StoreException(
                    "store " + file + " has a damaged header (page size " + rawPageSize + "); " + RESTORE);
        }
        Path wal = sibling(file, "-wal");
        long walSize = sizeOrZero(wal);
        if (walSize > 0) {
            checkWal(file, wal, walSize);
            return; // pages may still live in the log, so the main file's size says nothing yet
        }
        long changeCounter = b.getInt(24) & 0xffffffffL;
        long headerPages = b.getInt(28) & 0xffffffffL;
        long validFor = b.getInt(92) & 0xffffffffL;
        if (size % pageSize != 0) {
            throw new StoreException("store " + file + " is damaged or truncated: " + size + " bytes is not a whole"
                    + " number of " + pageSize + "-byte pages; " + RESTORE);
        }
        if (validFor == changeCounter && headerPages > 0 && size < headerPages * pageSize) {
            throw new StoreException("store " + file + " is truncated: it is " + size + " bytes but its header says "
                    + headerPages + " pages of " + pageSize + " bytes (" + headerPages * pageSize + "); " + RESTORE);
        }
    }

    private static void checkWal(Path file, Path wal, long walSize) {
        byte[] log;
        try {
            log = walSize > 64L << 20 ? readHead(wal, WAL_HEADER) : Files.readAllBytes(wal);
        } catch (IOException e) {
            throw new StoreException("cannot read " + wal + ": " + ioReason(e), e);
        }
        String problem = walProblem(log);
        if (problem != null) {
            throw new StoreException("the write-ahead log " + wal + " is damaged (" + problem + "); events committed"
                    + " since the last checkpoint may be in it. Restore the data directory from a backup; or, to open"
                    + " the store as it was at the last checkpoint, move " + wal.getFileName() + " and "
                    + sibling(file, "-shm").getFileName() + " aside");
        }
    }

    /**
     * What is wrong with an SQLite write-ahead log, or null. SQLite itself silently ignores a log whose header is bad
     * and every frame after the first bad one; that is right for a write torn by a power cut (the last frame), but
     * damage elsewhere would drop committed events without a word, so it is refused here: a bad header, or a bad frame
     * followed by a good-looking frame of the same log.
     */
    static String walProblem(byte[] log) {
        if (log.length < WAL_HEADER) {
            return "it is " + log.length + " bytes, shorter than a WAL header";
        }
        ByteBuffer b = ByteBuffer.wrap(log);
        int magic = b.getInt(0);
        if (magic != WAL_MAGIC_LE && magic != WAL_MAGIC_BE) {
            return "it is not an SQLite WAL file";
        }
        boolean bigEndian = (magic & 1) == 1;
        int[] sum = walChecksum(log, 0, 24, bigEndian, 0, 0);
        if (sum[0] != b.getInt(24) || sum[1] != b.getInt(28)) {
            return "its header checksum is wrong";
        }
        long pageSize = b.getInt(8) & 0xffffffffL;
        if (pageSize < 512 || pageSize > 65536 || Long.bitCount(pageSize) != 1) {
            return "its header names a page size of " + pageSize;
        }
        int salt1 = b.getInt(16);
        int salt2 = b.getInt(20);
        long frame = 24 + pageSize;
        if (log.length < WAL_HEADER + frame) {
            return null; // header only (or a header read alone from a very large log)
        }
        for (int at = WAL_HEADER; at + frame <= log.length; at += (int) frame) {
            boolean saltsMatch = b.getInt(at + 8) == salt1 && b.getInt(at + 12) == salt2;
            if (saltsMatch) {
                sum = walChecksum(log, at, 8, bigEndian, sum[0], sum[1]);
                sum = walChecksum(log, at + 24, (int) pageSize, bigEndian, sum[0], sum[1]);
            }
            if (!saltsMatch || sum[0] != b.getInt(at + 16) || sum[1] != b.getInt(at + 20)) {
                for (int later = at + (int) frame; later + frame <= log.length; later += (int) frame) {
                    if (b.getInt(later + 8) == salt1 && b.getInt(later + 12) == salt2) {
                        return "frame " + ((at - WAL_HEADER) / frame + 1) + " is damaged but frames of the same log"
                                + " follow it";
                    }
                }
                return null; // a torn last write: SQLite keeps every commit before it
            }
        }
        return null;
    }

    /** SQLite's WAL checksum over {@code len} bytes (a multiple of 8) from {@code off}, continuing from s0, s1. */
    private static int[] walChecksum(byte[] data, int off, int len, boolean bigEndian, int s0, int s1) {
        ByteBuffer b = ByteBuffer.wrap(data, off, len)
                .order(bigEndian ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = off; i < off + len; i += 8) {
            s0 += b.getInt(i) + s1;
            s1 += b.getInt(i + 4) + s0;
        }
        return new int[] {s0, s1};
    }

    /**
     * Refuses a database that is not a LabLoop store or whose pages are damaged. {@code fresh} allows a database with
     * no tables at all (a store about to be created).
     */
    static void checkSchema(Connection db, Path file, boolean fresh) {
        Set<String> tables = new TreeSet<>();
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failure("cannot read the schema of store", file, e);
        }
        tables.remove("sqlite_sequence");
        if (tables.isEmpty() && fresh) {
            return;
        }
        if (!tables.contains("flyway_schema_history")) {
            throw new StoreException("store " + file + " is an SQLite database but not a LabLoop store ("
                    + (tables.isEmpty() ? "it has no tables" : "its tables: " + abbreviate(tables))
                    + "); pass --data the directory of a LabLoop store");
        }
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT version, description FROM flyway_schema_history WHERE success = 0 LIMIT 1")) {
            if (rs.next()) {
                throw new StoreException("store " + file + ": an upgrade of its schema (version " + rs.getString(1)
                        + ", " + rs.getString(2) + ") failed half-way; " + RESTORE);
            }
            requireKnownVersion(db, file.toString(), SqliteEventLog.SCHEMA_VERSION);
        } catch (SQLException e) {
            throw failure("cannot read the schema history of store", file, e);
        }
        for (String sql : REQUIRED) {
            try (Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                rs.next();
            } catch (SQLException e) {
                if (!damage(e)) {
                    throw failure("cannot read store", file, e);
                }
                throw new StoreException(
                        "store " + file + " is damaged or not a LabLoop store (" + firstLine(e) + "); " + RESTORE, e);
            }
        }
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT DISTINCT campaign_id FROM events"
                        + " WHERE campaign_id NOT IN (SELECT id FROM campaigns) LIMIT 3")) {
            if (rs.next()) {
                throw new StoreException("store " + file + " is damaged: it holds events of campaign '"
                        + rs.getString(1) + "', which it does not list (an edit behind LabLoop's back); " + RESTORE);
            }
        } catch (SQLException e) {
            throw failure("cannot check the campaigns of store", file, e);
        }
    }

    /** SQLite's own page-level check; empty when the file is sound. */
    static List<String> quickCheck(Connection db, Path file) {
        List<String> problems = new ArrayList<>();
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA quick_check(20)")) {
            while (rs.next()) {
                String text = rs.getString(1);
                if (text != null && !"ok".equals(text)) {
                    text.lines()
                            .map(String::strip)
                            .filter(l -> !l.isEmpty() && !l.startsWith("***"))
                            .forEach(problems::add);
                }
            }
        } catch (SQLException e) {
            if (!damage(e)) {
                // A directory it cannot write to, a disk that is gone: not the file's fault, and not for a backup.
                throw failure("cannot check store", file, e);
            }
            problems.add(firstLine(e));
        }
        return problems;
    }

    /** Whether SQLite failed because the file's content is bad, rather than because it cannot get at the file. */
    private static boolean damage(SQLException e) {
        SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
        String name = code == null ? "" : code.name();
        return code == null
                || name.startsWith("SQLITE_CORRUPT")
                || name.startsWith("SQLITE_NOTADB")
                || name.startsWith("SQLITE_ERROR")
                || name.startsWith("SQLITE_FORMAT")
                || name.startsWith("SQLITE_SCHEMA")
                || name.startsWith("SQLITE_MISMATCH");
    }

    static void requireSound(Connection db, Path file) {
        List<String> problems = quickCheck(db, file);
        if (!problems.isEmpty()) {
            throw new StoreException(
                    "store " + file + " is damaged (SQLite's check says: " + abbreviate(problems) + "); " + RESTORE);
        }
    }

    /**
     * Refuses a store whose schema a newer LabLoop upgraded beyond {@code known}, the last version of this one's
     * migrations: its tables may hold what this version cannot read or must not write. Neither a read-only open (which
     * runs no migration) nor Flyway on PostgreSQL (which leaves a newer version's migrations be) refuses it by itself.
     */
    static void requireKnownVersion(Connection db, String where, int known) throws SQLException {
        int newest = 0;
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT version, success FROM flyway_schema_history")) {
            while (rs.next()) {
                String v = rs.getString(1);
                if (v != null && rs.getBoolean(2) && v.matches("\\d{1,9}")) {
                    newest = Math.max(newest, Integer.parseInt(v));
                }
            }
        }
        if (newest > known) {
            throw new StoreException("store " + where + " was upgraded by a newer version of LabLoop (its schema is"
                    + " at version " + newest + "; this one knows versions up to " + known + "); read it with that"
                    + " version or a newer one");
        }
    }

    /** A StoreException for a failed SQL operation, with the reason in words and what to do. */
    static StoreException failure(String what, Path file, SQLException e) {
        return new StoreException(what + " " + file + ": " + explain(e), e);
    }

    /** SQLite's error as a reason and a remedy. */
    static String explain(SQLException e) {
        SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
        String base = code == null ? "" : code.name();
        String detail = firstLine(e);
        if (base.startsWith("SQLITE_CORRUPT") || base.startsWith("SQLITE_NOTADB")) {
            return "the file is damaged (" + detail + "); " + RESTORE;
        }
        if (base.startsWith("SQLITE_FULL")) {
            return "the disk is full (" + detail + "); free some space and run the command again (what was"
                    + " committed is intact)";
        }
        if (base.startsWith("SQLITE_IOERR")) {
            return "an input/output error (" + detail + "): the disk may be full, failing or gone; check it and run"
                    + " the command again (what was committed is intact)";
        }
        if (base.startsWith("SQLITE_READONLY")
                || base.startsWith("SQLITE_CANTOPEN")
                || base.startsWith("SQLITE_PERM")
                || base.startsWith("SQLITE_AUTH")) {
            return "cannot open or write the file (" + detail + "); check that the data directory exists and is"
                    + " writable by this user";
        }
        if (base.startsWith("SQLITE_BUSY") || base.startsWith("SQLITE_LOCKED")) {
            return "the store is locked (" + detail + "); another process may be running a campaign in it";
        }
        return detail;
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    static String ioReason(IOException e) {
        String kind = e.getClass()
                .getSimpleName()
                .replace("Exception", "")
                .replaceAll("([a-z])([A-Z])", "$1 $2")
                .toLowerCase(java.util.Locale.ROOT);
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }

    static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static byte[] readHead(Path file, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(java.util.Collection<String> items) {
        List<String> list = new ArrayList<>(items);
        String s = String.join(", ", list.subList(0, Math.min(5, list.size())));
        if (list.size() > 5) {
            s += " and " + (list.size() - 5) + " more";
        }
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
