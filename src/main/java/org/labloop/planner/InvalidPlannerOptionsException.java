package org.labloop.planner;

import java.util.List;
import java.util.stream.Collectors;

/** A planner's options are wrong: every problem found, each with the option it concerns, so files can point at it. */
public final class InvalidPlannerOptionsException extends PlanningException {
    private static final long serialVersionUID = 1L;

    /** One wrong option: its key as written, and what is wrong with it. */
    public record OptionProblem(String option, String message) {}

    private final transient List<OptionProblem> problems;

    public InvalidPlannerOptionsException(List<OptionProblem> problems) {
        super(problems.stream().map(OptionProblem::message).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<OptionProblem> problems() {
        return problems;
    }
}
