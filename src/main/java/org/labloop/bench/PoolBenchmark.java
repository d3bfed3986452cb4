package org.labloop.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.labloop.chem.Smiles;
import org.labloop.core.Table;
import org.labloop.data.DescriptorCsv;
import org.labloop.planner.Planner;
import org.labloop.planner.PlannerRegistry;
import org.labloop.planner.PlannerSpec;
import org.labloop.planner.PlanningRequest;
import org.labloop.planner.Proposal;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.Direction;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Objective;
import org.labloop.space.Observation;
import org.labloop.space.OutcomeConstraint;
import org.labloop.space.Parameter;
import org.labloop.space.Point;
import org.labloop.space.SearchSpace;

/**
 * Pool-based benchmark of a planner on a lookup table: the planner picks rows by their parameter values, the benchmark
 * reveals each picked row's objective, for a budget of experiments and several seeded repeats. Outcome constraints name
 * other numeric columns: the planner is told them and sees their values, and only picks that satisfy them count.
 */
public final class PoolBenchmark {
    static final int[] CHECKPOINTS = {10, 20, 30, 50};

    private PoolBenchmark() {}

    /**
     * The search space, pool and outcomes a configuration describes: {@code values} holds the objective of every row,
     * {@code feasibleValues} that of the rows meeting the constraints (all rows without constraints), and
     * {@code constrained} each point's constrained outcomes.
     */
    record Problem(
            SearchSpace space,
            Objective objective,
            List<Point> pool,
            Map<Point, Double> outcome,
            double[] values,
            Map<Point, Map<String, Double>> constrained,
            double[] feasibleValues,
            List<String> notes) {}

    public static BenchResult run(PoolBenchmarkConfig config) {
        return run(config, note -> {});
    }

    /**
     * Runs the benchmark, first handing {@code notes} what a user should know about how the table was read: a column
     * taken for categorical although most of its cells are numbers (one cell written with its unit makes the whole
     * column a set of unordered labels), a target no row reaches.
     */
    public static BenchResult run(PoolBenchmarkConfig config, java.util.function.Consumer<String> notes) {
        Problem problem = problem(config);
        problem.notes().forEach(notes);
        PlannerRegistry registry = PlannerRegistry.standard();
        registry.create(new PlannerSpec(config.planner(), config.plannerOptions()))
                .checkSpace(problem.space());
        List<BenchResult.Repeat> repeats = new ArrayList<>();
        for (int r = 0; r < config.repeats(); r++) {
            long seed = config.seed() + r;
            repeats.add(runOnce(config, problem, registry, seed));
        }
        return new BenchResult(summarise(config, problem, repeats), repeats);
    }

    private static BenchResult.Repeat runOnce(
            PoolBenchmarkConfig config, Problem problem, PlannerRegistry registry, long seed) {
        Planner planner = registry.create(new PlannerSpec(config.planner(), config.plannerOptions()));
        SplittableRandom random = new SplittableRandom(seed);
        int budget = Math.min(config.budget(), problem.pool().size());
        List<Observation> observations = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Boolean> feasible = new ArrayList<>();
        long nanos = 0;
        int calls = 0;
        while (values.size() < budget) {
            int count = Math.min(config.batch(), budget - values.size());
            PlanningRequest request = new PlanningRequest(
                    problem.space(),
                    List.of(problem.objective()),
                    config.hideConstraints() ? List.of() : config.constraints(),
                    observations,
                    List.of(),
                    count,
                    Optional.of(problem.pool()),
                    random,
                    seed);
            long start = System.nanoTime();
            List<Proposal> proposals = planner.propose(request);
            nanos += System.nanoTime() - start;
            calls++;
            for (Proposal p : proposals) {
                Double v = problem.outcome().get(p.point());
                if (v == null) {
                    throw new IllegalStateException("planner " + config.planner()
                            + " proposed a point outside the pool: " + p.point().values());
                }
                values.add(v);
                Map<String, Double> outcomes =
                        new HashMap<>(problem.constrained().get(p.point()));
                outcomes.put(problem.objective().name(), v);
                feasible.add(config.constraints().stream().allMatch(c -> c.satisfiedBy(outcomes.get(c.outcome()))));
                // A hidden constraint's outcome is not revealed either, so the planner learns nothing of it.
                observations.add(Observation.of(
                        p.point(),
                        config.hideConstraints() ? Map.of(problem.objective().name(), v) : outcomes));
            }
        }
        return new BenchResult.Repeat(seed, values, feasible, nanos / 1e6 / Math.max(1, calls));
    }

