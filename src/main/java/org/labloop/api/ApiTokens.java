package org.labloop.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.labloop.core.InvalidInputException;
import org.labloop.store.PostgresEventLog;
import org.labloop.store.SqliteEventLog;
import org.labloop.store.StoreConnection;
import org.labloop.store.StoreException;
import org.labloop.store.StoreLocation;

/**
 * API bearer tokens, kept in the store's {@code api_tokens} table as SHA-256 hashes only: a token is shown once, when
 * it is issued, and cannot be read back. Tokens are 256 random bits, so a plain hash is enough (no password
 * stretching needed). Lookups are cached for a few seconds so that a busy server does not query the file on every
 * request; a revoked token stops working within that time.
 */
public final class ApiTokens implements AutoCloseable {
    /** Prefix of every token, so a leaked one is easy to recognise (and to search for in logs). */
    public static final String PREFIX = "llt_";

    private static final long CACHE_NANOS = 5_000_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StoreConnection db;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private ApiTokens(StoreConnection db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Marks the store open in this process while this connection is (see SqliteEventLog#holdOpen). */
    private SqliteEventLog.Hold hold;

    /** Opens the token table of the store at {@code location} (creating the store and its tables when needed). */
    public static ApiTokens open(StoreLocation location) {
        return switch (location) {
            case StoreLocation.Directory d -> open(d.path());
            case StoreLocation.Postgres pg -> {
                PostgresEventLog.open(pg).close(); // creates the tables when missing
                // One attempt to connect again when the server ends the connection: a request is answered 503 at
                // once rather than held while the server is away, or stays silent.
                yield new ApiTokens(StoreConnection.server(pg.prompt(), Duration.ZERO), Clock.systemUTC());
            }
        };
    }

    /**
     * Opens the tokens and refused attempts of the existing store at {@code location} for listing: refuses a place that
     * holds no store, and creates, upgrades and writes nothing (an older store without these tables lists none).
     */
    public static ApiTokens openForReading(StoreLocation location) {
        return new ApiTokens(
                StoreConnection.readingThrough(org.labloop.lab.Lab.openReadOnly(location, false)), Clock.systemUTC());
    }

    /** Opens the token table of the store in {@code dataDir} (creating the store and its tables when needed). */
    public static ApiTokens open(Path dataDir) {
        return open(dataDir, Clock.systemUTC());
    }

    /** As {@link #open(Path)}, stamping what it records with {@code clock}'s time. */
    static ApiTokens open(Path dataDir, Clock clock) {
        // Opening the event log runs the migrations, which create the token table.
        SqliteEventLog.open(dataDir).close();
        Path file = dataDir.resolve(SqliteEventLog.FILE_NAME).toAbsolutePath();
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout=10000");
            }
            ApiTokens tokens = new ApiTokens(StoreConnection.file(db), clock);
            tokens.hold = SqliteEventLog.holdOpen(file);
            return tokens;
        } catch (SQLException e) {
            throw new StoreException("cannot open tokens in " + file + ": " + e.getMessage(), e);
        }
    }

    /** An issued token: the secret (shown once) and what it stands for. */
    public record Issued(String token, Principal principal) {}

    /** One stored token, without its secret. */
    public record Info(long id, String name, String role, String createdAt, String revokedAt) {}

    /** Issues a new token for {@code name} with {@code role}; returns the secret, which is not stored. */
    public synchronized Issued create(String name, String role) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
            throw InvalidInputException.of(
                    "--name",
                    "token name '" + name + "' is not valid",
                    "use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
        if (!Principal.knownRole(role)) {
            throw InvalidInputException.of(
                    "--role", "unknown role '" + role + "'", "roles are viewer, operator and admin");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try {
            db.once(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)")) {
                    ps.setString(1, name);
                    ps.setString(2, role);
                    ps.setString(3, hash(token));
                    ps.setString(4, clock.instant().toString());
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException("cannot store token: " + e.getMessage(), e);
        }
        return new Issued(token, new Principal(name, role));
    }

    /** Who {@code token} belongs to, if it is valid and not revoked. */
    public Optional<Principal> authenticate(String token) {
        Cached c = found(token);
        return c == null ? Optional.empty() : c.principal;
    }

    /**
     * Whose token {@code token} was, when it is one that has been revoked (for the record of a refusal: who still uses
     * a revoked token). Asked right after {@link #authenticate} refused it, it costs no second look-up.
     */
    public Optional<String> revokedOwner(String token) {
        Cached c = found(token);
        return c == null ? Optional.empty() : Optional.ofNullable(c.revokedOwner);
    }

    /** What the store says of {@code token}, remembered for a few seconds; null for what cannot be a token. */
    private Cached found(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 200) {
            return null;
        }
        String h = hash(token);
        long now = System.nanoTime();
        Cached c = cache.get(h);
        if (c != null && now - c.at < CACHE_NANOS) {
            return c;
        }
        c = lookup(h, now);
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(h, c);
        return c;
    }

