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

    private final Connection db;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private ApiTokens(Connection db, Clock clock) {
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
                yield new ApiTokens(PostgresEventLog.connect(pg), Clock.systemUTC());
            }
        };
    }

    /** Opens the token table of the store in {@code dataDir} (creating the store and its tables when needed). */
    public static ApiTokens open(Path dataDir) {
        // Opening the event log runs the migrations, which create the token table.
        SqliteEventLog.open(dataDir).close();
        Path file = dataDir.resolve(SqliteEventLog.FILE_NAME).toAbsolutePath();
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout=10000");
            }
            ApiTokens tokens = new ApiTokens(db, Clock.systemUTC());
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
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, role);
            ps.setString(3, hash(token));
            ps.setString(4, clock.instant().toString());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot store token: " + e.getMessage(), e);
        }
        return new Issued(token, new Principal(name, role));
    }

    /** Who {@code token} belongs to, if it is valid and not revoked. */
    public Optional<Principal> authenticate(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 200) {
            return Optional.empty();
        }
        String h = hash(token);
        long now = System.nanoTime();
        Cached c = cache.get(h);
        if (c != null && now - c.at < CACHE_NANOS) {
            return c.principal;
        }
        Optional<Principal> p = lookup(h);
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(h, new Cached(p, now));
        return p;
    }

    private synchronized Optional<Principal> lookup(String hash) {
        try (PreparedStatement ps =
                db.prepareStatement("SELECT name, role FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Principal(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
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
        try (PreparedStatement ps = db.prepareStatement(
                "UPDATE api_tokens SET revoked_at = ? WHERE " + column + " = ? AND revoked_at IS NULL")) {
            ps.setString(1, clock.instant().toString());
            ps.setObject(2, value);
            int n = ps.executeUpdate();
            cache.clear();
            return n;
        } catch (SQLException e) {
            throw new StoreException("cannot revoke tokens (" + column + " " + value + "): " + e.getMessage(), e);
        }
    }

    public synchronized List<Info> list() {
        List<Info> out = new ArrayList<>();
        try (Statement st = db.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY id")) {
            while (rs.next()) {
                out.add(new Info(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        } catch (SQLException e) {
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

    /**
     * Records a refused attempt ({@code principal} "?" when no valid token says who), so that unauthorised use can be
     * found and reported ({@code labloop token refusals}). Never the token itself. A store that cannot take the record
     * just now does not change the refusal: the failure to record is logged and the caller refuses as it would have.
     */
    public void refused(String kind, String principal, String campaignId, String source, String detail) {
        synchronized (this) {
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO access_refusals"
                    + " (recorded_at, kind, principal, campaign_id, source, detail) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, clock.instant().toString());
                ps.setString(2, kind);
                ps.setString(3, principal);
                ps.setString(4, campaignId);
                ps.setString(5, source);
                ps.setString(6, detail.length() > 500 ? detail.substring(0, 500) : detail);
                ps.executeUpdate();
            } catch (SQLException e) {
                org.slf4j.LoggerFactory.getLogger(ApiTokens.class)
                        .warn("cannot record a refused {} by {} ({}): {}", kind, principal, detail, e.getMessage());
            }
        }
    }

    /** The latest {@code limit} refusals, oldest first. */
    public synchronized List<Refusal> refusals(int limit) {
        List<Refusal> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT id, recorded_at, kind, principal, campaign_id, source,"
                + " detail FROM access_refusals ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(
                            0,
                            new Refusal(
                                    rs.getLong(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getString(7)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the refused attempts: " + e.getMessage(), e);
        }
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

    private record Cached(Optional<Principal> principal, long at) {}
}
