package org.labloop.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A schema of its own on the PostgreSQL server the tests use ({@code LABLOOP_TEST_POSTGRES}, default
 * {@code postgresql://postgres@127.0.0.1:5432/test}), dropped again on close. A server that cannot be reached fails the
 * test, saying so; {@code LABLOOP_TEST_POSTGRES=off} skips these tests on a machine without one.
 */
public final class TestPostgres implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private final StoreLocation.Postgres location;
    private final String url;

    private TestPostgres(StoreLocation.Postgres location, String url) {
        this.location = location;
        this.url = url;
    }

    /** A new, empty schema (not created yet: the store creates it). */
    public static TestPostgres fresh() {
        String server =
                System.getenv().getOrDefault("LABLOOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test");
        Assumptions.assumeFalse(server.equals("off"), "LABLOOP_TEST_POSTGRES=off: no PostgreSQL server for the tests");
        String schema = "lltest_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
        String url = server + (server.contains("?") ? "&" : "?") + "schema=" + schema;
        StoreLocation.Postgres location = (StoreLocation.Postgres) StoreLocation.parse(url, System.getenv());
        try (Connection db = PostgresEventLog.connect(location);
                Statement st = db.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException | StoreException e) {
            throw new AssertionError(
                    "the PostgreSQL tests need a server at " + server + " (set LABLOOP_TEST_POSTGRES"
                            + " to another address, or to off to skip them): " + e.getMessage(),
                    e);
        }
        return new TestPostgres(location, url);
    }

    public StoreLocation.Postgres location() {
        return location;
    }

    /** The address as a user gives it to {@code --data}. */
    public String url() {
        return url;
    }

    /** A plain connection to the schema, for what a test does behind the store's back. */
    public Connection connect() {
        return PostgresEventLog.connect(location);
    }

    @Override
    public void close() throws SQLException {
        try (Connection db = connect();
                Statement st = db.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + location.schema() + " CASCADE");
        }
    }
}
