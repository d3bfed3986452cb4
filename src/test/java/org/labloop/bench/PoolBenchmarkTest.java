package org.labloop.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;

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
        // Every repeat sees all 6 rows, so the best (10) is reached; best-so-far after 10 experiments is 10.
        assertThat(r.summary().toBest().reached()).isEqualTo(3);
        assertThat(r.summary().bestSoFar().get(10)).isEqualTo(10.0);
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
        assertThat(r.summary().toTarget().reached()).isZero();
        assertThat(r.summary().toTarget().worst()).isEqualTo(3);
        assertThat(r.summary().toTarget().median()).isEqualTo(3.0);
    }

    @Test
    void minimisingBenchmarksLookForTheSmallestValue() {
        Table t = CsvTables.parse("tiny", "a,y\n1,5\n2,-1\n3,3\n");
        BenchResult r = PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                .minimising(true)
                .withRun(1, 3, 1, 1)
                .withPlanner("sobol", Map.of()));
        assertThat(r.summary().bestSoFar().get(10)).isEqualTo(-1.0);
        assertThat(r.summary().toBest().reached()).isEqualTo(1);
    }

    @Test
    void reportIsJsonInTheDocumentedShape() throws Exception {
        Table t = CsvTables.parse("tiny", "a,b,y\n1,x,1\n2,x,2\n3,y,3\n4,y,10\n");
        BenchResult r = PoolBenchmark.run(PoolBenchmarkConfig.of(t, "y")
                .withRun(2, 4, 2, 7)
                .withPlanner("lhs", Map.of())
                .withTarget(3));
        JsonNode json = new ObjectMapper().readTree(PoolBenchmark.report(r));
        assertThat(json.fieldNames()).toIterable().containsExactly("summary", "repeats");
        JsonNode summary = json.get("summary");
        assertThat(summary.fieldNames())
                .toIterable()
                .containsExactly("to_best", "to_top1pct", "to_target", "best_so_far");
        assertThat(summary.get("to_target").fieldNames())
                .toIterable()
                .containsExactly("median", "mean", "worst", "reached");
        assertThat(summary.get("best_so_far").fieldNames()).toIterable().containsExactly("10", "20", "30", "50");
        assertThat(json.get("repeats")).hasSize(2);
        assertThat(json.get("repeats").get(0).get("seed").asLong()).isEqualTo(7);
        assertThat(json.get("repeats").get(1).get("seed").asLong()).isEqualTo(8);
        assertThat(json.get("repeats").get(0).get("values")).hasSize(4);
    }
}
