package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.cli.CliTest.Result;
import org.labloop.event.EventLogException;
import org.labloop.store.SqliteEventLog;

/**
 * Every read command on a damaged data file: a clear message naming the file, a non-zero exit code other than the
 * internal-error code, and the file left exactly as it was. A store that was intact still exports the same bytes.
 */
class BadDataFileTest {
    @TempDir
    static Path shared;

    static Path pristine;
    static String pristineCsv;

    @TempDir
    Path tmp;

    @BeforeAll
    static void demoStore() throws Exception {
        Path dir = shared.resolve("short");
        Files.createDirectories(dir);
        for (String f : List.of("workcell.yaml", "protocol.yaml")) {
            Files.copy(Path.of("examples/snar").resolve(f), dir.resolve(f));
        }
        Files.writeString(
                dir.resolve("campaign.yaml"),
                Files.readString(Path.of("examples/snar/campaign.yaml"))
                        .replace("budget: 40", "budget: 4")
                        .replace("batch_size: 4", "batch_size: 2"));
        pristine = shared.resolve("pristine");
        Result run = CliTest.labloop(
                "run", dir.resolve("campaign.yaml").toString(), "--data", pristine.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();
        pristineCsv = CliTest.labloop("export", "--data", pristine.toString()).out();
    }

    private Path copy() throws Exception {
        Path d = tmp.resolve("data");
        Files.createDirectories(d);
        Files.copy(pristine.resolve(SqliteEventLog.FILE_NAME), d.resolve(SqliteEventLog.FILE_NAME));
        return d;
    }

    private static List<String[]> readCommands() {
        return List.of(
                new String[] {"status"},
                new String[] {"status", "snar-demo-1"},
                new String[] {"export", "--format", "csv"},
                new String[] {"export", "--format", "json"},
                new String[] {"verify"});
    }

    /** Runs every read command on {@code data}; each must fail properly and leave the directory as it was. */
    private static List<Result> assertEveryReadFails(Path data, String... messageParts) throws Exception {
        List<Result> results = new ArrayList<>();
        for (String[] args : readCommands()) {
            byte[] before = Files.readAllBytes(data.resolve(SqliteEventLog.FILE_NAME));
            String[] withData = java.util.Arrays.copyOf(args, args.length + 2);
            withData[args.length] = "--data";
            withData[args.length + 1] = data.toString();
            Result r = CliTest.labloop(withData);
            String what = String.join(" ", args) + "\n" + r.out() + r.err();
            assertThat(r.code()).as(what).isNotIn(0, Main.INTERNAL_ERROR);
            assertThat(r.out() + r.err())
                    .as(what)
                    .doesNotContain("internal error")
                    .doesNotContain("\tat ")
                    .contains(SqliteEventLog.FILE_NAME);
            for (String part : messageParts) {
                assertThat(r.out() + r.err()).as(what).contains(part);
            }
            assertThat(Files.readAllBytes(data.resolve(SqliteEventLog.FILE_NAME)))
                    .as(what)
                    .isEqualTo(before);
            results.add(r);
        }
        return results;
    }

    private static void sql(Path data, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(SqliteEventLog.FILE_NAME));
                Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS events_no_update");
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    @Test
    void truncatedAtARandomByte() throws Exception {
        Path d = copy();
        try (RandomAccessFile f =
                new RandomAccessFile(d.resolve(SqliteEventLog.FILE_NAME).toFile(), "rw")) {
            f.setLength(f.length() / 2 + 123);
        }
        assertEveryReadFails(d, "backup");
    }

    @Test
    void zeroLength() throws Exception {
        Path d = copy();
        Files.write(d.resolve(SqliteEventLog.FILE_NAME), new byte[0]);
        assertEveryReadFails(d, "empty");
    }

    @Test
    void flippedBytes() throws Exception {
        Path d = copy();
        Path f = d.resolve(SqliteEventLog.FILE_NAME);
        byte[] b = Files.readAllBytes(f);
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 300; i++) {
            b[100 + r.nextInt(b.length - 100)] ^= (byte) (1 + r.nextInt(255));
        }
        Files.write(f, b);
        assertEveryReadFails(d);
    }

