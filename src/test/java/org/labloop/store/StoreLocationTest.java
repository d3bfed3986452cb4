package org.labloop.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.core.InvalidInputException;

class StoreLocationTest {
    @Test
    void aPlainPath_isADataDirectory() {
        assertThat(StoreLocation.parse("labloop-data", Map.of()))
                .isEqualTo(new StoreLocation.Directory(Path.of("labloop-data")));
        assertThat(StoreLocation.parse("/srv/lab/postgresql-backups", Map.of()))
                .isInstanceOf(StoreLocation.Directory.class);
    }

    @Test
    void anEmptyAddress_isRefused_ratherThanTakenAsTheCurrentFolder() {
        for (String text : new String[] {"", "  "}) {
            assertThatThrownBy(() -> StoreLocation.parse(text, Map.of()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("--data: the store's address is empty")
                    .hasMessageContaining("leave --data out for ./labloop-data");
        }
    }

    @Test
    void anOptionGivenTwice_orInConflict_orWithAValueTheDriverRefuses_isRefusedAsBadInput() {
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://db.lab/c?schema=b&schema=c", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("gives option 'schema' twice");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://db.lab/c?password=a&password=s3cret", Map.of()))
                .hasMessageContaining("gives option 'password' twice")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://postgres@db.lab/c?user=nobody", Map.of()))
                .hasMessageContaining("names user 'postgres' before the host and user 'nobody' in its options");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://db.lab/c?schema=a&currentSchema=b", Map.of()))
                .hasMessageContaining("gives both schema and currentSchema");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://db.lab/c?sslmode=bogus", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("gives option 'sslmode' the value 'bogus'")
                .hasMessageContaining("verify-full");
        assertThat(StoreLocation.parse("postgresql://alice@db.lab/c?user=alice&sslmode=require", Map.of()))
                .isInstanceOf(StoreLocation.Postgres.class);
    }

    @Test
    void anAddressGivenUnderAnotherOption_isNamedSoInItsMessages() {
        assertThatThrownBy(() -> StoreLocation.parse(" ", Map.of(), "--store"))
                .hasMessageContaining("--store: the store's address is empty")
                .hasMessageNotContaining("--data");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://db.lab/campaigns?shema=x", Map.of(), "--store"))
                .hasMessageContaining("--store: the PostgreSQL address has an option 'shema'")
                .hasMessageContaining("did you mean 'schema'?");
    }

    @Test
    void aFile_isRefused_andTheStoresFileIsAnsweredWithItsFolder(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path db = java.nio.file.Files.writeString(dir.resolve("labloop.db"), "");
        assertThatThrownBy(() -> StoreLocation.parse(db.toString(), Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is a file, not a data directory")
                .hasMessageContaining("here " + dir.toAbsolutePath());
        Path notes = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "");
        assertThatThrownBy(() -> StoreLocation.parse(notes.toString(), Map.of()))
                .hasMessageContaining("is a file, not a data directory")
                .hasMessageNotContaining("here ");
    }

    @Test
    void aPostgresAddress_namesServerDatabaseUserAndSchema_inEveryAcceptedSpelling() {
        for (String text : new String[] {
            "postgresql://alice@db.lab:6543/campaigns?schema=screening",
            "postgres://alice@db.lab:6543/campaigns?currentSchema=screening",
            "jdbc:postgresql://db.lab:6543/campaigns?user=alice&schema=screening"
        }) {
            StoreLocation.Postgres pg = (StoreLocation.Postgres) StoreLocation.parse(text, Map.of());
            assertThat(pg.host()).as(text).isEqualTo("db.lab");
            assertThat(pg.port()).as(text).isEqualTo(6543);
            assertThat(pg.database()).as(text).isEqualTo("campaigns");
            assertThat(pg.user()).as(text).isEqualTo("alice");
            assertThat(pg.schema()).as(text).isEqualTo("screening");
            assertThat(pg.jdbcUrl()).as(text).isEqualTo("jdbc:postgresql://db.lab:6543/campaigns");
        }
    }

    @Test
    void defaults_andThePasswordFromTheEnvironment_neverShowInMessages() {
        StoreLocation.Postgres pg = (StoreLocation.Postgres)
                StoreLocation.parse("postgresql://db.lab/campaigns", Map.of("PGUSER", "bob", "PGPASSWORD", "s3cret"));
        assertThat(pg.port()).isEqualTo(5432);
        assertThat(pg.schema()).isEqualTo("labloop");
        assertThat(pg.user()).isEqualTo("bob");
        assertThat(pg.properties().getProperty("password")).isEqualTo("s3cret");
        assertThat(pg.describe()).isEqualTo("postgresql://bob@db.lab:5432/campaigns?schema=labloop");
        assertThat(pg.toString()).doesNotContain("s3cret");

        StoreLocation.Postgres inline = (StoreLocation.Postgres)
                StoreLocation.parse("postgresql://carol:pa%40ss@db.lab/c?sslmode=require", Map.of("PGPASSWORD", "x"));
        assertThat(inline.password()).isEqualTo("pa@ss");
        assertThat(inline.properties().getProperty("sslmode")).isEqualTo("require");
        assertThat(inline.properties().getProperty("socketTimeout"))
                .as("a lost network does not hold a statement for hours")
                .isEqualTo("300");
        assertThat(inline.describe()).doesNotContain("pa@ss").doesNotContain("pa%40ss");
        StoreLocation.Postgres patient = (StoreLocation.Postgres)
                StoreLocation.parse("postgresql://db.lab/c?socketTimeout=3600", Map.of("PGUSER", "bob"));
        assertThat(patient.properties().getProperty("socketTimeout")).isEqualTo("3600");
    }

    @Test
    void theAddressAMessageShows_readsBackAsTheSameStore_withoutItsPassword() {
        StoreLocation.Postgres pg = (StoreLocation.Postgres) StoreLocation.parse(
                "postgresql://alice%40corp:pw@db_1.lab:6543/my%20db?schema=s1&sslmode=require&sslpassword=k", Map.of());
        assertThat(pg.host()).isEqualTo("db_1.lab");
        assertThat(pg.user()).isEqualTo("alice@corp");
        assertThat(pg.database()).isEqualTo("my db");
        assertThat(pg.describe()).doesNotContain("pw").doesNotContain("sslpassword");
        StoreLocation.Postgres again = (StoreLocation.Postgres) StoreLocation.parse(pg.describe(), Map.of());
        assertThat(again.host()).isEqualTo("db_1.lab");
        assertThat(again.user()).isEqualTo("alice@corp");
        assertThat(again.database()).isEqualTo("my db");
        assertThat(again.schema()).isEqualTo("s1");
        assertThat(again.options()).containsEntry("sslmode", "require");
        assertThat(again.password()).isNull();
    }

    @Test
    void aPasswordHoldingSlashesOrAts_isNeverEchoed() {
        for (String text : new String[] {
            "postgresql://postgres:s3cr/et@127.0.0.1:5432/test",
            "postgresql://postgres:p@ss@host/db/extra",
            "postgresql://postgres:2024/Spring@127.0.0.1"
        }) {
            assertThatThrownBy(() -> StoreLocation.parse(text, Map.of()))
                    .as(text)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageNotContaining("s3cr")
                    .hasMessageNotContaining("et@")
                    .hasMessageNotContaining("ss@");
        }
    }

    /** Seeded mutations of a valid address: each is read or refused with a message, and a password never shows. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3})
    void mutatedAddresses_areReadOrRefusedWithAMessage_andNeverShowTheirPassword(long seed) {
        String valid = "postgresql://alice:Secr3tPw@db.lab:5432/campaigns?schema=s1&sslmode=require";
        String alphabet = "/@:%?#[]&= _-.0a\u00e9\u202e";
        java.util.Random random = new java.util.Random(seed);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            StringBuilder text = new StringBuilder(valid);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(text.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, c);
                    case 1 -> text.deleteCharAt(at);
                    default -> text.setCharAt(at, c);
                }
            }
            String t = text.toString();
            int start = t.indexOf("://");
            int last = t.lastIndexOf('@');
            String secret = start >= 0 && last > start + 3 ? t.substring(start + 3, last) : null;
            try {
                StoreLocation where = StoreLocation.parse(t, Map.of());
                if (where instanceof StoreLocation.Postgres pg
                        && pg.password() != null
                        && pg.password().length() > 2) {
                    assertThat(pg.describe()).as(t).doesNotContain(pg.password());
                }
            } catch (InvalidInputException e) {
                refused++;
                assertThat(e.getMessage()).as(t).isNotBlank();
                if (secret != null && secret.length() >= 4) {
                    assertThat(e.getMessage()).as(t).doesNotContain(secret);
                }
            }
        }
        assertThat(refused).as("mutations refused of 2000").isBetween(1, 1999);
    }

    @Test
    void plusSigns_emptyUsers_andIpv6Hosts_readAsWritten() {
        StoreLocation.Postgres plus =
                (StoreLocation.Postgres) StoreLocation.parse("postgresql://post+gres:p+ss@h/db+1", Map.of());
        assertThat(plus.user()).isEqualTo("post+gres");
        assertThat(plus.password()).isEqualTo("p+ss");
        assertThat(plus.database()).isEqualTo("db+1");
        StoreLocation.Postgres noUser =
                (StoreLocation.Postgres) StoreLocation.parse("postgresql://@h/db", Map.of("PGUSER", "carol"));
        assertThat(noUser.user()).isEqualTo("carol");
        StoreLocation.Postgres v6 =
                (StoreLocation.Postgres) StoreLocation.parse("postgresql://u@[::1]:6000/db", Map.of());
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.port()).isEqualTo(6000);
        assertThat(StoreLocation.parse(v6.describe(), Map.of())).isEqualTo(v6);
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://u@::1/db", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("IPv6 address in brackets");
    }

    @Test
    void badAddresses_areRefusedWithWhatToWrite_andWithoutThePassword() {
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://alice:hunter2@/", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("does not name a host and one database")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://h/db?schema=Robert');DROP", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a plain PostgreSQL name");
        assertThatThrownBy(() -> StoreLocation.parse("mysql://h/db", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a data directory nor a PostgreSQL address");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://h:0/db", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("port 0");
    }

    @Test
    void aPromptSession_givesUpOnASilentServerWithinSeconds_unlessTheAddressSaysOtherwise() {
        StoreLocation.Postgres pg = (StoreLocation.Postgres) StoreLocation.parse("postgresql://u@h/db", Map.of());
        assertThat(pg.properties().getProperty("socketTimeout"))
                .isEqualTo(String.valueOf(StoreLocation.Postgres.SOCKET_TIMEOUT_S));
        assertThat(pg.prompt().properties())
                .containsEntry("socketTimeout", String.valueOf(StoreLocation.Postgres.PROMPT_TIMEOUT_S))
                .containsEntry("loginTimeout", String.valueOf(StoreLocation.Postgres.PROMPT_TIMEOUT_S));
        assertThat(pg.prompt().schema()).isEqualTo(pg.schema());
        StoreLocation.Postgres own =
                (StoreLocation.Postgres) StoreLocation.parse("postgresql://u@h/db?socketTimeout=60", Map.of());
        assertThat(own.prompt().properties()).containsEntry("socketTimeout", "60");
    }

    @Test
    void aMisspeltOption_isRefused_ratherThanLeavingTheStoreInTheDefaultSchema() {
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://alice:hunter2@h/db?shema=screening", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("option 'shema'")
                .hasMessageContaining("did you mean 'schema'?")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://alice@h/db?pasword=hunter2", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("did you mean 'password'?")
                .as("a misspelt password key keeps its value hidden")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://h/db?schema=s&sslmod=require", Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("did you mean 'sslmode'?");
        StoreLocation.Postgres pg = (StoreLocation.Postgres)
                StoreLocation.parse("postgresql://h/db?schema=s&connectTimeout=5&ApplicationName=lab", Map.of());
        assertThat(pg.options()).containsEntry("connectTimeout", "5").containsEntry("ApplicationName", "lab");
    }
}
