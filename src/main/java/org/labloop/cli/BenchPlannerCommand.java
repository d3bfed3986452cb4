package org.labloop.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import org.labloop.bench.PlannerSpeed;
import org.labloop.bench.PoolBenchmarkConfig;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop bench planner}: how long a Bayesian proposal takes from a real and from a large pool. */
@Command(
        name = "planner",
        mixinStandardHelpOptions = true,
        description = "Planner speed: a batch from the direct-arylation pool (1728 rows, SMILES encoded) after N"
                + " observations, and from synthetic pools of growing size (memory per row). Run it under"
                + " 'taskset -c 0' to measure one core.")
final class BenchPlannerCommand implements Callable<Integer> {
    @Option(
            names = "--arylation",
            paramLabel = "FILE.csv",
            description = "The direct arylation table (default: ../shared/data/direct_arylation/experiment_index.csv).")
    Path arylation;

    @Option(names = "--observations", paramLabel = "N", description = "Observed rows (default: 100).")
    int observations = 100;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: 5).")
    int batch = 5;

    @Option(names = "--calls", paramLabel = "N", description = "Timed proposals per case (default: 10).")
    int calls = 10;

    @Option(
            names = "--rows",
            split = ",",
            paramLabel = "N,N",
            description = "Synthetic pool sizes (default: 25000,50000,100000).")
    List<Integer> rows = List.of(25_000, 50_000, 100_000);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (observations < 1 || batch < 1 || calls < 1) {
            throw InvalidInputException.of("options", "--observations, --batch and --calls must be at least 1", "");
        }
        for (int r : rows) {
            if (r < batch + observations) {
                throw InvalidInputException.of(
                        "--rows " + r,
                        "is smaller than the observations and the batch together (" + (batch + observations) + ")",
                        "give pools of at least " + (batch + observations) + " rows, or fewer --observations");
            }
        }
        Path file = arylation != null ? arylation : defaultArylation();
        Table table = CsvTables.read(file);
        PoolBenchmarkConfig aryl =
                config(table, "yield", List.of("entry"), List.of("Base_SMILES", "Ligand_SMILES", "Solvent_SMILES"));
        PlannerSpeed.Result arylResult;
        try {
            arylResult = PlannerSpeed.measure("direct arylation (SMILES)", aryl, observations, batch, calls, 1);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("the budget of")) {
                throw InvalidInputException.of(
                        "--observations " + observations,
                        "with --batch " + batch + " needs " + (observations + batch) + " distinct rows, more than "
                                + file + " has",
                        "lower --observations (the benchmark's figure is for 100)");
            }
            throw InvalidInputException.of(
                    file.toString(),
                    e.getMessage(),
                    "--arylation takes the direct arylation table (columns entry, Base_SMILES, Ligand_SMILES,"
                            + " Solvent_SMILES, Concentration, Temp_C, yield)");
        }
        out.printf(
                "Planner speed (bayesian, batch %d, %d observations, %d timed calls per case; %d processors)%n",
                batch, observations, calls, Runtime.getRuntime().availableProcessors());
        out.printf("%-34s %8s %10s %10s %10s %12s%n", "pool", "rows", "first ms", "median ms", "max ms", "pool MB");
        print(out, arylResult);
        for (int n : rows) {
            Table synthetic = PlannerSpeed.synthetic(n, 7);
            PoolBenchmarkConfig config = config(synthetic, "y", List.of(), List.of());
            print(
                    out,
                    PlannerSpeed.measure(
                            "synthetic (5 numeric, 2 categorical)", config, observations, batch, calls, 1));
        }
        return 0;
    }

    private PoolBenchmarkConfig config(Table table, String objective, List<String> exclude, List<String> smiles) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                false,
                List.of(),
                exclude,
                smiles,
                Map.of(),
                batch,
                observations + batch,
                1,
                1,
                "bayesian",
                Map.of(),
                OptionalDouble.empty(),
                List.of(),
                false,
                Map.of());
    }

    private static void print(PrintWriter out, PlannerSpeed.Result r) {
        out.printf(
                Locale.ROOT,
                "%-34s %8d %10.1f %10.1f %10.1f %12.1f%n",
                r.label(),
                r.poolRows(),
                r.firstMs(),
                r.medianMs(),
                r.maxMs(),
                r.poolBytes() / 1e6);
    }

    private static Path defaultArylation() {
        String home = System.getProperty("labloop.home", ".");
        Path p = Path.of(home)
                .resolve("../shared/data/direct_arylation/experiment_index.csv")
                .normalize();
        if (!Files.isRegularFile(p)) {
            throw InvalidInputException.of(
                    p.toString(), "the direct arylation table is not there", "pass --arylation FILE.csv");
        }
        return p;
    }
}
