package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
    @TempDir
    Path data;

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void tokenCreate_printsTheTokenOnce_listShowsNoSecret_andRevokeWorks() {
        Run created = run("token", "create", "--name", "bob", "--role", "viewer", "--data", data.toString());
        assertThat(created.code()).isZero();
        String token = created.out().strip();
        assertThat(token).startsWith("llt_").hasSizeGreaterThan(40);
        assertThat(created.err()).contains("shown only now");

        Run list = run("token", "list", "--data", data.toString());
        assertThat(list.out()).contains("bob", "viewer").doesNotContain(token);

        assertThat(run("token", "revoke", "--name", "bob", "--data", data.toString())
                        .code())
                .isZero();
        assertThat(run("token", "list", "--data", data.toString()).out()).doesNotContain(" - \n");

        Run again = run("token", "revoke", "--name", "bob", "--data", data.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("no active token of 'bob' to revoke");
    }

    @Test
    void rotation_revokeById_keepsTheNewTokenAndRefusesTheOld() {
        String old = run("token", "create", "--name", "robot", "--data", data.toString())
                .out()
                .strip();
        Run second = run("token", "create", "--name", "robot", "--data", data.toString());
        String fresh = second.out().strip();
        assertThat(second.err()).contains("older active token (id 1)", "labloop token revoke --id 1 --data " + data);

        Run revoked = run("token", "revoke", "--id", "1", "--data", data.toString());
        assertThat(revoked.code()).isZero();
        assertThat(revoked.out()).contains("Revoked token 1 of 'robot'");
        try (org.labloop.api.ApiTokens tokens = org.labloop.api.ApiTokens.open(data)) {
            assertThat(tokens.authenticate(old)).isEmpty();
            assertThat(tokens.authenticate(fresh)).isPresent();
        }

        Run again = run("token", "revoke", "--id", "1", "--data", data.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("no active token has id 1", "active token ids: 2 (robot)");
        assertThat(run("token", "revoke", "--data", data.toString()).code()).isEqualTo(2);
        assertThat(run("token", "revoke", "--id", "2", "--name", "robot", "--data", data.toString())
                        .code())
                .isEqualTo(2);
    }

    /** A store as a version before the record of refused attempts left it (its last migration undone). */
    private void asBeforeRefusalsWereRecorded() throws Exception {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(
                        "jdbc:sqlite:" + data.resolve(org.labloop.store.SqliteEventLog.FILE_NAME));
                java.sql.Statement st = db.createStatement()) {
            st.execute("DROP TRIGGER access_refusals_no_update");
            st.execute("DROP TRIGGER access_refusals_no_delete");
            st.execute("DROP TABLE access_refusals");
            st.execute("DELETE FROM flyway_schema_history WHERE version = '5'");
        }
    }

    private byte[] storeBytes() throws Exception {
        return java.security.MessageDigest.getInstance("SHA-256")
                .digest(java.nio.file.Files.readAllBytes(data.resolve(org.labloop.store.SqliteEventLog.FILE_NAME)));
    }

    @Test
    void listingTokensAndRefusals_ofAStoreFromAnOlderVersion_listsWhatItHas_andLeavesTheStoreAsItWas()
            throws Exception {
        assertThat(run("token", "create", "--name", "olga", "--data", data.toString())
                        .code())
                .isZero();
        asBeforeRefusalsWereRecorded();
        byte[] before = storeBytes();

        Run list = run("token", "list", "--data", data.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("olga");
        Run refusals = run("token", "refusals", "--data", data.toString());
        assertThat(refusals.code()).as(refusals.err()).isZero();
        assertThat(refusals.out()).contains("No refused attempt recorded.");

        assertThat(storeBytes()).as("the store file, byte for byte").isEqualTo(before);
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(
                        "jdbc:sqlite:" + data.resolve(org.labloop.store.SqliteEventLog.FILE_NAME));
                java.sql.ResultSet rs = db.createStatement()
                        .executeQuery("SELECT max(CAST(version AS INTEGER)) FROM flyway_schema_history")) {
            rs.next();
            assertThat(rs.getInt(1)).as("not upgraded by a listing").isEqualTo(4);
        }
    }

    @Test
    void listingTokensOrRefusals_whereNoStoreIs_saysSo_andCreatesNothing() {
        java.nio.file.Path nowhere = data.resolve("no-store-here"); // inside this test's own folder
        for (String what : new String[] {"list", "refusals"}) {
            Run r = run("token", what, "--data", nowhere.toString());
            assertThat(r.code()).as(what).isEqualTo(2);
            assertThat(r.err()).as(what).contains("no LabLoop store");
            assertThat(nowhere).as(what).doesNotExist();
        }
    }

    @Test
    void badNameOrRole_isAnInputError() {
        assertThat(run("token", "create", "--name", "no spaces", "--data", data.toString())
                        .code())
                .isEqualTo(2);
        Run role = run("token", "create", "--name", "x", "--role", "root", "--data", data.toString());
        assertThat(role.code()).isEqualTo(2);
        assertThat(role.err()).contains("unknown role");
    }

    @Test
    void servePace_acceptsPositiveNumbersAndMax_refusesZeroAndTheRest() {
        assertThat(ServeCommand.parsePace("max")).isZero();
        assertThat(ServeCommand.parsePace("250")).isEqualTo(250.0);
        for (String bad : new String[] {"fast", "0", "-5", "NaN", "Infinity"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServeCommand.parsePace(bad))
                    .as(bad)
                    .hasMessageContaining("--pace: '" + bad + "' is not a pace")
                    .hasMessageContaining("give a positive number (virtual seconds per second) or max");
        }
    }
}
