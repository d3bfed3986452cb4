package org.labloop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import org.labloop.bench.BenchResult;
import org.labloop.bench.PoolBenchmark;
import org.labloop.bench.PoolBenchmarkConfig;
import org.labloop.core.InvalidInputException;
import org.labloop.core.LabLoopException;
import org.labloop.core.Problem;
import org.labloop.core.Table;
import org.labloop.data.CsvTables;
import org.labloop.space.OutcomeConstraint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop bench optimize}: a pool-based planner benchmark on any lookup table. */
@Command(
        name = "optimize",
        mixinStandardHelpOptions = true,
        description = "Pool-based benchmark: a planner picks rows of a lookup table, the objective column is revealed"
                + " for each pick; reports how many experiments it took to reach the best, the top 1%% and a target.")
final class BenchOptimizeCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "FILE.csv", description = "The lookup table.")
    Path data;

    @Option(names = "--objective", required = true, paramLabel = "COLUMN", description = "The outcome column.")
    String objective;

    @Option(
            names = {"--minimize", "--minimise"},
            description = "Smaller is better (default: larger).")
    boolean minimise;

    @Option(
            names = "--params",
            split = ",",
            paramLabel = "A,B",
            description = "Parameter columns (default: every other column: name other outcomes, such as a"
                    + " cost beside a yield, in --exclude or --constraint).")
    List<String> params = List.of();

    @Option(names = "--exclude", split = ",", paramLabel = "A,B", description = "Columns to ignore, such as a row id.")
    List<String> exclude = List.of();

    @Option(names = "--smiles", split = ",", paramLabel = "A,B", description = "Columns holding SMILES (molecules).")
    List<String> smiles = List.of();

    @Option(
            names = "--descriptors",
            paramLabel = "COLUMN=FILE",
            description = "A descriptor table for a parameter column (CSV: the choice, then numeric columns); repeat"
                    + " for several columns.")
    Map<String, Path> descriptors = new java.util.LinkedHashMap<>();

    @Option(names = "--batch", paramLabel = "N", description = "Proposals per round (default: 5).")
    int batch = 5;

    @Option(names = "--budget", paramLabel = "N", description = "Experiments per repeat (default: 50).")
    int budget = 50;

    @Option(names = "--repeats", paramLabel = "N", description = "Independent repeats (default: 50).")
    int repeats = 50;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed of the first repeat; repeat i uses S+i (default: 1).")
    long seed = 1;

    @Option(
            names = "--planner",
            paramLabel = "NAME",
            description = "bayesian, random, lhs or sobol (default: bayesian).")
    String planner = "bayesian";

    @picocli.CommandLine.Mixin
    PlannerOptions plannerOptions;

    @Option(names = "--target", paramLabel = "VALUE", description = "Also report experiments to reach this value.")
    Double target;

    @Option(
            names = "--constraint",
            paramLabel = "COLUMN>=VALUE",
            description = "An outcome constraint on another column, COLUMN>=VALUE or COLUMN<=VALUE; repeatable. The"
                    + " planner is told it, and only picks that meet every constraint count as results.")
    List<String> constraints = List.of();

    @Option(
            names = "--hide-constraints",
            description = "Score picks against the constraints but do not tell the planner: the baseline to compare a"
                    + " constrained run with.")
    boolean hideConstraints;

    @Option(names = "--json", paramLabel = "OUT", description = "Write the full result as JSON.")
    Path json;

    @Option(
            names = "--force",
            description = "Replace the file given to --json even when it is not an earlier benchmark report.")
    boolean force;

    @Option(names = "--quiet", description = "Print only the summary, not every repeat's picks.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    private Map<String, Table> descriptorTables() {
        Map<String, Table> out = new java.util.LinkedHashMap<>();
        descriptors.forEach((column, file) -> out.put(column, CsvTables.read(file)));
        return out;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (batch < 1 || budget < 1 || repeats < 1) {
            throw InvalidInputException.of("options", "--batch, --budget and --repeats must be at least 1", "");
        }
        if (batch > budget) {
            throw InvalidInputException.of(
                    "--batch " + batch,
                    "is larger than the budget (" + budget + "): the first batch alone would overrun it",
                    "give a batch of at most " + budget);
        }
        List<Path> inputs = new ArrayList<>(descriptors.values());
        inputs.add(data);
        BenchReport.checkTarget(json, force, inputs.toArray(Path[]::new));
        List<OutcomeConstraint> parsed = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (String c : constraints) {
            try {
                parsed.add(OutcomeConstraint.parse(c));
            } catch (IllegalArgumentException e) {
                problems.add(Problem.at("--constraint", e.getMessage(), "for example --constraint \"cost<=0.05\""));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        if (hideConstraints && parsed.isEmpty()) {
            throw InvalidInputException.of(
                    "--hide-constraints", "there are no constraints to hide", "add --constraint COLUMN>=VALUE");
        }
        requirePlanner(planner);
        Map<String, Object> options = plannerOptions.parse();
        try {
            new org.labloop.lab.Lab()
                    .planners
                    .create(new org.labloop.planner.PlannerSpec(planner, options))
                    .checkObjectives(List.of(new org.labloop.space.Objective(
                            "objective",
                            minimise ? org.labloop.space.Direction.MINIMISE : org.labloop.space.Direction.MAXIMISE)));
        } catch (LabLoopException e) {
            throw InvalidInputException.of("--option", e.getMessage(), "see docs/campaign-file.md for planner options");
        }
        if (target != null && !Double.isFinite(target)) {
            throw InvalidInputException.of(
                    "--target",
                    "'" + target + "' is not a finite number",
                    "give the objective value to reach, e.g. 99");
        }
        Table table = CsvTables.read(data);
        PoolBenchmarkConfig config = new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                params,
                exclude,
                smiles,
                Map.of(),
                batch,
                budget,
                repeats,
                seed,
                planner,
                options,
                target == null ? OptionalDouble.empty() : OptionalDouble.of(target),
                parsed,
                hideConstraints,
                descriptorTables());
        long t0 = System.nanoTime();
        BenchResult result;
        try {
            result = PoolBenchmark.run(config, n -> spec.commandLine().getErr().println("labloop: note: " + n));
        } catch (org.labloop.planner.InvalidPlannerOptionsException e) {
            throw InvalidInputException.of("--option", e.getMessage(), "see docs/campaign-file.md for planner options");
        } catch (IllegalArgumentException e) {
            // Each message says what to change, in the table or in the option that names its columns.
            throw InvalidInputException.of(data.toString(), e.getMessage(), "");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(
                "Pool benchmark: %s, %d rows%s, objective %s (%s), planner %s, batch %d, budget %d, %d repeats from seed"
                        + " %d%n",
                data,
                table.size(),
                result.summary().points() == table.size()
                        ? ""
                        : " (" + result.summary().points() + " distinct points)",
                objective,
                minimise ? "minimise" : "maximise",
                planner,
                batch,
                budget,
                repeats,
                seed);
        BenchResult.Summary s = result.summary();
        if (!parsed.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "Constraints: %s%s; only picks that meet them count (%.1f%% of all picks did)%n",
                    String.join(", ", s.constraints()),
                    hideConstraints ? " (hidden from the planner)" : "",
                    100 * s.feasibleFraction());
        }
        if (!quiet) {
            for (BenchResult.Repeat r : result.repeats()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.values().size(); i++) {
                    // As the table gives it (rounding would show 99.98 as the best, 100); an infeasible pick is shown
                    // in brackets.
                    String v = java.math.BigDecimal.valueOf(r.values().get(i))
                            .stripTrailingZeros()
                            .toPlainString();
                    sb.append(' ').append(r.feasible().get(i) ? v : "[" + v + "]");
                }
                out.printf("  seed %d picks:%s%n", r.seed(), sb);
            }
        }
        int width = parsed.isEmpty() ? 28 : 34;
        out.printf("%-" + width + "s %8s %8s %8s %9s%n", "experiments needed", "median", "mean", "worst", "reached");
        String feasible = parsed.isEmpty() ? "" : " feasible";
        reach(out, width, "to the best" + feasible + " (" + num(s.toBest().level()) + ")", s.toBest(), repeats);
        reach(out, width, "to the top 1%" + feasible + " (" + num(s.toTop1pct().level()) + ")", s.toTop1pct(), repeats);
        if (target != null) {
            reach(
                    out,
                    width,
                    "to the target (" + num(target) + ")",
                    s.toTarget().orElseThrow(),
                    repeats);
        }
        out.print("mean best" + feasible + " so far after");
        new java.util.TreeMap<>(s.bestSoFar()).forEach((k, v) -> out.printf(Locale.ROOT, "  %d: %.2f", k, v));
        out.println();
        double ms = result.repeats().stream()
                .mapToDouble(BenchResult.Repeat::meanProposeMillis)
                .average()
                .orElse(0);
        out.printf(
                Locale.ROOT,
                "(a repeat that never reaches a level counts as %d; planner %.0f ms per call; %.1f s in all)%n",
                budget + 1,
                ms,
                seconds);
        if (json != null) {
            ExportCommand.write(json, PoolBenchmark.report(config, result) + "\n");
            out.println("Wrote " + json);
        }
        return 0;
    }

    private static void reach(PrintWriter out, int width, String label, BenchResult.Reach r, int repeats) {
        out.printf(
                Locale.ROOT,
                "%-" + width + "s %8.1f %8.1f %8d %5d/%d%n",
                label,
                r.median(),
                r.mean(),
                r.worst(),
                r.reached(),
                repeats);
    }

    /** As the table gives it: rounding would show 99999.1 as 1.000e+05. */
    static String num(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    static void requirePlanner(String planner) {
        try {
            new org.labloop.lab.Lab().planners.create(org.labloop.planner.PlannerSpec.of(planner));
        } catch (LabLoopException e) {
            throw InvalidInputException.of("--planner", e.getMessage(), "pass one of the listed planners");
        }
    }
}
