package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.store.SqliteEventLog;

/** The commands as a user types them, against a real store in a temporary directory. */
class CliTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result labloop(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void demoCampaign_runsToTheEnd_andExportsOneRowPerExperimentWithProvenance() throws Exception {
        Path data = tmp.resolve("data");
        Result run = labloop("run", "examples/snar/campaign.yaml", "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("40 completed").contains("Pareto front").contains("Best sty");

        Path csv = tmp.resolve("out.csv");
        Result export = labloop("export", "--format", "csv", "--out", csv.toString(), "--data", data.toString());
        assertThat(export.code()).as(export.err()).isZero();
        Table table = CsvTables.read(csv);
        assertThat(table.size()).isEqualTo(40);
        assertThat(table.columns())
                .contains(
                        "experiment_id",
                        "status",
                        "tau",
                        "equiv",
                        "conc",
                        "temperature",
                        "sty",
                        "e_factor",
                        "planner",
                        "planner_version",
                        "seed",
                        "software_version",
                        "analyse_device",
                        "analyse_start_min",
                        "analyse_end_min");
        assertThat(table.cell(0, "analyse_device")).isEqualTo("hplc");
        assertThat(table.cell(0, "seed")).isEqualTo("7");
        // What the planner predicted for its own choices; the space-filling start has no predictions.
        assertThat(table.columns()).contains("planner_mean.sty", "planner_sd.sty", "planner_noise_sd.e_factor");
        assertThat(table.cell(0, "rationale")).isEqualTo("space-filling");
        assertThat(table.cell(0, "planner_mean.sty")).isEmpty();
        assertThat(table.cell(39, "rationale")).isIn("explore", "exploit");
        assertThat(Double.parseDouble(table.cell(39, "planner_sd.sty"))).isNotNegative();

        Result json = labloop("export", "--format", "json", "--data", data.toString());
        assertThat(json.code()).isZero();
        assertThat(json.out())
                .contains("\"provenance\"")
                .contains("\"idempotency_key\"")
                .contains("\"tau\" : \"min\"")
                .contains("\"sty\" : \"kg m-3 h-1\"");

        Result status = labloop("status", "--data", data.toString());
        assertThat(status.out()).contains("snar-demo-1").contains("completed");
        assertThat(labloop("verify", "--data", data.toString()).out()).contains("intact");

        // One campaign's status shows the planner's last batch: why each was chosen, what it predicted, what came.
        Result one = labloop("status", "snar-demo-1", "--data", data.toString());
        assertThat(one.out()).contains("Latest proposals (planner bayesian; predicted mean +- sd):");
        String last = one.out()
                .lines()
                .filter(l -> l.startsWith("  E0040 "))
                .findFirst()
                .orElseThrow();
        assertThat(last)
                .contains("completed")
                .containsPattern("(explore|exploit)")
                .containsPattern("sty [0-9.]+ \\+- [0-9.]+, measured [0-9.]+; e_factor ");
    }

    @Test
    void sameSeed_givesIdenticalExports_andAnotherSeedDoesNot() throws Exception {
        String[] exports = new String[3];
        long[] seeds = {3, 3, 4};
        for (int i = 0; i < 3; i++) {
            Path data = tmp.resolve("d" + i);
            assertThat(labloop(
                                    "run",
                                    "examples/snar/campaign.yaml",
                                    "--data",
                                    data.toString(),
                                    "--seed",
                                    Long.toString(seeds[i]),
                                    "--no-progress")
                            .code())
                    .isZero();
            exports[i] = labloop("export", "--format", "json", "--data", data.toString())
                    .out();
        }
        // Identical but for when the events were really written (wall clock), which the export also says.
        assertThat(exports[0]).contains("\"recorded_from\"", "\"recorded_to\"", "\"operator_actions\"");
        assertThat(withoutWallClock(exports[1])).isEqualTo(withoutWallClock(exports[0]));
        assertThat(withoutWallClock(exports[2])).isNotEqualTo(withoutWallClock(exports[0]));
    }

    @Test
    void badCampaignFile_exitsWith2_listsEveryProblem_andCreatesNothing() throws Exception {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        for (String f : List.of("workcell.yaml", "protocol.yaml")) {
            Files.copy(Path.of("examples/snar").resolve(f), dir.resolve(f));
        }
        String campaign = Files.readString(Path.of("examples/snar/campaign.yaml"))
                .replace("budget: 40", "budgett: 40")
                .replace("min: 0.5, max: 2.0", "min: 2.5, max: 2.0");
        Files.writeString(dir.resolve("campaign.yaml"), campaign);
        Path data = tmp.resolve("data");

        Result r = labloop("run", dir.resolve("campaign.yaml").toString(), "--data", data.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("campaign.yaml:").contains("budgett").contains("min");
        assertThat(Files.exists(data.resolve(SqliteEventLog.FILE_NAME))).isFalse();
    }

    @Test
    void missingFile_andEmptyStore_getClearErrors() {
        Result missing = labloop("run", tmp.resolve("nope.yaml").toString(), "--data", tmp.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.yaml");

        Result noStore = labloop("status", "--data", tmp.resolve("empty").toString());
        assertThat(noStore.code()).isEqualTo(2);
        assertThat(noStore.err()).contains("no LabLoop store");

        Result unknownId =
                labloop("export", "nope", "--data", tmp.resolve("empty").toString());
        assertThat(unknownId.code()).isEqualTo(2);
    }

    @Test
    void faultInjectedDemo_spendsItsWholeBudget_andEveryFailureIsInTheDataset() {
        Path data = tmp.resolve("faults");
        Result run = labloop("run", "examples/snar-faults/campaign.yaml", "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();
        Result toFolder = labloop("export", "--out", tmp.toString(), "--data", data.toString());
        assertThat(toFolder.code()).isEqualTo(2);
        assertThat(toFolder.err()).contains("is a folder, not a file").contains("give a file name");
        Path csv = tmp.resolve("faults.csv");
        assertThat(labloop("export", "--out", csv.toString(), "--data", data.toString())
                        .code())
                .isZero();
        Table table = CsvTables.read(csv);
        assertThat(table.size()).isEqualTo(40);
        int failed = 0;
        for (int i = 0; i < table.size(); i++) {
            String status = table.cell(i, "status");
            assertThat(status).isIn("completed", "failed");
            if (status.equals("failed")) {
                failed++;
                assertThat(table.cell(i, "failure")).isNotBlank();
                assertThat(table.cell(i, "sty")).isEmpty();
            } else {
                assertThat(table.cell(i, "sty")).isNotEmpty();
            }
        }
        assertThat(failed).isPositive();
        assertThat(run.out()).contains(failed + " failed");
        // Every failed step attempt is counted, retried ones included, and the JSON gives each one's reason.
        int attempts = 0;
        for (int i = 0; i < table.size(); i++) {
            int n = Integer.parseInt(table.cell(i, "failed_attempts"));
            assertThat(n).isGreaterThanOrEqualTo(table.cell(i, "status").equals("failed") ? 1 : 0);
            attempts += n;
        }
        assertThat(attempts).isGreaterThan(failed);
        String json =
                labloop("export", "--format", "json", "--data", data.toString()).out();
        assertThat(json.split("\"status\" : \"failed\"", -1).length - 1).isEqualTo(attempts + failed);
        assertThat(json).contains("\"failure\" : \"simulated fault on");
    }

    @Test
    void run_whereEveryExperimentFails_exits7_andTheSummaryGivesTheReason() throws Exception {
        Path campaign = org.labloop.lab.ExampleCopies.brokenReactor(tmp.resolve("broken-6"), 6, 0);
        Result run =
                labloop("run", campaign.toString(), "--data", tmp.resolve("d7").toString(), "--no-progress");

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(7);
        assertThat(run.out())
                .contains("0 completed, 6 failed")
                .contains("no experiment produced a measurement: all 6 that ended failed")
                .contains("6 x step react failed on reactor");
    }

    @Test
    void run_pausedByFailuresInARow_saysSoAndWaitsForTheAck() throws Exception {
        Path campaign = org.labloop.lab.ExampleCopies.brokenReactor(tmp.resolve("broken-20"), 20, 2);
        Path data = tmp.resolve("d-ack");
        java.util.concurrent.CompletableFuture<Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress"));
        String request = null;
        for (int i = 0; i < 400 && request == null; i++) {
            try (org.labloop.event.EventLog log = org.labloop.lab.Lab.openExisting(data)) {
                if (!log.campaignIds().isEmpty()) {
                    var open = org.labloop.lab.Lab.load(log, log.campaignIds().get(0))
                            .openRequests();
                    request = open.isEmpty() ? null : open.keySet().iterator().next();
                }
            } catch (RuntimeException e) {
                // the store is not there yet
            }
            Thread.sleep(50);
        }
        assertThat(request).as("no operator request was raised").startsWith("failures-");
        assertThat(run).isNotDone();

        Result resume = labloop("resume", "snar-faults-1", "--data", data.toString());
        assertThat(resume.code()).isEqualTo(2);
        assertThat(resume.err())
                .contains("which resume does not answer")
                .contains("labloop ack snar-faults-1 " + request);

        // status gives the same request with the ack as typed here too.
        Result status = labloop("status", "snar-faults-1", "--data", data.toString());
        assertThat(status.out())
                .contains("then: labloop ack snar-faults-1 " + request + " --note '...' --data " + data);

        // Every reaction fails, so an ack would only lead to the next pause: abort instead.
        Result abort = labloop("abort", "snar-faults-1", "--reason", "reactor broken", "--data", data.toString());
        assertThat(abort.code()).as(abort.err()).isZero();
        Result ended = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ended.out())
                .contains("OPERATOR REQUEST " + request + ": 2 experiments failed in a row")
                // The ack it asks for, as typed here: with the store it is in.
                .contains("then: labloop ack snar-faults-1 " + request + " --note '...' --data " + data)
                .contains("Paused by engine (waiting for operator request " + request + ")");
        assertThat(ended.code()).isEqualTo(6);
    }

    @Test
    void export_toALinkOrAPipe_writesThrough_andANewFileIsReadableByOthers() throws Exception {
        String data = ranSnar("small", 4).toString();
        String expected = labloop("export", "--data", data).out();
        assertThat(expected).contains("E0004");

        Path fresh = tmp.resolve("fresh.csv");
        Result toFresh = labloop("export", "--out", fresh.toString(), "--data", data);
        assertThat(toFresh.code()).isZero();
        assertThat(toFresh.err()).contains("Wrote " + fresh).doesNotContain("new folder");
        assertThat(Files.getPosixFilePermissions(fresh))
                .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        Path nested = tmp.resolve("resluts").resolve("run.csv");
        Result toNewFolder = labloop("export", "--out", nested.toString(), "--data", data);
        assertThat(toNewFolder.code()).isZero();
        assertThat(toNewFolder.err())
                .as("a folder made for the export is named, so that a typo in it is seen")
                .contains("in a new folder, " + nested.getParent());
        assertThat(Files.readString(nested)).isEqualTo(expected);

        Path target = tmp.resolve("target.csv");
        Files.writeString(target, "campaign_id,experiment_id,index\nold-1,E0001,1\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link.csv"), target);
        assertThat(labloop("export", "--out", link.toString(), "--data", data).code())
                .isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(target)).isEqualTo(expected);

        Path fifo = tmp.resolve("pipe");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        java.util.concurrent.CompletableFuture<String> reader =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return Files.readString(fifo);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        assertThat(labloop("export", "--out", fifo.toString(), "--data", data).code())
                .isZero();
        assertThat(reader.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(expected);
        assertThat(Files.isRegularFile(fifo)).isFalse();
    }

    /** Runs a copy of examples/snar (Sobol, {@code budget} experiments) from tmp/NAME into tmp/NAME-data; returns it. */
    private Path ranSnar(String name, int budget) {
        Path campaign = org.labloop.lab.ExampleCopies.snar(tmp.resolve(name), budget);
        Path data = tmp.resolve(name + "-data");
        Result run = labloop("run", campaign.toString(), "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();
        return data;
    }

    private static String withoutWallClock(String json) {
        return json.replaceAll("\"(recorded_from|recorded_to|recorded_at)\" : \"[^\"]*\"", "\"$1\" : \"\"");
    }

    @Test
    void exportOut_neverReplacesAStoreFileOrAFileThatIsNoExport_andTakesItsFormatFromTheExtension() throws Exception {
        Path data = ranSnar("guard", 3);
        Path campaign = tmp.resolve("guard").resolve("campaign.yaml");
        byte[] store = Files.readAllBytes(data.resolve("labloop.db"));

        Result intoStore =
                labloop("export", "--out", data.resolve("labloop.db").toString(), "--force", "--data", data.toString());
        assertThat(intoStore.code()).isEqualTo(2);
        assertThat(intoStore.err()).contains("is a file of the event store");
        for (String storeFile : List.of("labloop.db-wal", "sim-devices.db", "locks/x.csv", ".")) {
            Result r = labloop(
                    "export", "--out", data.resolve(storeFile).toString(), "--force", "--data", data.toString());
            assertThat(r.code()).as(storeFile).isEqualTo(2);
            assertThat(r.err()).as(storeFile).contains("is a file of the event store");
        }
        assertThat(Files.readAllBytes(data.resolve("labloop.db"))).isEqualTo(store);
        assertThat(data.resolve("labloop.db-wal")).doesNotExist();
        // Any other new file may go into the data directory (as with --data .).
        Result newFileInDataDir =
                labloop("export", "--out", data.resolve("x.csv").toString(), "--data", data.toString());
        assertThat(newFileInDataDir.code()).as(newFileInDataDir.err()).isZero();
        assertThat(Files.readString(data.resolve("x.csv"))).startsWith("campaign_id,experiment_id,");

        String yaml = Files.readString(campaign);
        Result overYaml = labloop("export", "--out", campaign.toString(), "--data", data.toString());
        assertThat(overYaml.code()).isEqualTo(2);
        assertThat(overYaml.err()).contains("exists and is not a LabLoop export", "--force");
        assertThat(Files.readString(campaign)).isEqualTo(yaml);
        Path notes = tmp.resolve("notes.txt");
        Files.writeString(notes, "my notes");
        assertThat(labloop("export", "--out", notes.toString(), "--force", "--data", data.toString())
                        .code())
                .isZero();
        assertThat(Files.readString(notes)).startsWith("campaign_id,experiment_id,");

        Path json = tmp.resolve("d.json");
        assertThat(labloop("export", "--out", json.toString(), "--data", data.toString())
                        .code())
                .isZero();
        assertThat(Files.readString(json)).startsWith("{");
        // Exporting again replaces an earlier export without --force.
        assertThat(labloop("export", "--out", json.toString(), "--data", data.toString())
                        .code())
                .isZero();
        assertThat(labloop("export", "--format", "JSON", "--data", data.toString())
                        .out())
                .startsWith("{");
        Result contradiction =
                labloop("export", "--out", json.toString(), "--format", "csv", "--data", data.toString());
        assertThat(contradiction.code()).isEqualTo(2);
        assertThat(contradiction.err()).contains("names a .json file but --format is csv");
    }

    @Test
    void verifyAgainstAnEarlierExport_findsEventsRemovedFromTheEndOfTheLog() throws Exception {
        Path data = ranSnar("cut", 4);
        Path export = tmp.resolve("export.json");
        assertThat(labloop("export", "--format", "json", "--out", export.toString(), "--data", data.toString())
                        .code())
                .isZero();
        Result before = labloop("verify", "--against", export.toString(), "--data", data.toString());
        assertThat(before.code()).as(before.out() + before.err()).isZero();
        assertThat(before.out()).contains("unchanged");

        // The last events removed behind LabLoop's back: the chain that is left is still intact.
        try (java.sql.Connection db =
                        java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("labloop.db"));
                java.sql.Statement st = db.createStatement()) {
            st.execute("DROP TRIGGER events_no_delete");
            assertThat(st.executeUpdate("DELETE FROM events WHERE seq > (SELECT MAX(seq) - 5 FROM events)"))
                    .isEqualTo(5);
            st.execute("DELETE FROM snapshots");
        }
        assertThat(labloop("verify", "--data", data.toString()).code()).isZero();
        Result after = labloop("verify", "--against", export.toString(), "--data", data.toString());
        assertThat(after.code()).isEqualTo(4);
        assertThat(after.out()).contains("events were removed from its end");

        Path notAnExport = Files.writeString(tmp.resolve("x.json"), "{\"a\": 1}");
        Result bad = labloop("verify", "--against", notAnExport.toString(), "--data", data.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("is not a LabLoop JSON export");
        Path csv = Files.writeString(tmp.resolve("x.csv"), "campaign_id,experiment_id\n");
        Result notJson = labloop("verify", "--against", csv.toString(), "--data", data.toString());
        assertThat(notJson.code()).isEqualTo(2);
        assertThat(notJson.err()).contains("cannot read it as JSON", "line 1").doesNotContain("REDACTED");
        Result missing =
                labloop("verify", "--against", tmp.resolve("nowhere.json").toString(), "--data", data.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nowhere.json: does not exist").doesNotContain("as JSON");
        for (String command : List.of("status", "verify", "export")) {
            Result file = labloop(command, "--data", csv.toString());
            assertThat(file.code()).as(command).isEqualTo(2);
            assertThat(file.err()).as(command).contains("is a file, not a data directory");
        }
    }

    @Test
    void verifyAgainst_anExportOfAnotherCampaign_saysSo_insteadOfCallingTheLogAltered() throws Exception {
        Path campaign = org.labloop.lab.ExampleCopies.snar(tmp.resolve("two"), 3);
        Path one = tmp.resolve("store-one");
        Path two = tmp.resolve("store-two");
        // Same file, other seeds: campaigns of the same id, snar-demo-1, with other events.
        for (Path data : List.of(one, two)) {
            String seed = data == one ? "3" : "4";
            assertThat(labloop("run", campaign.toString(), "--seed", seed, "--data", data.toString(), "--no-progress")
                            .code())
                    .isZero();
        }
        // A second campaign in store one: its own export must not pass for the first campaign's.
        assertThat(labloop(
                                "run",
                                campaign.toString(),
                                "--new",
                                "--seed",
                                "5",
                                "--data",
                                one.toString(),
                                "--no-progress")
                        .code())
                .isZero();
        Path exportTwo = tmp.resolve("two.json");
        assertThat(labloop("export", "snar-demo-1", "--out", exportTwo.toString(), "--data", two.toString())
                        .code())
                .isZero();
        Path exportSecond = tmp.resolve("second.json");
        assertThat(labloop("export", "snar-demo-2", "--out", exportSecond.toString(), "--data", one.toString())
                        .code())
                .isZero();

        Result otherStore = labloop("verify", "--against", exportTwo.toString(), "--data", one.toString());
        assertThat(otherStore.code()).isEqualTo(2);
        assertThat(otherStore.err())
                .contains("another campaign that has the same id snar-demo-1", "made from another store")
                .doesNotContain("restore");
        Result otherId =
                labloop("verify", "snar-demo-1", "--against", exportSecond.toString(), "--data", one.toString());
        assertThat(otherId.code()).isEqualTo(2);
        assertThat(otherId.err()).contains("is an export of campaign snar-demo-2, not of snar-demo-1");
        assertThat(labloop("verify", "--against", exportSecond.toString(), "--data", one.toString())
                        .code())
                .isZero();
    }

    @Test
    void exportedSources_runAgain_reproduceTheDataset() throws Exception {
        Path dir = tmp.resolve("orig");
        Files.createDirectories(dir.resolve("cell"));
        Files.copy(Path.of("examples/snar/workcell.yaml"), dir.resolve("cell/workcell.yaml"));
        Files.copy(Path.of("examples/snar/protocol.yaml"), dir.resolve("protocol.yaml"));
        Files.writeString(
                dir.resolve("campaign.yaml"),
                Files.readString(Path.of("examples/snar/campaign.yaml"))
                        .replace("budget: 40", "budget: 6")
                        .replace("workcell: workcell.yaml", "workcell: cell/workcell.yaml")
                        .replace(
                                "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}",
                                "planner: {type: sobol}"));
        Path data = tmp.resolve("orig-data");
        // Run with a seed other than the file's: the export says which seed reproduces it.
        assertThat(labloop(
                                "run",
                                dir.resolve("campaign.yaml").toString(),
                                "--data",
                                data.toString(),
                                "--no-progress",
                                "--seed",
                                "5")
                        .code())
                .isZero();
        Path copy = tmp.resolve("copy");
        Result export = labloop("export", "--sources", copy.toString(), "--data", data.toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).as("the files alone were asked for").isEmpty();
        assertThat(export.err())
                .contains("add --out FILE")
                .contains("Reproduce it: labloop run " + copy.resolve("campaign.yaml") + " --seed 5");
        assertThat(copy.resolve("cell/workcell.yaml")).hasSameTextualContentAs(dir.resolve("cell/workcell.yaml"));
        assertThat(copy.resolve("protocol.yaml")).exists();

        Path again = tmp.resolve("again-data");
        assertThat(labloop(
                                "run",
                                copy.resolve("campaign.yaml").toString(),
                                "--data",
                                again.toString(),
                                "--no-progress",
                                "--seed",
                                "5")
                        .code())
                .isZero();
        assertThat(labloop("export", "--data", again.toString()).out())
                .isEqualTo(labloop("export", "--data", data.toString()).out());

        // A file, or nothing, where a folder or a file name is asked for: said, nothing written.
        Result onFile =
                labloop("export", "--sources", dir.resolve("campaign.yaml").toString(), "--data", data.toString());
        assertThat(onFile.code()).isEqualTo(2);
        assertThat(onFile.err()).contains("is a file, not a folder");
        Result emptyOut = labloop("export", "--out", "", "--data", data.toString());
        assertThat(emptyOut.code()).isEqualTo(2);
        assertThat(emptyOut.err()).contains("--out: the file name is empty");

        // An existing folder with other files of the same names is not overwritten.
        Files.writeString(copy.resolve("protocol.yaml"), "mine");
        Result clash = labloop("export", "--sources", copy.toString(), "--data", data.toString());
        assertThat(clash.code()).isEqualTo(2);
        assertThat(clash.err()).contains("exists with other content");
        assertThat(copy.resolve("protocol.yaml")).hasContent("mine");
    }
}
