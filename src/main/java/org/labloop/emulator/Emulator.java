package org.labloop.emulator;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A model that answers for a simulated analyser: input values in, measured outcomes out. Noise, if any, is drawn from
 * the generator it is given, so a seeded run gets the same numbers.
 */
public interface Emulator {

    /** Registry name, as written in a campaign file ({@code emulator: {type: NAME}}). */
    String name();

    /** Recorded with every measurement it produces. */
    String version();

    /** Names of the inputs it needs. */
    List<String> inputs();

    /** Names of the outcomes it produces. */
    List<String> outputs();

    /**
     * The values the model answers for, for a numeric {@code input}: a campaign whose parameter reaches outside them
     * would spend experiments on failures. Empty when the model takes any value (or the input is not numeric).
     */
    default java.util.Optional<org.labloop.space.Bound> domain(String input) {
        return java.util.Optional.empty();
    }

    /**
     * The unit the model reads a numeric {@code input} in ("min", "degC", "mol/L"): a parameter given in another unit
     * would be read wrongly. Empty when the input has no unit or the model does not know it (a table's columns).
     */
    default java.util.Optional<String> unit(String input) {
        return java.util.Optional.empty();
    }

    /**
     * The texts the model answers for at {@code input}, when it answers for a finite set of texts (a table's column of
     * names or SMILES, as written there); empty otherwise.
     */
    default java.util.Optional<List<String>> texts(String input) {
        return java.util.Optional.empty();
    }

    /**
     * What the model cannot answer for in a campaign's search space: values of a parameter it has no answer for, or
     * combinations it lacks. {@code parameterOf} gives the campaign's parameter for each of the model's inputs (by the
     * model's input name). Empty when it answers everywhere, as a model defined by equations does.
     */
    default List<Gap> gaps(
            java.util.function.Function<String, java.util.Optional<org.labloop.space.Parameter>> parameterOf) {
        return List.of();
    }

    /**
     * Every answer the model can give, when it has finitely many (a table's rows); empty for a model defined by
     * equations. Lets a campaign's outcome constraints be checked against what could ever be measured.
     */
    default java.util.Optional<java.util.Collection<Map<String, Double>>> answers() {
        return java.util.Optional.empty();
    }

    /** One thing a model cannot answer for: about {@code parameter} (a campaign parameter's name) or, when null, the whole. */
    record Gap(String parameter, String problem, String fix) {
        public Gap {
            java.util.Objects.requireNonNull(problem, "problem");
            java.util.Objects.requireNonNull(fix, "fix");
        }
    }

    /**
     * Evaluates the model. Numeric inputs are Doubles, categorical ones Strings.
     *
     * @throws EmulationException when an input is missing or out of the model's domain
     */
    Map<String, Double> evaluate(Map<String, Object> inputs, RandomGenerator noise);
}
