package org.labloop.planner;

import java.util.List;
import java.util.stream.Collectors;

/** A planner's options are wrong: every problem found, each with the option it concerns, so files can point at it. */
public final class InvalidPlannerOptionsException extends PlanningException {
    private static final long serialVersionUID = 1L;

    /**
     * One wrong option: its key as written, what is wrong with it, and, for a key the planner does not have, the keys
     * it has (to suggest the one meant).
     */
    public record OptionProblem(String option, String message, List<String> known) {
        public OptionProblem {
            java.util.Objects.requireNonNull(option, "option");
            java.util.Objects.requireNonNull(message, "message");
            known = List.copyOf(known);
        }

        public OptionProblem(String option, String message) {
            this(option, message, List.of());
        }
    }

    private final transient List<OptionProblem> problems;

    public InvalidPlannerOptionsException(List<OptionProblem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    private static String message(List<OptionProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an options error needs at least one problem");
        }
        return problems.stream().map(OptionProblem::message).collect(Collectors.joining("; "));
    }

    public List<OptionProblem> problems() {
        return problems;
    }
}
