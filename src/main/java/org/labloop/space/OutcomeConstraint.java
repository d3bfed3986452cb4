package org.labloop.space;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bound a measured outcome must respect, such as {@code purity >= 95}: proposals should satisfy it in expectation
 * (the Bayesian planner weighs each candidate by its modelled probability of doing so). The outcome need not be an
 * objective.
 */
public record OutcomeConstraint(String outcome, Comparison op, double bound) {

    /** How the outcome compares with the bound; both are inclusive. */
    public enum Comparison {
        AT_LEAST(">="),
        AT_MOST("<=");

        private final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    private static final Pattern TEXT = Pattern.compile("\\s*([^<>=!]*?)\\s*(>=|<=|=>|=<|>|<|==|=|!=)\\s*(.*?)\\s*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    public OutcomeConstraint {
        if (outcome == null || !Parameter.NAME.matcher(outcome).matches()) {
            throw new IllegalArgumentException("constraint outcome '" + outcome
                    + "' must start with a letter or _ and hold only letters, digits and _");
        }
        Objects.requireNonNull(op, "op");
        if (!Double.isFinite(bound)) {
            throw new IllegalArgumentException("constraint bound on " + outcome + " must be finite, got " + bound);
        }
    }

    /**
     * Reads {@code OUTCOME >= NUMBER} or {@code OUTCOME <= NUMBER}, with or without spaces ({@code purity >= 95},
     * {@code e_factor<=10}).
     *
     * @throws IllegalArgumentException saying what is wrong with the text and how to write it
     */
    public static OutcomeConstraint parse(String text) {
        String example = "write OUTCOME >= NUMBER or OUTCOME <= NUMBER, e.g. 'purity >= 95'";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a constraint is empty; " + example);
        }
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("constraint '" + text.strip() + "' has no comparison; " + example);
        }
        String name = m.group(1);
        String symbol = m.group(2);
        String number = m.group(3);
        Comparison op = switch (symbol) {
            case ">=", "=>" -> Comparison.AT_LEAST;
            case "<=", "=<" -> Comparison.AT_MOST;
            default ->
                throw new IllegalArgumentException("constraint '" + text.strip() + "' uses '" + symbol
                        + "'; only >= and <= are supported (bounds are inclusive), e.g. '" + name
                        + (symbol.startsWith("<") ? " <= " : " >= ") + (number.isEmpty() ? "95" : number) + "'");
        };
        if (name.isEmpty()) {
            throw new IllegalArgumentException(
                    "constraint '" + text.strip() + "' names no outcome before '" + symbol + "'; " + example);
        }
        if (!Parameter.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("constraint '" + text.strip() + "' names outcome '" + name
                    + "', which must start with a letter or _ and hold only letters, digits and _");
        }
        if (number.isEmpty()) {
            throw new IllegalArgumentException(
                    "constraint '" + text.strip() + "' has no bound after '" + symbol + "'; " + example);
        }
        double bound = NUMBER.matcher(number).matches() ? Double.parseDouble(number) : Double.NaN;
        if (!Double.isFinite(bound)) {
            throw new IllegalArgumentException("constraint '" + text.strip() + "' has bound '" + number
                    + "', which is not a finite number; " + example);
        }
        return new OutcomeConstraint(name, op, bound);
    }

    /** True when {@code value} satisfies the constraint (bounds are inclusive). */
    public boolean satisfiedBy(double value) {
        return margin(value) >= 0;
    }

    /** How far {@code value} is inside the bound: positive when satisfied, negative by the violation. */
    public double margin(double value) {
        return op == Comparison.AT_LEAST ? value - bound : bound - value;
    }

    /** The constraint as a user writes it, e.g. {@code purity >= 95}. */
    @Override
    public String toString() {
        String b = bound == Math.rint(bound) && Math.abs(bound) < 1e15
                ? Long.toString((long) bound)
                : Double.toString(bound);
        return outcome + " " + op.symbol() + " " + b;
    }
}
