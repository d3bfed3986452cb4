package org.labloop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.labloop.bench.SnarBenchmark;
import org.labloop.core.InvalidInputException;
import org.labloop.emulator.EmulationException;
import org.labloop.emulator.SnarEmulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop bench snar}: terminal hypervolume of a planner on the two-objective SnAr model. */
@Command(
        name = "snar",
        mixinStandardHelpOptions = true,
        description = "Two-objective SnAr benchmark (maximise space-time yield, minimise E-factor): mean and spread of"
                + " the terminal hypervolume on (-STY, E-factor) against the reference point (-2957, 10.7), that is"
                + " STY 2957 and E-factor 10.7 (--threshold sty=2957 --threshold e_factor=10.7 tells the planner).")
final class BenchSnarCommand implements Callable<Integer> {
    @Option(names = "--budget", paramLabel = "N", description = "Experiments per repeat (default: 50).")
    int budget = 50;

    @Option(names = "--repeats", paramLabel = "N", description = "Independent repeats (default: 20).")
    int repeats = 20;

    @Option(names = "--batch", paramLabel = "N", description = "Proposals per round (default: 5).")
    int batch = 5;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the first repeat (default: 1).")
    long seed = 1;

    @Option(
            names = "--planner",
            paramLabel = "NAME",
            description = "bayesian, random, lhs or sobol (default: bayesian).")
    String planner = "bayesian";

    @Option(
            names = "--variant",
            paramLabel = "published-2020|corrected",
            description = "Model variant (default: published-2020, as in the published comparison).")
    String variant = "published-2020";

    @picocli.CommandLine.Mixin
    PlannerOptions plannerOptions;

    @Option(
            names = "--threshold",
            paramLabel = "OBJECTIVE=VALUE",
            description = "An objective's threshold, the worst value still worth having, as in a campaign file"
                    + " (repeatable): EHVI counts hypervolume from there; for example --threshold sty=2957"
                    + " --threshold e_factor=10.7, the point the benchmark scores against.")
    List<String> thresholdArgs = new java.util.ArrayList<>();

    @Option(names = "--json", paramLabel = "OUT", description = "Write the full result as JSON.")
    Path json;

    @Option(
            names = "--force",
            description = "Replace the file given to --json even when it is not an earlier benchmark report.")
    boolean force;

    @Spec
    CommandSpec spec;

    /** --threshold NAME=VALUE, each objective at most once, each value a finite number. */
    private Map<String, Double> thresholds() {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (String t : thresholdArgs) {
            int eq = t.indexOf('=');
            double v;
            try {
                v = Double.parseDouble(t.substring(eq + 1).trim());
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                v = Double.NaN;
            }
            if (eq <= 0 || !Double.isFinite(v)) {
                throw InvalidInputException.of(
                        "--threshold " + t, "is not OBJECTIVE=NUMBER", "for example --threshold sty=2957");
            }
            if (out.put(t.substring(0, eq).trim(), v) != null) {
                throw InvalidInputException.of(
                        "--threshold " + t.substring(0, eq).trim(), "is given twice", "give each objective once");
            }
        }
        return out;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SnarEmulator.Variant v;
        try {
            v = SnarEmulator.Variant.of(variant);
        } catch (EmulationException | IllegalArgumentException e) {
            throw InvalidInputException.of("--variant", e.getMessage(), "use published-2020 or corrected");
        }
        if (batch < 1 || budget < 1 || repeats < 1) {
            throw InvalidInputException.of("options", "--batch, --budget and --repeats must be at least 1", "");
        }
        if (batch > budget) {
            throw InvalidInputException.of(
                    "--batch " + batch,
                    "is larger than the budget (" + budget + "): the first batch alone would overrun it",
                    "give a batch of at most " + budget);
        }
        BenchReport.checkTarget(json, force);
        BenchOptimizeCommand.requirePlanner(planner);
        SnarBenchmark.Config config;
        try {
            config = new SnarBenchmark.Config(
                    v, batch, budget, repeats, seed, planner, plannerOptions.parse(), thresholds());
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.of("--threshold", e.getMessage(), "pass --threshold sty=2957");
        }
        // Options are checked once, before the first repeat, so a mistake is reported as one and not blamed on a run.
        org.labloop.planner.Planner p;
        try {
            p = org.labloop.planner.PlannerRegistry.standard()
                    .create(new org.labloop.planner.PlannerSpec(planner, config.plannerOptions()));
            p.checkObjectives(SnarBenchmark.objectives());
            p.checkSpace(SnarBenchmark.space());
        } catch (org.labloop.planner.PlanningException e) {
            throw InvalidInputException.of("--option", e.getMessage(), "see docs/campaign-file.md for planner options");
        }
        if (!thresholdArgs.isEmpty()
                && !p.usesThresholds(SnarBenchmark.objectives().size())) {
            throw InvalidInputException.of(
                    "--threshold",
                    "planner " + planner + (config.plannerOptions().isEmpty() ? "" : " " + config.plannerOptions())
                            + " does not use thresholds (they tell EHVI where hypervolume counts from); the score is"
                            + " always against sty " + fmt(-SnarBenchmark.REFERENCE[0]) + ", e_factor "
                            + fmt(SnarBenchmark.REFERENCE[1]),
                    "remove --threshold, or use --planner bayesian with its default multi_objective and acquisition");
        }
        long t0 = System.nanoTime();
        SnarBenchmark.Result r = SnarBenchmark.run(config);
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(
                "SnAr benchmark (%s model): planner %s%s%s, batch %d, budget %d, %d repeats from seed %d%n",
                v.id(),
                planner,
                config.plannerOptions().isEmpty() ? "" : " " + config.plannerOptions(),
                config.thresholds().isEmpty() ? "" : ", thresholds " + config.thresholds(),
                batch,
                budget,
                repeats,
                seed);
        for (SnarBenchmark.Repeat rep : r.repeats()) {
            out.printf(Locale.ROOT, "  seed %d: hypervolume %.1f%n", rep.seed(), rep.hypervolume());
        }
        out.printf(
                Locale.ROOT,
                "terminal hypervolume: mean %.1f, std %.1f, min %.1f, max %.1f  (%.1f s)%n",
                r.mean(),
                r.std(),
                r.min(),
                r.max(),
                seconds);
        if (json != null) {
            ExportCommand.write(json, SnarBenchmark.json(r) + "\n");
            out.println("Wrote " + json);
        }
        return 0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