    /** The parameter of {@code column} with the descriptor table given for it; refused for a numeric column. */
    private static Parameter withDescriptors(Parameter p, String column, Table table) {
        List<String> choices = switch (p) {
            case CategoricalParameter c -> c.choices();
            case MoleculeParameter m ->
                m.choices().stream().map(MoleculeParameter.Molecule::name).toList();
            default ->
                throw new IllegalArgumentException("column '" + column + "' holds numbers; a descriptor table describes"
                        + " the choices of a categorical or molecule column");
        };
        DescriptorCsv.Read read = DescriptorCsv.read(table, choices);
        if (!read.problems().isEmpty()) {
            throw new IllegalArgumentException(
                    "descriptors of column '" + column + "': " + read.problems().get(0));
        }
        if (!read.missing().isEmpty()) {
            throw new IllegalArgumentException("descriptors of column '" + column + "': " + table.source()
                    + " has no row for " + read.missing() + " (its first column names the choices as the data writes"
                    + " them)");
        }
        return switch (p) {
            case CategoricalParameter c -> c.withDescriptors(read.table());
            case MoleculeParameter m -> m.withDescriptors(read.table());
            default -> p;
        };
    }

    /** Whether a column holds 0..n-1 or 1..n, each once, in some order: a row id taken for a parameter. */
    static boolean rowNumbers(Table table, String column) {
        if (!table.isNumeric(column) || table.size() < 20) {
            return false;
        }
        double[] v = table.numbers(column).clone();
        java.util.Arrays.sort(v);
        double first = v[0];
        if (first != 0 && first != 1) {
            return false;
        }
        for (int i = 0; i < v.length; i++) {
            if (v[i] != first + i) {
                return false;
            }
        }
        return true;
    }

