package org.labloop.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.space.OutcomeConstraint;

class PoolBenchmarkTest {
    private static Table arylation() {
        return CsvTables.read(
                Path.of(System.getProperty("labloop.shared"), "data", "direct_arylation", "experiment_index.csv"));
    }

    private static PoolBenchmarkConfig arylationConfig(String planner, int budget, int repeats) {
        return PoolBenchmarkConfig.of(arylation(), "yield")
                .withExclude(List.of("entry"))
                .withSmiles(List.of("Base_SMILES", "Ligand_SMILES", "Solvent_SMILES"))
                .withRun(5, budget, repeats, 100)
                .withPlanner(planner, Map.of())
                .withTarget(99);
    }

    @Test
    void bayesianBeatsRandomOnDirectArylationByAClearMargin() {
        BenchResult bayes = PoolBenchmark.run(arylationConfig("bayesian", 20, 6));
        BenchResult random = PoolBenchmark.run(arylationConfig("random", 20, 6));
        double bayesBest = bayes.summary().bestSoFar().get(20);
        double randomBest = random.summary().bestSoFar().get(20);
        assertThat(bayesBest).isGreaterThan(randomBest + 10);
        assertThat(bayes.summary().toTop1pct().reached())
                .isGreaterThan(random.summary().toTop1pct().reached());
    }

    @Test
    void summaryCountsExperimentsToReachAndBestSoFar() {
        Table t = CsvTables.parse("tiny", "a,b,y\n1,x,1\n2,x,2\n3,y,3\n4,y,10\n5,z,4\n6,z,0\n");
        PoolBenchmarkConfig c =
                PoolBenchmarkConfig.of(t, "y").withRun(1, 6, 3, 1).withPlanner("random", Map.of());
        BenchResult r = PoolBenchmark.run(c);
        assertThat(r.repeats()).hasSize(3);
        for (BenchResult.Repeat rep : r.repeats()) {
            assertThat(rep.values()).containsExactlyInAnyOrder(1.0, 2.0, 3.0, 10.0, 4.0, 0.0);
        }
        // Every repeat sees all 6 rows, so the best (10) is reached; best so far is reported after the whole budget.
        assertThat(r.summary().toBest().reached()).isEqualTo(3);
        assertThat(r.summary().bestSoFar()).containsOnlyKeys(6);
        assertThat(r.summary().bestSoFar().get(6)).isEqualTo(10.0);
        double expectedMean = r.repeats().stream()
                .mapToInt(rep -> rep.values().indexOf(10.0) + 1)
                .average()
                .orElseThrow();
        assertThat(r.summary().toBest().mean()).isCloseTo(expectedMean, within(1e-12));
    }

    @Test
    void aRepeatThatMissesTheTargetCountsBudgetPlusOne() {
        Table t = CsvTables.parse("tiny", "a,y\n1,1\n2,2\n3,3\n");
        PoolBenchmarkConfig c = PoolBenchmarkConfig.of(t, "y")
                .withRun(1, 2, 2, 1)
                .withPlanner("random", Map.of())
                .withTarget(100);
        BenchResult r = PoolBenchmark.run(c);
        BenchResult.Reach target = r.summary().toTarget().orElseThrow();
        assertThat(target.reached()).isZero();
        assertThat(target.worst()).isEqualTo(3);
        assertThat(target.median()).isEqualTo(3.0);
    }

