package org.labloop.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.labloop.emulator.SnarEmulator;
import org.labloop.planner.Hypervolume;
import org.labloop.planner.Planner;
import org.labloop.planner.PlannerRegistry;
import org.labloop.planner.PlannerSpec;
import org.labloop.planner.PlanningRequest;
import org.labloop.planner.Proposal;
import org.labloop.space.Bound;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.SearchSpace;

/**
 * The two-objective SnAr benchmark: a planner proposes (tau, equiv, conc, T), the kinetic model answers (space-time
 * yield, E-factor), and the terminal hypervolume of what was found is scored on (-STY, E-factor) against the reference
 * point (-2957, 10.7), as in the published strategy comparison.
 */
public final class SnarBenchmark {
    public static final double[] REFERENCE = {-2957, 10.7};

    private SnarBenchmark() {}

    /** What to run. */
    public record Config(
            SnarEmulator.Variant variant,
            int batch,
            int budget,
            int repeats,
            long seed,
            String planner,
            Map<String, Object> plannerOptions,
            Map<String, Double> thresholds) {
        public Config {
            if (batch < 1 || budget < 1 || repeats < 1) {
                throw new IllegalArgumentException("batch, budget and repeats must be at least 1");
            }
            // Insertion order kept, so the JSON lists them as given.
            plannerOptions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(plannerOptions));
            thresholds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(thresholds));
            for (Map.Entry<String, Double> t : thresholds.entrySet()) {
                if (!t.getKey().equals(SnarEmulator.STY) && !t.getKey().equals(SnarEmulator.E_FACTOR)) {
                    throw new IllegalArgumentException("the SnAr objectives are " + SnarEmulator.STY + " and "
                            + SnarEmulator.E_FACTOR + "; there is no objective '" + t.getKey() + "'");
                }
                if (!Double.isFinite(t.getValue())) {
                    throw new IllegalArgumentException(
                            "the threshold of " + t.getKey() + " must be a finite number, got " + t.getValue());
                }
            }
        }
    }

    /** One repeat: its seed, the (sty, e_factor) of each experiment in order, and its terminal hypervolume. */
    public record Repeat(long seed, List<double[]> outcomes, double hypervolume, double meanProposeMillis) {}

    public record Result(Config config, List<Repeat> repeats, double mean, double std, double min, double max) {}

    public static SearchSpace space() {
        return new SearchSpace(List.of(
                new ContinuousParameter(SnarEmulator.TAU, new Bound(0.5, 2), "min"),
                new ContinuousParameter(SnarEmulator.EQUIV, new Bound(1, 5), ""),
                new ContinuousParameter(SnarEmulator.CONC, new Bound(0.1, 0.5), "mol/L"),
                new ContinuousParameter(SnarEmulator.TEMPERATURE, new Bound(30, 120), "degC")));
    }

    public static List<Objective> objectives() {
        return objectives(Map.of());
    }

    /** The two objectives, with a threshold (the worst value still worth having) where {@code thresholds} gives one. */
    static List<Objective> objectives(Map<String, Double> thresholds) {
        return List.of(
                objective(SnarEmulator.STY, Direction.MAXIMISE, thresholds),
                objective(SnarEmulator.E_FACTOR, Direction.MINIMISE, thresholds));
    }

    private static Objective objective(String name, Direction direction, Map<String, Double> thresholds) {
        Double t = thresholds.get(name);
        return new Objective(
                name,
                direction,
                "",
                java.util.OptionalDouble.empty(),
                t == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(t));
    }

    public static Result run(Config config) {
        List<Repeat> repeats = new ArrayList<>();
        for (int r = 0; r < config.repeats(); r++) {
            repeats.add(runOnce(config, config.seed() + r));
        }
        double[] hv = repeats.stream().mapToDouble(Repeat::hypervolume).toArray();
        double mean = java.util.Arrays.stream(hv).average().orElse(Double.NaN);
        double var =
                java.util.Arrays.stream(hv).map(h -> (h - mean) * (h - mean)).sum() / Math.max(1, hv.length - 1);
        return new Result(
                config,
                repeats,
                mean,
                Math.sqrt(var),
                java.util.Arrays.stream(hv).min().orElse(Double.NaN),
                java.util.Arrays.stream(hv).max().orElse(Double.NaN));
    }

    private static Repeat runOnce(Config config, long seed) {
        Planner planner = PlannerRegistry.standard().create(new PlannerSpec(config.planner(), config.plannerOptions()));
        SearchSpace space = space();
        List<Objective> objectives = objectives(config.thresholds());
        SplittableRandom random = new SplittableRandom(seed);
        List<Observation> observations = new ArrayList<>();
        List<double[]> outcomes = new ArrayList<>();
        long nanos = 0;
        int calls = 0;
        while (observations.size() < config.budget()) {
            int count = Math.min(config.batch(), config.budget() - observations.size());
            long t0 = System.nanoTime();
            List<Proposal> proposals = planner.propose(new PlanningRequest(
                    space, objectives, observations, List.of(), count, Optional.empty(), random, seed));
            nanos += System.nanoTime() - t0;
            calls++;
            for (Proposal p : proposals) {
                double[] y = SnarEmulator.objectives(
                        config.variant(),
                        p.point().number(SnarEmulator.TAU),
                        p.point().number(SnarEmulator.EQUIV),
                        p.point().number(SnarEmulator.CONC),
                        p.point().number(SnarEmulator.TEMPERATURE));
                outcomes.add(y);
                observations.add(
                        Observation.of(p.point(), Map.of(SnarEmulator.STY, y[0], SnarEmulator.E_FACTOR, y[1])));
            }
        }
        return new Repeat(seed, outcomes, hypervolume(outcomes), nanos / 1e6 / Math.max(1, calls));
    }

    /** Hypervolume of (sty, e_factor) outcomes on (-STY, E-factor) against {@link #REFERENCE}. */
    public static double hypervolume(List<double[]> outcomes) {
        double[][] points = new double[outcomes.size()][];
        for (int i = 0; i < points.length; i++) {
            points[i] = new double[] {-outcomes.get(i)[0], outcomes.get(i)[1]};
        }
        return Hypervolume.of(points, REFERENCE);
    }

    /** {"summary": {"hypervolume": {"mean", "std", "min", "max"}}, "repeats": [{"seed", "hypervolume", ...}]}. */
    public static String json(Result result) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ObjectNode summary = root.putObject("summary");
        summary.putObject("hypervolume")
                .put("mean", result.mean())
                .put("std", result.std())
                .put("min", result.min())
                .put("max", result.max());
        summary.put("variant", result.config().variant().id());
        summary.put("planner", result.config().planner());
        ObjectNode options = summary.putObject("planner_options");
        result.config().plannerOptions().forEach((k, v) -> options.put(k, String.valueOf(v)));
        ObjectNode thresholds = summary.putObject("thresholds");
        result.config().thresholds().forEach(thresholds::put);
        summary.put("budget", result.config().budget());
        summary.put("batch", result.config().batch());
        summary.putArray("reference_point").add(REFERENCE[0]).add(REFERENCE[1]);
        ArrayNode reps = root.putArray("repeats");
        for (Repeat r : result.repeats()) {
            ObjectNode o = reps.addObject();
            o.put("seed", r.seed());
            o.put("hypervolume", r.hypervolume());
            o.put("mean_propose_ms", r.meanProposeMillis());
            ArrayNode values = o.putArray("values");
            r.outcomes().forEach(y -> values.addObject().put("sty", y[0]).put("e_factor", y[1]));
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the benchmark report", e);
        }
    }
}