    static Problem problem(PoolBenchmarkConfig config) {
        Table table = config.table();
        column(table, config.objective(), "objective");
        if (!table.isNumeric(config.objective())) {
            throw new IllegalArgumentException("objective column '" + config.objective() + "' is not numeric ("
                    + table.notNumeric(config.objective()) + ")");
        }
        for (String c : config.exclude()) {
            column(table, c, "excluded column");
            if (c.equals(config.objective())) {
                throw new IllegalArgumentException(
                        "'" + c + "' is the objective, which is never a parameter:" + " leave it out of --exclude");
            }
            if (config.parameters().contains(c)) {
                throw new IllegalArgumentException("column '" + c + "' is both excluded and a parameter; name it once");
            }
        }
        if (config.parameters().contains(config.objective())) {
            throw new IllegalArgumentException("the objective column '" + config.objective() + "' is also a parameter;"
                    + " the planner would be shown the answer: leave it out of the parameters");
        }
        Set<String> nameColumns = new HashSet<>(config.names().values());
        Set<String> constrainedColumns = new LinkedHashSet<>();
        for (OutcomeConstraint c : config.constraints()) {
            column(table, c.outcome(), "constrained column");
            if (!table.isNumeric(c.outcome())) {
                throw new IllegalArgumentException("constrained column '" + c.outcome() + "' is not numeric ("
                        + table.notNumeric(c.outcome()) + ")");
            }
            if (config.parameters().contains(c.outcome())) {
                throw new IllegalArgumentException("constrained column '" + c.outcome()
                        + "' is also a parameter; a constraint is on an outcome, not on a parameter");
            }
            constrainedColumns.add(c.outcome());
        }
        List<String> columns = new ArrayList<>();
        if (config.parameters().isEmpty()) {
            for (String c : table.columns()) {
                if (!c.equals(config.objective())
                        && !config.exclude().contains(c)
                        && !nameColumns.contains(c)
                        && !constrainedColumns.contains(c)) {
                    columns.add(c);
                }
            }
            for (String c : columns) {
                if (rowNumbers(table, c)) {
                    throw new IllegalArgumentException("column '" + c + "' looks like a row number (every row has"
                            + " its own whole number, 1 to " + table.size() + " or 0 to " + (table.size() - 1)
                            + "), which a planner would take for a condition: add --exclude " + c + "; if it is a"
                            + " real parameter, name the parameters with --params");
                }
            }
        } else {
            config.parameters().forEach(c -> column(table, c, "parameter"));
            columns.addAll(config.parameters());
        }
        twice(config.parameters(), "--params");
        twice(config.smiles(), "--smiles");
        twice(config.exclude(), "--exclude");
        List<String> notes = new ArrayList<>();
        for (String c : columns) {
            notes.addAll(cells(table, c, config.smiles().contains(c)));
        }
        for (String s : config.smiles()) {
            if (!columns.contains(s)) {
                throw new IllegalArgumentException(
                        "SMILES column '" + s + "' is not among the parameter columns " + columns);
            }
        }
        List<Parameter> params = new ArrayList<>();
        Map<String, String> paramName = new LinkedHashMap<>();
        Set<String> usedNames = new HashSet<>();
        for (String c : columns) {
            String name = sanitise(c, usedNames);
            paramName.put(c, name);
            int col = table.requireColumn(c);
            if (config.smiles().contains(c)) {
                String nameColumn = config.names().get(c);
                int nameCol = nameColumn == null ? col : table.requireColumn(nameColumn);
                Map<String, String> choices = new LinkedHashMap<>();
                for (int r = 0; r < table.size(); r++) {
                    List<String> row = table.rows().get(r);
                    String choice = row.get(nameCol).trim();
                    String smiles = row.get(col).trim();
                    String prev = choices.putIfAbsent(choice, smiles);
                    if (prev != null && !prev.equals(smiles)) {
                        throw new IllegalArgumentException(
                                "choice '" + choice + "' of " + c + " has two SMILES: " + prev + " and " + smiles);
                    }
                    if (prev == null) {
                        String why = Smiles.problem(smiles).orElse(null);
                        if (why != null) {
                            throw new IllegalArgumentException("line " + table.line(r) + ", column " + c + ": '"
                                    + smiles + "' is not a valid SMILES (" + why + ")");
                        }
                    }
                }
                params.add(new MoleculeParameter(
                        name,
                        choices.entrySet().stream()
                                .map(e -> new MoleculeParameter.Molecule(e.getKey(), e.getValue()))
                                .toList()));
            } else if (table.isNumeric(c)) {
                double[] nums = table.numbers(c);
                params.add(new DiscreteParameter(
                        name, Arrays.stream(nums).distinct().sorted().boxed().toList(), ""));
            } else {
                Set<String> levels = new LinkedHashSet<>();
                for (List<String> row : table.rows()) {
                    levels.add(row.get(col).trim());
                }
                params.add(new CategoricalParameter(name, List.copyOf(levels)));
            }
        }
        for (String c : config.descriptors().keySet()) {
            if (!columns.contains(c)) {
                throw new IllegalArgumentException(
                        "--descriptors names column '" + c + "', which is not among the parameter columns " + columns);
            }
            int i = columns.indexOf(c);
            params.set(i, withDescriptors(params.get(i), c, config.descriptors().get(c)));
        }
        SearchSpace space = new SearchSpace(params);
        Objective objective = new Objective(
                sanitise(config.objective(), new HashSet<>(usedNames)),
                config.minimise() ? Direction.MINIMISE : Direction.MAXIMISE);
        double[] ys = table.numbers(config.objective());
        Map<String, double[]> constrainedValues = new LinkedHashMap<>();
        constrainedColumns.forEach(c -> constrainedValues.put(c, table.numbers(c)));
        List<Point> pool = new ArrayList<>();
        Map<Point, Double> outcome = new HashMap<>();
        Map<Point, Map<String, Double>> constrained = new HashMap<>();
        List<Double> feasibleValues = new ArrayList<>();
        Map<Point, Integer> firstRow = new HashMap<>();
        for (int r = 0; r < table.size(); r++) {
            List<String> row = table.rows().get(r);
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                String c = columns.get(i);
                Parameter p = params.get(i);
                String cell = row.get(table.requireColumn(c)).trim();
                Object v;
                if (p instanceof MoleculeParameter) {
                    String nameColumn = config.names().get(c);
                    v = nameColumn == null
                            ? cell
                            : row.get(table.requireColumn(nameColumn)).trim();
                } else if (p instanceof DiscreteParameter) {
                    v = Double.parseDouble(cell);
                } else {
                    v = cell;
                }
                values.put(paramName.get(c), v);
            }
            Point point = new Point(values);
            Map<String, Double> rowConstrained = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : constrainedValues.entrySet()) {
                rowConstrained.put(e.getKey(), e.getValue()[r]);
            }
            Integer first = firstRow.putIfAbsent(point, r);
            if (first != null) {
                // The same experiment twice: harmless when it gave the same outcomes, otherwise the table cannot say
                // what picking it reveals.
                if (ys[first] != ys[r] || !constrained.get(point).equals(rowConstrained)) {
                    throw new IllegalArgumentException("lines " + table.line(first) + " and " + table.line(r)
                            + " have the same parameter values " + point.values() + " but different outcomes ("
                            + config.objective() + " " + num(ys[first]) + " and " + num(ys[r]) + "); "
                            + (config.parameters().isEmpty()
                                    ? "average or remove the repeats"
                                    : "add the columns that tell them apart to the parameters"));
                }
                continue;
            }
            outcome.put(point, ys[r]);
            pool.add(point);
            constrained.put(point, Map.copyOf(rowConstrained));
            if (config.constraints().stream().allMatch(c -> c.satisfiedBy(rowConstrained.get(c.outcome())))) {
                feasibleValues.add(ys[r]);
            }
        }
        if (feasibleValues.isEmpty()) {
            throw new IllegalArgumentException("no row satisfies the constraints " + config.constraints());
        }
        if (config.target().isPresent()) {
            double target = config.target().getAsDouble();
            double sign = config.minimise() ? -1 : 1;
            double best =
                    feasibleValues.stream().mapToDouble(v -> sign * v).max().orElseThrow();
            if (sign * target > best) {
                notes.add("no row" + (config.constraints().isEmpty() ? "" : " meeting the constraints") + " reaches the"
                        + " target " + plain(target) + " (the best is " + plain(sign * best) + "), so no repeat can"
                        + " reach it and each counts as " + (config.budget() + 1));
            }
        }
        if (config.budget() > pool.size()) {
            throw new IllegalArgumentException("the budget of " + config.budget() + " experiments is more than the "
                    + pool.size() + " distinct points of the table; pass --budget " + pool.size()
                    + " or less");
        }
        return new Problem(
                space,
                objective,
                List.copyOf(pool),
                outcome,
                ys,
                constrained,
                feasibleValues.stream().mapToDouble(Double::doubleValue).toArray(),
                List.copyOf(notes));
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static void twice(List<String> names, String option) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException("column '" + n + "' is named twice in " + option + "; name it once");
            }
        }
    }

    /**
     * Refuses a parameter cell that is empty, or a number that is not finite ("NaN", "Infinity"): every row is an
     * experiment with a value for every condition. Returns a note when a column is taken for categorical although
     * most of its cells are numbers.
     */
    private static List<String> cells(Table table, String column, boolean smiles) {
        int col = table.requireColumn(column);
        int numbers = 0;
        int firstText = -1;
        int texts = 0;
        for (int r = 0; r < table.size(); r++) {
            String cell = table.rows().get(r).get(col).trim();
            if (cell.isEmpty()) {
                throw new IllegalArgumentException("line " + table.line(r) + ", column " + column + " is empty; every"
                        + " row needs a value for each parameter: fill it in or remove the row");
            }
            if (Table.isNumber(cell)) {
                numbers++;
                continue;
            }
            if (!smiles && notFinite(cell)) {
                throw new IllegalArgumentException("line " + table.line(r) + ", column " + column + " holds '" + cell
                        + "', which is not a value a condition can have: give the value, or remove the row");
            }
            texts++;
            if (firstText < 0) {
                firstText = r;
            }
        }
        if (smiles || texts == 0 || numbers < texts) {
            return List.of();
        }
        return List.of("column " + column + " is taken for categorical (its levels unordered): line "
                + table.line(firstText) + " has '"
                + table.rows().get(firstText).get(col).trim() + "'"
                + (texts > 1 ? " and " + (texts - 1) + " more cells are not numbers" : " and is not a number")
                + ", while " + numbers + " cells are; if they are all numbers, write them as numbers (no unit)");
    }

    private static boolean notFinite(String cell) {
        try {
            return !Double.isFinite(Double.parseDouble(cell));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Checks that a column the benchmark was told about exists, naming what it was meant to be. */
    private static void column(Table table, String name, String what) {
        if (!table.columns().contains(name)) {
            throw new IllegalArgumentException("the " + what + " '" + name + "' is not a column of the table; "
                    + org.labloop.core.Suggest.didYouMean(name, table.columns()) + "its columns are "
                    + String.join(", ", table.columns()));
        }
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String sanitise(String column, Set<String> used) {
        String s = column.trim().replaceAll("[^A-Za-z0-9_]", "_");
        if (s.isEmpty() || !Character.isLetter(s.charAt(0)) && s.charAt(0) != '_') {
            s = "_" + s;
        }
        String base = s;
        for (int i = 2; !used.add(s); i++) {
            s = base + "_" + i;
        }
        return s;
    }

    static BenchResult.Summary summarise(
            PoolBenchmarkConfig config, Problem problem, List<BenchResult.Repeat> repeats) {
        double sign = config.minimise() ? -1 : 1;
        // Under constraints the levels are those of the feasible rows, and only feasible picks reach them.
        double[] sorted = Arrays.stream(problem.feasibleValues())
                .map(v -> sign * v)
                .sorted()
                .toArray();
        int n = sorted.length;
        double best = sorted[n - 1];
        int top = Math.max(1, (int) Math.ceil(0.01 * n));
        double top1 = sorted[n - top];
        Map<Integer, Double> bestSoFar = new TreeMap<>();
        for (int k : checkpoints(config.budget())) {
            double sum = 0;
            for (BenchResult.Repeat r : repeats) {
                double b = sorted[0];
                for (int i = 0; i < Math.min(k, r.values().size()); i++) {
                    if (r.feasible().get(i)) {
                        b = Math.max(b, sign * r.values().get(i));
                    }
                }
                sum += sign * b;
            }
            bestSoFar.put(k, sum / repeats.size());
        }
        long picks = 0;
        long feasible = 0;
        for (BenchResult.Repeat r : repeats) {
            picks += r.feasible().size();
            feasible += r.feasible().stream().filter(f -> f).count();
        }
        return new BenchResult.Summary(
                reach(repeats, sign * best, sign, config.budget()),
                reach(repeats, sign * top1, sign, config.budget()),
                config.target().isPresent()
                        ? Optional.of(reach(repeats, config.target().getAsDouble(), sign, config.budget()))
                        : Optional.empty(),
                bestSoFar,
                config.constraints().stream().map(Object::toString).toList(),
                picks == 0 ? 1.0 : feasible / (double) picks,
                problem.pool().size());
    }

    /** After 10, 20, 30 and 50 experiments, those within the budget; and after the whole budget when it is below 50. */
    static List<Integer> checkpoints(int budget) {
        List<Integer> out = new ArrayList<>();
        for (int k : CHECKPOINTS) {
            if (k <= budget) {
                out.add(k);
            }
        }
        if (budget < CHECKPOINTS[CHECKPOINTS.length - 1] && !out.contains(budget)) {
            out.add(budget);
        }
        return out;
    }

    private static BenchResult.Reach reach(List<BenchResult.Repeat> repeats, double level, double sign, int budget) {
        int[] needed = new int[repeats.size()];
        int reached = 0;
        for (int r = 0; r < repeats.size(); r++) {
            List<Double> values = repeats.get(r).values();
            needed[r] = budget + 1;
            for (int i = 0; i < values.size(); i++) {
                if (repeats.get(r).feasible().get(i) && sign * values.get(i) >= sign * level) {
                    needed[r] = i + 1;
                    reached++;
                    break;
                }
            }
        }
        Arrays.sort(needed);
        int m = needed.length;
        double median = m % 2 == 1 ? needed[m / 2] : 0.5 * (needed[m / 2 - 1] + needed[m / 2]);
        double mean = Arrays.stream(needed).average().orElse(Double.NaN);
        return new BenchResult.Reach(level, median, mean, needed[m - 1], reached);
    }

    /**
     * The result as JSON: {"config": {...}, "summary": {...}, "repeats": [{"seed": S, "values": [...]}]}. Each "to_..."
     * of the summary holds its "level"; "to_target" is there when a target was given. Under outcome constraints the
     * summary also holds "constraints" and "feasible_fraction", and each repeat "feasible": [true, false, ...].
     */
    public static String report(PoolBenchmarkConfig config, BenchResult result) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ObjectNode c = root.putObject("config");
        c.put("data", config.table().source());
        c.put("rows", config.table().size());
        c.put("points", result.summary().points());
        c.put("objective", config.objective());
        c.put("direction", config.minimise() ? "minimise" : "maximise");
        // As given: empty parameters mean every column but the objective, the excluded and the constrained ones.
        ArrayNode ps = c.putArray("parameters");
        config.parameters().forEach(ps::add);
        ArrayNode ex = c.putArray("exclude");
        config.exclude().forEach(ex::add);
        ArrayNode sm = c.putArray("smiles");
        config.smiles().forEach(sm::add);
        c.put("planner", config.planner());
        ObjectNode po = c.putObject("planner_options");
        config.plannerOptions().forEach((k, v) -> po.put(k, String.valueOf(v)));
        c.put("batch", config.batch());
        c.put("budget", config.budget());
        c.put("repeats", config.repeats());
        c.put("seed", config.seed());
        if (config.target().isPresent()) {
            c.put("target", config.target().getAsDouble());
        }
        ObjectNode summary = root.putObject("summary");
        putReach(summary.putObject("to_best"), result.summary().toBest());
        putReach(summary.putObject("to_top1pct"), result.summary().toTop1pct());
        result.summary().toTarget().ifPresent(t -> putReach(summary.putObject("to_target"), t));
        ObjectNode bsf = summary.putObject("best_so_far");
        new TreeMap<>(result.summary().bestSoFar()).forEach((k, v) -> bsf.put(Integer.toString(k), v));
        boolean constrained = !result.summary().constraints().isEmpty();
        if (constrained) {
            ArrayNode cs = summary.putArray("constraints");
            result.summary().constraints().forEach(cs::add);
            summary.put("feasible_fraction", result.summary().feasibleFraction());
        }
        ArrayNode reps = root.putArray("repeats");
        for (BenchResult.Repeat r : result.repeats()) {
            ObjectNode o = reps.addObject();
            o.put("seed", r.seed());
            ArrayNode vals = o.putArray("values");
            r.values().forEach(vals::add);
            if (constrained) {
                ArrayNode fs = o.putArray("feasible");
                r.feasible().forEach(fs::add);
            }
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the benchmark report", e);
        }
    }

    private static void putReach(ObjectNode node, BenchResult.Reach reach) {
        node.put("level", reach.level());
        node.put("median", reach.median());
        node.put("mean", reach.mean());
        node.put("worst", reach.worst());
        node.put("reached", reach.reached());
    }
}