    @Test
    void minimisingBenchmarksLookForTheSmallestValue() {
        Table t = CsvTables.parse("tiny", "a,y\n1,5\n2,-1\n3,3\n");
        BenchResult r = PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                .minimising(true)
                .withRun(1, 3, 1, 1)
                .withPlanner("sobol", Map.of()));
        assertThat(r.summary().bestSoFar().get(3)).isEqualTo(-1.0);
        assertThat(r.summary().toBest().reached()).isEqualTo(1);
    }

    @Test
    void reportIsJsonInTheDocumentedShape() throws Exception {
        Table t = CsvTables.parse("tiny", "a,b,y\n1,x,1\n2,x,2\n3,y,3\n4,y,10\n");
        PoolBenchmarkConfig c = PoolBenchmarkConfig.of(t, "y")
                .withRun(2, 4, 2, 7)
                .withPlanner("lhs", Map.of())
                .withTarget(3);
        BenchResult r = PoolBenchmark.run(c);
        JsonNode json = new ObjectMapper().readTree(PoolBenchmark.report(c, r));
        assertThat(json.fieldNames()).toIterable().containsExactly("config", "summary", "repeats");
        assertThat(json.at("/config/planner").asText()).isEqualTo("lhs");
        assertThat(json.at("/config/budget").asInt()).isEqualTo(4);
        assertThat(json.at("/config/target").asDouble()).isEqualTo(3.0);
        assertThat(json.at("/config/points").asInt()).isEqualTo(4);
        JsonNode summary = json.get("summary");
        assertThat(summary.fieldNames())
                .toIterable()
                .containsExactly("to_best", "to_top1pct", "to_target", "best_so_far");
        assertThat(summary.get("to_target").fieldNames())
                .toIterable()
                .containsExactly("level", "median", "mean", "worst", "reached");
        assertThat(summary.at("/to_best/level").asDouble()).isEqualTo(10.0);
        assertThat(summary.at("/to_target/level").asDouble()).isEqualTo(3.0);
        // A budget of 4 is below every checkpoint: best so far after the whole budget.
        assertThat(summary.get("best_so_far").fieldNames()).toIterable().containsExactly("4");
        PoolBenchmarkConfig plain =
                PoolBenchmarkConfig.of(t, "y").withRun(2, 4, 2, 7).withPlanner("lhs", Map.of());
        JsonNode noTarget = new ObjectMapper()
                .readTree(PoolBenchmark.report(plain, PoolBenchmark.run(plain)))
                .get("summary");
        assertThat(noTarget.has("to_target")).isFalse();
        assertThat(noTarget.has("to_best")).isTrue();
        assertThat(json.get("repeats")).hasSize(2);
        assertThat(json.get("repeats").get(0).get("seed").asLong()).isEqualTo(7);
        assertThat(json.get("repeats").get(1).get("seed").asLong()).isEqualTo(8);
        assertThat(json.get("repeats").get(0).get("values")).hasSize(4);
    }

    private static Table arylationWithCost() {
        return CsvTables.read(
                Path.of(System.getProperty("labloop.shared"), "data", "direct_arylation", "yield_and_cost.csv"));
    }

    @Test
    void aConstrainedBayesianPlannerPicksFeasibleRowsFarMoreOftenThanOneBlindToTheConstraint() {
        // Maximise yield with cost <= 0.05: 417 of 1728 rows (24%) are feasible and the best yields are not.
        PoolBenchmarkConfig told = PoolBenchmarkConfig.of(arylationWithCost(), "yield")
                .withExclude(List.of("new_index"))
                .withRun(5, 50, 6, 1)
                .withConstraints(List.of(OutcomeConstraint.parse("cost <= 0.05")));
        BenchResult constrained = PoolBenchmark.run(told);
        BenchResult blind = PoolBenchmark.run(told.hidingConstraints(true));

        // Measured: 54% of picks feasible against 17%, and a mean best feasible yield of 86.0 against 73.3.
        assertThat(constrained.summary().feasibleFraction())
                .isGreaterThan(blind.summary().feasibleFraction() + 0.25);
        assertThat(constrained.summary().bestSoFar().get(50))
                .isGreaterThan(blind.summary().bestSoFar().get(50) + 5);
        // Both runs are scored against the feasible rows only: the table's best feasible yield is 91.27, not 100.
        assertThat(constrained.summary().toBest().level()).isEqualTo(91.27);
    }

    @Test
    void underConstraintsOnlyFeasiblePicksCountAndTheConstrainedColumnIsNoParameter() {
        // Row y=10 breaks c <= 5, so the best feasible value is 4; the column c is an outcome, not a parameter.
        Table t = CsvTables.parse("tiny", "a,c,y\n1,1,1\n2,9,10\n3,2,4\n4,3,2\n");
        PoolBenchmarkConfig c = PoolBenchmarkConfig.of(t, "y")
                .withRun(1, 4, 3, 1)
                .withPlanner("random", Map.of())
                .withConstraints(List.of(OutcomeConstraint.parse("c <= 5")));
        assertThat(PoolBenchmark.problem(c).space().names()).containsExactly("a");
        BenchResult r = PoolBenchmark.run(c);
        for (BenchResult.Repeat rep : r.repeats()) {
            assertThat(rep.values()).containsExactlyInAnyOrder(1.0, 10.0, 4.0, 2.0);
            for (int i = 0; i < 4; i++) {
                assertThat(rep.feasible().get(i)).isEqualTo(rep.values().get(i) != 10.0);
            }
        }
        assertThat(r.summary().toBest().level()).isEqualTo(4.0);
        assertThat(r.summary().bestSoFar().get(4)).isEqualTo(4.0);
        assertThat(r.summary().feasibleFraction()).isEqualTo(0.75);
        double expectedMean = r.repeats().stream()
                .mapToInt(rep -> rep.values().indexOf(4.0) + 1)
                .average()
                .orElseThrow();
        assertThat(r.summary().toBest().mean()).isCloseTo(expectedMean, within(1e-12));
    }

    @Test
    void aRepeatWithNoFeasiblePickYetCountsAsTheWorstFeasibleRow() {
        Table t = CsvTables.parse("tiny", "a,c,y\n1,9,10\n2,1,3\n3,1,5\n");
        BenchResult r = PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                .withRun(1, 1, 1, 1)
                .withPlanner("sobol", Map.of())
                .withConstraints(List.of(OutcomeConstraint.parse("c <= 1"))));
        double first = r.repeats().get(0).values().get(0);
        assertThat(r.summary().bestSoFar().get(1)).isEqualTo(first == 10.0 ? 3.0 : first);
    }

    @Test
    void theObjectiveAsAParameter_isRefused_soThePlannerIsNotShownTheAnswer() {
        Table t = CsvTables.parse("tiny", "a,y\n1,1\n2,2\n3,3\n");
        assertThatThrownBy(() -> PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                        .withParameters(List.of("y", "a"))
                        .withPlanner("random", Map.of())
                        .withRun(1, 2, 1, 1)))
                .hasMessageContaining("the objective column 'y' is also a parameter");
    }

    @Test
    void rowsWithTheSameParametersButDifferentOutcomes_areRefused_andIdenticalOnesCountOnce() {
        Table t = CsvTables.parse("tiny", "a,b,y\n1,x,1\n1,z,5\n2,x,2\n2,x,2\n");
        assertThatThrownBy(() -> PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                        .withParameters(List.of("a"))
                        .withPlanner("random", Map.of())
                        .withRun(1, 2, 1, 1)))
                .hasMessageContaining("lines 2 and 3 have the same parameter values")
                .hasMessageContaining("different outcomes (y 1 and 5)")
                .hasMessageContaining("add the columns that tell them apart");
        PoolBenchmarkConfig all =
                PoolBenchmarkConfig.of(t, "y").withPlanner("random", Map.of()).withRun(1, 3, 1, 1);
        assertThat(PoolBenchmark.problem(all).pool()).hasSize(3);
        assertThatThrownBy(() -> PoolBenchmark.run(all.withRun(1, 4, 1, 1)))
                .hasMessageContaining("the budget of 4 experiments is more than the 3 distinct points");
    }

    @Test
    void anInvalidSmilesInTheTable_isRefusedWithItsLineAndColumn_pastBlankLinesAndQuotedLineBreaks() {
        Table t = CsvTables.parse("tiny", "s,y\n\n\"CCO\",\"1\n\"\n\nC1CC(,2\n");
        assertThatThrownBy(() -> PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                        .withSmiles(List.of("s"))
                        .withPlanner("random", Map.of())
                        .withRun(1, 2, 1, 1)))
                .hasMessageContaining("line 6, column s: 'C1CC(' is not a valid SMILES (unclosed ring");
    }

    @Test
    void aDescriptorTable_isAttachedToItsColumn_andItsMistakesAreNamed() {
        Table t = CsvTables.parse("tiny", "solvent,temp,y\nEtOH,40,1\nEtOH,80,2\nMeCN,40,3\nMeCN,80,4\nDMSO,40,5\n");
        Table solvents = CsvTables.parse("solvents.csv", "name,dielectric\nEtOH,24.5\nMeCN,37.5\nDMSO,46.7\nTHF,7.6\n");
        PoolBenchmarkConfig base = PoolBenchmarkConfig.of(t, "y").withRun(1, 3, 1, 1);

        PoolBenchmark.Problem p = PoolBenchmark.problem(base.withDescriptors(Map.of("solvent", solvents)));
        assertThat(p.space().parameter("solvent").orElseThrow().descriptors())
                .hasValueSatisfying(d -> assertThat(d.of("MeCN")).containsExactly(37.5));
        assertThat(PoolBenchmark.run(base.withDescriptors(Map.of("solvent", solvents)))
                        .repeats())
                .hasSize(1);

        Table lacking = CsvTables.parse("lacking.csv", "name,dielectric\nEtOH,24.5\n\nMeCN,37.5\n");
        assertThatThrownBy(() -> PoolBenchmark.problem(base.withDescriptors(Map.of("solvent", lacking))))
                .hasMessageContaining("lacking.csv has no row for [DMSO]");
        Table text = CsvTables.parse("text.csv", "name,dielectric\nEtOH,24.5\n\nMeCN,high\nDMSO,46.7\n");
        assertThatThrownBy(() -> PoolBenchmark.problem(base.withDescriptors(Map.of("solvent", text))))
                .hasMessageContaining("text.csv:4: descriptor column 'dielectric' is not numeric (line 4 has 'high')");
        assertThatThrownBy(() -> PoolBenchmark.problem(base.withDescriptors(Map.of("temp", solvents))))
                .hasMessageContaining("column 'temp' holds numbers");
        assertThatThrownBy(() -> PoolBenchmark.problem(base.withDescriptors(Map.of("nope", solvents))))
                .hasMessageContaining("--descriptors names column 'nope'");
    }

    @Test
    void anExcludedColumnMustExist() {
        Table t = CsvTables.parse("tiny", "a,y\n1,1\n2,2\n");
        assertThatThrownBy(() -> PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                        .withExclude(List.of("nope"))
                        .withPlanner("random", Map.of())
                        .withRun(1, 2, 1, 1)))
                .hasMessageContaining("nope");
    }

    @Test
    void excludingTheObjective_isRefused() {
        Table t = CsvTables.parse("tiny", "a,y\n1,1\n2,2\n");
        assertThatThrownBy(() ->
                        PoolBenchmark.problem(PoolBenchmarkConfig.of(t, "y").withExclude(List.of("y"))))
                .hasMessageContaining("'y' is the objective, which is never a parameter: leave it out of --exclude");
    }

    @Test
    void aRowNumberColumn_isNotTakenForAParameter_unlessNamed() {
        StringBuilder csv = new StringBuilder("id,temp,y\n");
        for (int i = 0; i < 30; i++) {
            // Shuffled ids, from 1: still a row number.
            csv.append((i * 7) % 30 + 1)
                    .append(',')
                    .append(20 + 2 * i)
                    .append(',')
                    .append(i)
                    .append('\n');
        }
        Table t = CsvTables.parse("ids.csv", csv.toString());
        assertThatThrownBy(() -> PoolBenchmark.problem(PoolBenchmarkConfig.of(t, "y")))
                .hasMessageContaining("column 'id' looks like a row number")
                .hasMessageContaining("add --exclude id");
        assertThat(PoolBenchmark.problem(PoolBenchmarkConfig.of(t, "y")
                        .withExclude(List.of("id"))
                        .withPlanner("random", Map.of())
                        .withRun(1, 10, 1, 1)))
                .isNotNull();
        // A numeric parameter with repeated or spaced values is no row number.
        assertThat(PoolBenchmark.rowNumbers(t, "temp")).isFalse();
    }

    @Test
    void aMisspeltObjective_isRefusedWithTheClosestColumn() {
        Table t = CsvTables.parse("tiny", "base,yield\n1,1\n2,2\n");
        assertThatThrownBy(() -> PoolBenchmark.run(PoolBenchmarkConfig.of(t, "yeild")
                        .withPlanner("random", Map.of())
                        .withRun(1, 2, 1, 1)))
                .hasMessageContaining("the objective 'yeild' is not a column of the table; did you mean 'yield'?")
                .hasMessageContaining("its columns are base, yield");
    }

    @Test
    void badConstrainedColumnsAreRefusedClearly() {
        Table t = CsvTables.parse("tiny", "a,c,note,y\n1,1,x,1\n2,2,y,2\n");
        PoolBenchmarkConfig base = PoolBenchmarkConfig.of(t, "y").withPlanner("random", Map.of());
        assertThatThrownBy(() -> PoolBenchmark.run(base.withConstraints(List.of(OutcomeConstraint.parse("cost <= 1")))))
                .hasMessageContaining("cost");
        assertThatThrownBy(() -> PoolBenchmark.run(base.withConstraints(List.of(OutcomeConstraint.parse("note <= 1")))))
                .hasMessageContaining("constrained column 'note' is not numeric (line 2 has 'x')");
        assertThatThrownBy(() -> PoolBenchmark.run(base.withConstraints(List.of(OutcomeConstraint.parse("c >= 5")))))
                .hasMessageContaining("no row satisfies the constraints [c >= 5]");
    }

    @Test
    void theReportAddsFeasibilityOnlyUnderConstraints() throws Exception {
        Table t = CsvTables.parse("tiny", "a,c,y\n1,1,1\n2,9,10\n3,2,4\n");
        PoolBenchmarkConfig c =
                PoolBenchmarkConfig.of(t, "y").withRun(1, 3, 1, 1).withPlanner("random", Map.of());
        JsonNode plain = new ObjectMapper().readTree(PoolBenchmark.report(c, PoolBenchmark.run(c)));
        assertThat(plain.get("summary").has("feasible_fraction")).isFalse();
        assertThat(plain.at("/repeats/0").has("feasible")).isFalse();
        PoolBenchmarkConfig constrained = c.withConstraints(List.of(OutcomeConstraint.parse("c <= 5")));
        JsonNode json = new ObjectMapper().readTree(PoolBenchmark.report(constrained, PoolBenchmark.run(constrained)));
        assertThat(json.at("/summary/constraints/0").asText()).isEqualTo("c <= 5");
        assertThat(json.at("/summary/feasible_fraction").asDouble()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(json.at("/repeats/0/feasible")).hasSize(3);
    }
}