    private synchronized Cached lookup(String hash, long now) {
        try {
            return db.again(c -> {
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT name, role, revoked_at FROM api_tokens WHERE token_hash = ?")) {
                    ps.setString(1, hash);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return new Cached(Optional.empty(), null, now);
                        }
                        return rs.getString(3) == null
                                ? new Cached(Optional.of(new Principal(rs.getString(1), rs.getString(2))), null, now)
                                : new Cached(Optional.empty(), rs.getString(1), now);
                    }
                }
            });
        } catch (SQLException e) {
            throw new StoreException("cannot read tokens: " + e.getMessage(), e);
        }
    }

    /** Revokes every token named {@code name}; returns how many. */
    public synchronized int revoke(String name) {
        return revokeWhere("name", name);
    }

    /** Revokes the token with this id if it is active; returns whether it was. */
    public synchronized boolean revokeId(long id) {
        return revokeWhere("id", id) > 0;
    }

    /** Revokes the active tokens whose {@code column} (a fixed name, never input) equals {@code value}. */
    private int revokeWhere(String column, Object value) {
        String at = clock.instant().toString();
        try {
            // Run again, it revokes what is still active: the count may then miss what the lost answer counted.
            int n = db.again(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE api_tokens SET revoked_at = ? WHERE " + column + " = ? AND revoked_at IS NULL")) {
                    ps.setString(1, at);
                    ps.setObject(2, value);
                    return ps.executeUpdate();
                }
            });
            cache.clear();
            return n;
        } catch (SQLException e) {
            throw new StoreException("cannot revoke tokens (" + column + " " + value + "): " + e.getMessage(), e);
        }
    }

    public synchronized List<Info> list() {
        List<Info> out = new ArrayList<>();
        try {
            db.again(c -> {
                out.clear();
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery(
                                "SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY id")) {
                    while (rs.next()) {
                        out.add(new Info(
                                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            if (StoreConnection.missingTable(e)) {
                return List.of(); // a store from before tokens, opened for reading only: none was issued
            }
            throw new StoreException("cannot list tokens: " + e.getMessage(), e);
        }
        return out;
    }

    /** A refused attempt to use a token or to sign. */
    public record Refusal(
            long id,
            String recordedAt,
            String kind,
            String principal,
            String campaignId,
            String source,
            String detail) {}

    /** Someone presented a token that is unknown or revoked. */
    public static final String TOKEN_REFUSED = "token_refused";

    /** A signature was refused: a token not the signer's, a role that may not sign, or a campaign that takes none. */
    public static final String SIGNATURE_REFUSED = "signature_refused";

    /** Refusals recorded one by one per source and minute; beyond, one row says that more came. */
    static final int PER_SOURCE_PER_MINUTE = 20;

    private final Map<String, long[]> windows = new java.util.HashMap<>(); // source -> {minute, recorded}

    /**
     * Records a refused attempt ({@code principal} "?" when no valid token says who), so that unauthorised use can be
     * found and reported ({@code labloop token refusals}). Never the token itself. At most {@value
     * #PER_SOURCE_PER_MINUTE} a minute from one source are recorded one by one, and then one row saying that more came:
     * a client sending bad tokens in a loop cannot fill the store. Text is kept to one line of bounded length. A store
     * that cannot take the record just now does not change the refusal: the failure to record is logged and the
     * caller refuses as it would have.
     */
    public void refused(String kind, String principal, String campaignId, String source, String detail) {
        synchronized (this) {
            long minute = clock.millis() / 60_000;
            if (windows.size() > 10_000) {
                windows.clear();
            }
            long[] w = windows.computeIfAbsent(source, k -> new long[] {minute, 0});
            if (w[0] != minute) {
                w[0] = minute;
                w[1] = 0;
            }
            if (++w[1] > PER_SOURCE_PER_MINUTE + 1) {
                return;
            }
            String why = w[1] > PER_SOURCE_PER_MINUTE
                    ? "more refused attempts from this source in this minute are not recorded one by one (at most "
                            + PER_SOURCE_PER_MINUTE + " a minute)"
                    : detail;
            String at = clock.instant().toString();
            try {
                db.once(c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_refusals (recorded_at, kind,"
                            + " principal, campaign_id, source, detail) VALUES (?, ?, ?, ?, ?, ?)")) {
                        ps.setString(1, at);
                        ps.setString(2, kind);
                        ps.setString(3, line(principal, 64));
                        ps.setString(4, campaignId == null ? null : line(campaignId, 100));
                        ps.setString(5, line(source, 100));
                        ps.setString(6, line(why, 500));
                        return ps.executeUpdate();
                    }
                });
            } catch (SQLException | StoreException e) {
                org.slf4j.LoggerFactory.getLogger(ApiTokens.class)
                        .warn("cannot record a refused {} ({}): {}", kind, line(why, 200), e.getMessage());
            }
        }
    }

    /** {@code text} as one printable line of at most {@code max} code points: control and format characters as '?'. */
    public static String line(String text, int max) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), max));
        text.codePoints().limit(max).forEach(c -> {
            int type = Character.getType(c);
            boolean unprintable = Character.isISOControl(c)
                    || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR;
            b.appendCodePoint(unprintable ? '?' : c);
        });
        return b.toString();
    }

    /** The latest {@code limit} refusals, oldest first. */
    public synchronized List<Refusal> refusals(int limit) {
        List<Refusal> out = new ArrayList<>();
        try {
            db.again(c -> {
                out.clear();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, recorded_at, kind, principal, campaign_id,"
                        + " source, detail FROM access_refusals ORDER BY id DESC LIMIT ?")) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(new Refusal(
                                    rs.getLong(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getString(7)));
                        }
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            if (StoreConnection.missingTable(e)) {
                return List.of(); // a store from before the record of refusals, opened for reading only
            }
            throw new StoreException("cannot read the refused attempts: " + e.getMessage(), e);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** True when at least one token is active. */
    public boolean any() {
        return list().stream().anyMatch(i -> i.revokedAt() == null);
    }

    static String hash(String token) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close tokens: " + e.getMessage(), e);
        } finally {
            if (hold != null) {
                hold.close();
            }
        }
    }

    /** A token as the store had it: whom it stands for when valid, whose it was when revoked. */
    private record Cached(Optional<Principal> principal, String revokedOwner, long at) {}
}