    @Test
    void anotherSqliteDatabase() throws Exception {
        Path d = tmp.resolve("other");
        Files.createDirectories(d);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + d.resolve(SqliteEventLog.FILE_NAME));
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE inventory (item TEXT)");
        }
        assertEveryReadFails(d, "not a LabLoop store");
    }

    @Test
    void garbageWriteAheadLog() throws Exception {
        Path d = copy();
        byte[] junk = new byte[9000];
        new java.util.Random(1).nextBytes(junk);
        Files.write(d.resolve("labloop.db-wal"), junk);
        assertEveryReadFails(d, "write-ahead log");
        assertThat(Files.readAllBytes(d.resolve("labloop.db-wal"))).isEqualTo(junk);
    }

    @Test
    void eventBodyNotJson_orUnknownType() throws Exception {
        for (String body : List.of("{oops", "{\"type\":\"TeleportedSample\"}")) {
            Path d = copy();
            sql(d, "UPDATE events SET body = '" + body + "' WHERE seq = 7");
            List<Result> results = assertEveryReadFails(d, "event 7");
            assertThat(results.get(4).out()).contains("NOT INTACT");
            Files.delete(d.resolve(SqliteEventLog.FILE_NAME));
        }
    }

    @Test
    void hashChainBrokenByAnEdit_isNeverShown_andVerifyNamesTheEvent() throws Exception {
        Path d = copy();
        sql(d, "UPDATE events SET actor = 'user:mallory' WHERE seq = 9");
        List<Result> results = assertEveryReadFails(d, "event");
        assertThat(results.get(2).err()).contains("not intact").contains("labloop verify");
        assertThat(results.get(4).code()).isEqualTo(VerifyCommand.ALTERED);
        assertThat(results.get(4).out()).containsPattern("NOT INTACT at event \\d+");
    }

    @Test
    void oneAlteredCampaign_isMarkedInTheList_whileTheOthersAreStillListed() throws Exception {
        Path d = copy();
        Result second = CliTest.labloop(
                "run",
                shared.resolve("short").resolve("campaign.yaml").toString(),
                "--new",
                "--data",
                d.toString(),
                "--no-progress");
        assertThat(second.code()).as(second.err()).isZero();
        sql(d, "UPDATE events SET actor = 'user:mallory' WHERE seq = 9 AND campaign_id = 'snar-demo-1'");

        Result status = CliTest.labloop("status", "--data", d.toString());
        assertThat(status.code()).as(status.out() + status.err()).isEqualTo(EventLogException.EXIT_CODE);
        assertThat(status.out()).containsPattern("snar-demo-1 +ALTERED").containsPattern("snar-demo-2 +completed +4 ");
        assertThat(status.err()).contains("snar-demo-1", "not intact", "labloop verify");
        assertThat(status.err()).doesNotContain("snar-demo-2");
    }

    @Test
    void failedCommands_leaveTheIntactStoreExportingTheSameBytes() throws Exception {
        Path d = copy();
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "campaign: [unclosed\n");
        assertThat(CliTest.labloop("run", bad.toString(), "--data", d.toString())
                        .code())
                .isEqualTo(2);
        assertThat(CliTest.labloop("export", "nope", "--data", d.toString()).code())
                .isEqualTo(2);
        assertThat(CliTest.labloop("status", "nope", "--data", d.toString()).code())
                .isEqualTo(2);
        assertThat(CliTest.labloop("export", "--data", d.toString()).out()).isEqualTo(pristineCsv);
        assertThat(Files.readAllBytes(d.resolve(SqliteEventLog.FILE_NAME)))
                .isEqualTo(Files.readAllBytes(pristine.resolve(SqliteEventLog.FILE_NAME)));
    }

    @Test
    void exportColumns_areInAFixedOrder_soEveryProcessExportsTheSameBytes() {
        // Parameter and outcome columns follow the campaign's declared order, never a map's iteration order.
        assertThat(pristineCsv.lines().findFirst().orElseThrow())
                .startsWith("campaign_id,experiment_id,index,status,tau,equiv,conc,temperature,sty,e_factor,");
    }

    @Test
    void dataDirectoryIsAFile_runFailsClearly() throws Exception {
        Path file = tmp.resolve("data-file");
        Files.writeString(file, "x");
        Result r = CliTest.labloop("run", "examples/snar/campaign.yaml", "--data", file.toString(), "--no-progress");
        assertThat(r.code()).as("bad input").isEqualTo(2);
        assertThat(r.err()).contains("data-file").contains("is a file, not a data directory");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void runOnADamagedStore_refusesBeforeWriting() throws Exception {
        Path d = copy();
        Path f = d.resolve(SqliteEventLog.FILE_NAME);
        byte[] b = Files.readAllBytes(f);
        for (int i = 4096; i < 4096 + 512; i += 3) {
            b[i] ^= (byte) 0x33;
        }
        Files.write(f, b);
        Result r = CliTest.labloop("run", "examples/snar/campaign.yaml", "--data", d.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isNotIn(0, Main.INTERNAL_ERROR);
        assertThat(r.err()).contains(SqliteEventLog.FILE_NAME).contains("backup");
        assertThat(Files.readAllBytes(f)).isEqualTo(b);
    }

    /**
     * A full disk, simulated without root by a file-size limit on a child process (ulimit -f): the run stops with a
     * clear I/O message, and every committed event stays intact and readable.
     */
    @Test
    void fullDiskWhileRunning_stopsWithAClearError_andCommittedEventsStayIntact() throws Exception {
        String arch = System.getProperty("os.arch");
        String nativeDir =
                arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "aarch64" : null;
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && nativeDir != null, "Linux only");
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        // SQLite's native library is unpacked beforehand: unpacking it is itself a write the limit would stop.
        Path lib = tmp.resolve("native");
        Files.createDirectories(lib);
        try (InputStream in = SqliteEventLog.class
                .getClassLoader()
                .getResourceAsStream("org/sqlite/native/Linux/" + nativeDir + "/libsqlitejdbc.so")) {
            assumeTrue(in != null, "no bundled SQLite library for this platform");
            Files.copy(in, lib.resolve("libsqlitejdbc.so"));
        }
        Path data = tmp.resolve("full");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "ulimit -f 400; exec '" + java + "' -XX:-UsePerfData --enable-native-access=ALL-UNNAMED"
                + " -Dorg.sqlite.lib.path='" + lib + "' -Dorg.sqlite.lib.name=libsqlitejdbc.so"
                + " -cp '" + System.getProperty("java.class.path") + "' org.labloop.cli.Main run"
                + " examples/snar/campaign.yaml --no-progress --data '" + data + "'";
        Process p = new ProcessBuilder("/bin/sh", "-c", cmd)
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isNotIn(0, Main.INTERNAL_ERROR);
        assertThat(output)
                .contains(SqliteEventLog.FILE_NAME)
                .containsAnyOf("disk is full", "input/output error")
                .contains("what was committed is intact")
                .doesNotContain("internal error");

        Result verify = CliTest.labloop("verify", "--data", data.toString());
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("intact");
        Result export = CliTest.labloop("export", "--data", data.toString());
        assertThat(export.code()).as(export.err()).isZero();
        // The run stopped with the disk full and no process drives the campaign any more.
        Result status = CliTest.labloop("status", "--data", data.toString());
        assertThat(status.out()).contains("interrupted");
    }
}
