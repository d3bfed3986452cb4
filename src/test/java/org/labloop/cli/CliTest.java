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

        Result json = labloop("export", "--format", "json", "--data", data.toString());
        assertThat(json.code()).isZero();
        assertThat(json.out()).contains("\"provenance\"").contains("\"idempotency_key\"");

        Result status = labloop("status", "--data", data.toString());
        assertThat(status.out()).contains("snar-demo-1").contains("completed");
        assertThat(labloop("verify", "--data", data.toString()).out()).contains("intact");
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
        assertThat(exports[1]).isEqualTo(exports[0]);
        assertThat(exports[2]).isNotEqualTo(exports[0]);
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
    }
}
