package org.labloop.bench;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.labloop.core.Table;
import org.labloop.space.OutcomeConstraint;

/**
 * A pool-based benchmark: the rows of {@code table} are the candidate pool, {@code objective} the hidden outcome.
 *
 * @param parameters parameter columns; empty means every column except the objective and {@code exclude}
 * @param exclude columns that are neither parameters nor the objective (such as a row id)
 * @param smiles columns whose values are SMILES: they become molecule parameters
 * @param names optional pairing of a SMILES column with a column of names for its choices
 * @param planner planner type (bayesian, random, lhs, sobol)
 * @param plannerOptions options passed to the planner
 * @param target value that counts as the goal met; when empty, the table's best value
 * @param constraints outcome constraints on other numeric columns (neither parameters nor the objective): the planner
 *     is asked to respect them, and only rows that satisfy them count as results
 * @param hideConstraints score picks against the constraints without telling the planner (a baseline)
 * @param descriptors descriptor tables (first column: the choice, then numbers) for parameter columns, by column
 */
public record PoolBenchmarkConfig(
        Table table,
        String objective,
        boolean minimise,
        List<String> parameters,
        List<String> exclude,
        List<String> smiles,
        Map<String, String> names,
        int batch,
        int budget,
        int repeats,
        long seed,
        String planner,
        Map<String, Object> plannerOptions,
        OptionalDouble target,
        List<OutcomeConstraint> constraints,
        boolean hideConstraints,
        Map<String, Table> descriptors) {

    public PoolBenchmarkConfig {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(objective, "objective");
        parameters = List.copyOf(parameters);
        exclude = List.copyOf(exclude);
        smiles = List.copyOf(smiles);
        names = Map.copyOf(names);
        Objects.requireNonNull(planner, "planner");
        plannerOptions = Map.copyOf(plannerOptions);
        Objects.requireNonNull(target, "target");
        constraints = List.copyOf(constraints);
        descriptors = Map.copyOf(descriptors);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be at least 1, got " + budget);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        }
    }

    /** A configuration with defaults: all other columns as parameters, no SMILES, bayesian planner, batch 5. */
    public static PoolBenchmarkConfig of(Table table, String objective) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                false,
                List.of(),
                List.of(),
                List.of(),
                Map.of(),
                5,
                50,
                10,
                1,
                "bayesian",
                Map.of(),
                OptionalDouble.empty(),
                List.of(),
                false,
                Map.of());
    }

    public PoolBenchmarkConfig withSmiles(List<String> columns) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                exclude,
                columns,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                constraints,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig withParameters(List<String> columns) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                columns,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                constraints,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig withExclude(List<String> columns) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                columns,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                constraints,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig withRun(int batch, int budget, int repeats, long seed) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                constraints,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig withPlanner(String planner, Map<String, Object> options) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                options,
                target,
                constraints,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig withTarget(double value) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                OptionalDouble.of(value),
                constraints,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig minimising(boolean value) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                value,
                parameters,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                constraints,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig withConstraints(List<OutcomeConstraint> list) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                list,
                hideConstraints,
                descriptors);
    }

    public PoolBenchmarkConfig hidingConstraints(boolean value) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                constraints,
                value,
                descriptors);
    }

    public PoolBenchmarkConfig withDescriptors(Map<String, Table> tables) {
        return new PoolBenchmarkConfig(
                table,
                objective,
                minimise,
                parameters,
                exclude,
                smiles,
                names,
                batch,
                budget,
                repeats,
                seed,
                planner,
                plannerOptions,
                target,
                constraints,
                hideConstraints,
                tables);
    }
}
