package org.labloop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark commands as documented, on small budgets: their output and JSON have the promised shape. */
class BenchCommandsTest {
    @TempDir
    Path tmp;

    private static String arylation() {
        return Path.of(System.getProperty("labloop.shared"), "data/direct_arylation/experiment_index.csv")
                .toString();
    }

    @Test
    void benchOptimize_printsPicksAndSummary_andWritesTheDocumentedJson() throws Exception {
        Path json = tmp.resolve("aryl.json");
        CliTest.Result r = CliTest.labloop(
                "bench",
                "optimize",
                "--data",
                arylation(),
                "--objective",
                "yield",
                "--exclude",
                "entry",
                "--smiles",
                "Base_SMILES,Ligand_SMILES,Solvent_SMILES",
                "--repeats",
                "2",
                "--budget",
                "10",
                "--planner",
                "random",
                "--target",
                "90",
                "--json",
                json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("seed 1 picks:").contains("seed 2 picks:").contains("to the target (90)");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        for (String k : new String[] {"to_best", "to_top1pct", "to_target"}) {
            assertThat(root.at("/summary/" + k).has("median")).as(k).isTrue();
            assertThat(root.at("/summary/" + k).has("worst")).as(k).isTrue();
        }
        assertThat(root.at("/summary/best_so_far").has("10")).isTrue();
        assertThat(root.get("repeats")).hasSize(2);
        assertThat(root.at("/repeats/0/values")).hasSize(10);
    }

    private static String arylationWithCost() {
        return Path.of(System.getProperty("labloop.shared"), "data/direct_arylation/yield_and_cost.csv")
                .toString();
    }

    @Test
    void benchOptimize_withConstraints_marksInfeasiblePicksAndScoresOnlyFeasibleOnes() throws Exception {
        Path json = tmp.resolve("cost.json");
        CliTest.Result r = CliTest.labloop(
                "bench",
                "optimize",
                "--data",
                arylationWithCost(),
                "--objective",
                "yield",
                "--exclude",
                "new_index",
                "--constraint",
                "cost<=0.05",
                "--constraint",
                "cost >= 0.01",
                "--planner",
                "random",
                "--repeats",
                "2",
                "--budget",
                "20",
                "--json",
                json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("Constraints: cost <= 0.05, cost >= 0.01; only picks that meet them count")
                .contains("to the best feasible (")
                .contains("mean best feasible so far")
                .containsPattern("picks:.* \\[[0-9.]+\\]");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.at("/summary/constraints")).hasSize(2);
        assertThat(root.at("/summary/feasible_fraction").asDouble()).isBetween(0.0, 1.0);
        assertThat(root.at("/repeats/0/feasible")).hasSize(20);
    }

    @Test
    void benchOptimize_badConstraints_areAllReportedWithExitCode2() {
        CliTest.Result r = CliTest.labloop(
                "bench",
                "optimize",
                "--data",
                arylationWithCost(),
                "--objective",
                "yield",
                "--constraint",
                "cost<0.05",
                "--constraint",
                "cost <= cheap");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("--constraint")
                .contains("uses '<'")
                .contains("'cheap', which is not a finite number");

        CliTest.Result unknown = CliTest.labloop(
                "bench",
                "optimize",
                "--data",
                arylationWithCost(),
                "--objective",
                "yield",
                "--constraint",
                "purity>=95");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("purity");
    }

    @Test
    void benchSnar_reportsTheHypervolumeSpread() throws Exception {
        Path json = tmp.resolve("snar.json");
        CliTest.Result r = CliTest.labloop(
                "bench", "snar", "--budget", "10", "--repeats", "2", "--planner", "sobol", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("published-2020").contains("terminal hypervolume: mean");
        JsonNode hv = new ObjectMapper().readTree(json.toFile()).at("/summary/hypervolume");
        assertThat(hv.get("min").asDouble()).isLessThanOrEqualTo(hv.get("mean").asDouble());
        assertThat(hv.get("max").asDouble())
                .isGreaterThanOrEqualTo(hv.get("mean").asDouble());
        assertThat(hv.has("std")).isTrue();
    }

    @Test
    void benchPlanner_timesTheRealAndASyntheticPool() {
        CliTest.Result r = CliTest.labloop(
                "bench",
                "planner",
                "--arylation",
                arylation(),
                "--rows",
                "300",
                "--observations",
                "20",
                "--calls",
                "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .containsPattern("direct arylation \\(SMILES\\)\\s+1728")
                .containsPattern("synthetic .*\\s+300\\s");
    }

    @Test
    void badBenchOptions_areRejectedWithExit2() {
        assertThat(CliTest.labloop("bench", "snar", "--variant", "2019").code()).isEqualTo(2);
        CliTest.Result nanTarget =
                CliTest.labloop("bench", "optimize", "--data", arylation(), "--objective", "yield", "--target", "NaN");
        assertThat(nanTarget.code()).isEqualTo(2);
        assertThat(nanTarget.err()).contains("not a finite number");
        CliTest.Result bigBatch = CliTest.labloop(
                "bench", "optimize", "--data", arylation(), "--objective", "yield", "--batch", "30", "--budget", "10");
        assertThat(bigBatch.code()).isEqualTo(2);
        assertThat(bigBatch.err()).contains("larger than the budget");
        assertThat(CliTest.labloop("bench", "optimize", "--data", arylation(), "--objective", "nope")
                        .code())
                .isEqualTo(2);
        assertThat(CliTest.labloop(
                                "bench",
                                "optimize",
                                "--data",
                                tmp.resolve("none.csv").toString(),
                                "--objective",
                                "yield")
                        .code())
                .isEqualTo(2);
        CliTest.Result badOption = CliTest.labloop(
                "bench", "optimize", "--data", arylation(), "--objective", "yield", "--option", "molecule_dim=3");
        assertThat(badOption.code()).isEqualTo(2);
        assertThat(badOption.err())
                .contains("--option")
                .contains("molecule_dim")
                .contains("molecule_dims");
        CliTest.Result twice = CliTest.labloop(
                "bench",
                "snar",
                "--budget",
                "5",
                "--repeats",
                "1",
                "--option",
                "multi_objective=parego",
                "--option",
                "multi_objective=ehvi");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("--option multi_objective: is given twice");
        CliTest.Result malformed = CliTest.labloop("bench", "snar", "--budget", "5", "--option", "restarts");
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(malformed.err()).contains("is not KEY=VALUE");
        CliTest.Result ehviOfOne = CliTest.labloop(
                "bench", "snar", "--budget", "5", "--option", "multi_objective=ehvi", "--option", "acquisition=ucb");
        assertThat(ehviOfOne.code()).isEqualTo(2);
        assertThat(ehviOfOne.err()).contains("--option").contains("acquisition 'ucb' would be ignored");
        CliTest.Result threshold = CliTest.labloop("bench", "snar", "--budget", "5", "--threshold", "yield=3");
        assertThat(threshold.code()).isEqualTo(2);
        assertThat(threshold.err()).contains("--threshold").contains("there is no objective 'yield'");
        CliTest.Result thresholdTwice =
                CliTest.labloop("bench", "snar", "--budget", "5", "--threshold", "sty=1", "--threshold", "sty=2");
        assertThat(thresholdTwice.code()).isEqualTo(2);
        assertThat(thresholdTwice.err()).contains("--threshold sty: is given twice");
        CliTest.Result thresholdNaN = CliTest.labloop("bench", "snar", "--budget", "5", "--threshold", "sty=NaN");
        assertThat(thresholdNaN.code()).isEqualTo(2);
        assertThat(thresholdNaN.err()).contains("is not OBJECTIVE=NUMBER");
        CliTest.Result unusedThreshold =
                CliTest.labloop("bench", "snar", "--budget", "5", "--planner", "random", "--threshold", "sty=2957");
        assertThat(unusedThreshold.code()).isEqualTo(2);
        assertThat(unusedThreshold.err()).contains("planner random does not use thresholds");
        CliTest.Result parEgoThreshold = CliTest.labloop(
                "bench", "snar", "--budget", "5", "--option", "acquisition=ucb", "--threshold", "sty=2957");
        assertThat(parEgoThreshold.code()).isEqualTo(2);
        assertThat(parEgoThreshold.err())
                .contains("planner bayesian {acquisition=ucb} does not use thresholds")
                .contains("always against sty 2957, e_factor 10.7");
    }

    @Test
    void benchOptimize_inputThatWouldMisleadTheBenchmark_isRefusedWithExit2() throws Exception {
        CliTest.Result answer = CliTest.labloop(
                "bench", "optimize", "--data", arylation(), "--objective", "yield", "--params", "yield,Temp_C");
        assertThat(answer.code()).isEqualTo(2);
        assertThat(answer.err()).contains("the objective column 'yield' is also a parameter");

        CliTest.Result collapsed = CliTest.labloop(
                "bench", "optimize", "--data", arylation(), "--objective", "yield", "--params", "Concentration,Temp_C");
        assertThat(collapsed.code()).isEqualTo(2);
        assertThat(collapsed.err()).contains("have the same parameter values").contains("different outcomes");

        CliTest.Result tooLong = CliTest.labloop(
                "bench",
                "optimize",
                "--data",
                arylation(),
                "--objective",
                "yield",
                "--exclude",
                "entry",
                "--budget",
                "5000");
        assertThat(tooLong.code()).isEqualTo(2);
        assertThat(tooLong.err()).contains("the budget of 5000 experiments is more than the 1728 distinct points");

        Path bad = tmp.resolve("bad-smiles.csv");
        Files.writeString(bad, "s,t,y\nCCO,1,1\nC1CC(,2,2\nCCO,3,3\n");
        CliTest.Result smiles = CliTest.labloop(
                "bench",
                "optimize",
                "--data",
                bad.toString(),
                "--objective",
                "y",
                "--smiles",
                "s",
                "--option",
                "restarts=2");
        assertThat(smiles.code()).isEqualTo(2);
        assertThat(smiles.err())
                .contains("bad-smiles.csv: line 3, column s: 'C1CC(' is not a valid SMILES")
                .doesNotContain("--option");

        CliTest.Result parEgoOfOne = CliTest.labloop(
                "bench",
                "optimize",
                "--data",
                arylation(),
                "--objective",
                "yield",
                "--option",
                "multi_objective=parego");
        assertThat(parEgoOfOne.code()).isEqualTo(2);
        assertThat(parEgoOfOne.err()).contains("--option").contains("'parego' plans several objectives");
    }

    private CliTest.Result tiny(Path data, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "bench",
                "optimize",
                "--data",
                data.toString(),
                "--objective",
                "y",
                "--batch",
                "1",
                "--budget",
                "3",
                "--repeats",
                "1",
                "--planner",
                "random",
                "--quiet"));
        args.addAll(java.util.List.of(more));
        return CliTest.labloop(args.toArray(String[]::new));
    }

    @Test
    void benchJson_neverReplacesTheInputOrAFileThatIsNotAReport_unlessForced() throws Exception {
        Path data = tmp.resolve("t.csv");
        String table = "a,b,y\n1,x,3\n2,x,4\n3,y,5\n4,y,6\n";
        Files.writeString(data, table);
        CliTest.Result input = tiny(data, "--json", data.toString());
        assertThat(input.code()).isEqualTo(2);
        assertThat(input.err()).contains("is the benchmark's input table");
        assertThat(Files.readString(data)).isEqualTo(table);

        Path store = tmp.resolve("labloop.db");
        Files.writeString(store, "SQLite format 3\u0000...");
        CliTest.Result other = tiny(data, "--json", store.toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err())
                .contains("exists and is not a LabLoop benchmark report")
                .contains("--force");
        assertThat(Files.readString(store)).startsWith("SQLite format 3");
        CliTest.Result snar = CliTest.labloop(
                "bench", "snar", "--budget", "2", "--batch", "1", "--repeats", "1", "--json", store.toString());
        assertThat(snar.code()).isEqualTo(2);
        assertThat(snar.out()).isEmpty(); // refused before any repeat ran
        assertThat(Files.readString(store)).startsWith("SQLite format 3");

        Path report = tmp.resolve("r.json");
        assertThat(tiny(data, "--json", report.toString()).code()).isZero();
        assertThat(tiny(data, "--json", report.toString()).code())
                .as("an earlier report is replaced")
                .isZero();
        assertThat(tiny(data, "--json", store.toString(), "--force").code()).isZero();
        assertThat(Files.readString(store)).startsWith("{");
    }

    @Test
    void benchOptimize_badParameterCells_areRefusedAtTheirLine_andAUnitInANumberColumnIsNoted() throws Exception {
        Path blank = tmp.resolve("blank.csv");
        Files.writeString(blank, "a,b,y\n1,x,3\n,x,4\n3,y,5\n4,y,6\n");
        CliTest.Result empty = tiny(blank);
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("line 3, column a is empty");

        Path nan = tmp.resolve("nan.csv");
        Files.writeString(nan, "a,b,y\n1,x,3\n2,x,4\nNaN,y,5\n4,y,6\n");
        assertThat(tiny(nan).err()).contains("line 4, column a holds 'NaN'");

        Path unit = tmp.resolve("unit.csv");
        Files.writeString(unit, "a,b,y\n1,x,3\n2 M,x,4\n3,y,5\n4,y,6\n");
        CliTest.Result noted = tiny(unit);
        assertThat(noted.code()).isZero();
        assertThat(noted.err())
                .contains("note: column a is taken for categorical")
                .contains("line 3 has '2 M'");

        CliTest.Result twice = tiny(unit, "--params", "a,a,b");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("column 'a' is named twice in --params");

        CliTest.Result notArylation =
                CliTest.labloop("bench", "planner", "--arylation", unit.toString(), "--rows", "200", "--calls", "1");
        assertThat(notArylation.code()).isEqualTo(2);
        assertThat(notArylation.err())
                .contains("the objective 'yield' is not a column")
                .contains("--arylation takes");
        assertThat(notArylation.out()).isEmpty();

        CliTest.Result unreachable = tiny(unit, "--target", "150");
        assertThat(unreachable.code()).isZero();
        assertThat(unreachable.err()).contains("no row reaches the target 150 (the best is 6)");
    }
}
