package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.cli.CliTest.labloop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.store.SqliteEventLog;

/** The SnAr demo with an outcome constraint, run from the command line. */
class ConstrainedCampaignTest {
    @TempDir
    Path tmp;

    private Path campaign(String constraints) throws Exception {
        Path dir = tmp.resolve("campaign");
        Files.createDirectories(dir);
        for (String f : List.of("workcell.yaml", "protocol.yaml")) {
            Files.copy(Path.of("examples/snar").resolve(f), dir.resolve(f));
        }
        String text = Files.readString(Path.of("examples/snar/campaign.yaml"));
        assertThat(text).contains("budget: 40");
        Files.writeString(dir.resolve("campaign.yaml"), text.replace("budget: 40", constraints + "\nbudget: 40"));
        return dir.resolve("campaign.yaml");
    }

    @Test
    void statusShowsWhatThePlannerPredictedForAConstrainedOutcome_andHowLikelyItThoughtTheConstraintMet()
            throws Exception {
        Path file = org.labloop.lab.ExampleCopies.copy(
                "snar",
                tmp.resolve("one-objective"),
                c -> c.replace("  e_factor: {direction: minimise}", "")
                        .replace("budget: 40", "constraints:\n  - e_factor <= 12\nbudget: 12")
                        .replace(
                                "planner: {type: bayesian, avoid_repeats: true, log_outcomes: true}",
                                "planner: {type: bayesian}"));
        Path data = tmp.resolve("data");
        CliTest.Result run = labloop("run", file.toString(), "--data", data.toString(), "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();

        CliTest.Result status = labloop("status", "snar-demo-1", "--data", data.toString());

        String last = status.out()
                .lines()
                .filter(l -> l.startsWith("  E0012 "))
                .findFirst()
                .orElseThrow();
        assertThat(last)
                .containsPattern("sty [0-9.]+ \\+- [0-9.]+, measured [0-9.]+")
                .containsPattern("e_factor [0-9.]+ \\+- [0-9.]+, measured [0-9.]+")
                .containsPattern("P\\(constraints met\\) [0-9.]+");
    }

    @Test
    void theSummaryReportsTheBestFeasibleResultAndTheDatasetMarksFeasibility() throws Exception {
        Path data = tmp.resolve("data");
        CliTest.Result run = labloop(
                "run",
                campaign("constraints:\n  - e_factor <= 9").toString(),
                "--data",
                data.toString(),
                "--no-progress");
        assertThat(run.code()).as(run.err()).isZero();

        Path csv = tmp.resolve("out.csv");
        assertThat(labloop("export", "--format", "csv", "--out", csv.toString(), "--data", data.toString())
                        .code())
                .isZero();
        String json =
                labloop("export", "--format", "json", "--data", data.toString()).out();
        assertThat(json)
                .contains("\"e_factor <= 9\"")
                .contains("\"feasible\" : true")
                .contains("\"feasible\" : false");
        Table table = CsvTables.read(csv);
        assertThat(table.columns()).contains("sty", "e_factor", "feasible");
        int feasible = 0;
        int completed = 0;
        double bestFeasibleSty = Double.NEGATIVE_INFINITY;
        double bestSty = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < table.size(); r++) {
            if (!table.cell(r, "status").equals("completed")) {
                assertThat(table.cell(r, "feasible")).isEmpty();
                continue;
            }
            completed++;
            double sty = Double.parseDouble(table.cell(r, "sty"));
            boolean ok = Double.parseDouble(table.cell(r, "e_factor")) <= 9;
            assertThat(table.cell(r, "feasible")).isEqualTo(Boolean.toString(ok));
            bestSty = Math.max(bestSty, sty);
            if (ok) {
                feasible++;
                bestFeasibleSty = Math.max(bestFeasibleSty, sty);
            }
        }
        assertThat(feasible).as("feasible experiments").isPositive();
        assertThat(run.out())
                .contains("constraints   e_factor <= 9: met by " + feasible + " of " + completed + " completed");
        Matcher best = Pattern.compile("Best sty: ([0-9.]+)").matcher(run.out());
        assertThat(best.find()).as(run.out()).isTrue();
        assertThat(best.group(1)).isEqualTo(String.format(Locale.ROOT, "%.1f", bestFeasibleSty));
        // The constraint binds in this run: the best result overall breaks it, so the summary does not report it.
        assertThat(bestSty).isGreaterThan(bestFeasibleSty);
    }

    @Test
    void aConstraintOnAnOutcomeTheEmulatorDoesNotMeasureIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path data = tmp.resolve("data");
        CliTest.Result r =
                labloop("run", campaign("constraints: [\"purity >= 95\"]").toString(), "--data", data.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("constraint 'purity >= 95'")
                .contains("emulator 'snar' does not measure")
                .contains("sty, e_factor");
        assertThat(Files.exists(data.resolve(SqliteEventLog.FILE_NAME))).isFalse();
    }
}
