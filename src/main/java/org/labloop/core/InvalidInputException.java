package org.labloop.core;

import java.util.List;
import java.util.stream.Collectors;

/** Input a user wrote (a file, an option, a request) is wrong. Carries every problem found, not just the first. */
public class InvalidInputException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public InvalidInputException(List<Problem> problems) {
        super(render(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an InvalidInputException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidInputException(Problem problem) {
        this(List.of(problem));
    }

    /** A problem that is not tied to a position in a file, such as a bad command-line option. */
    public static InvalidInputException of(String where, String message, String hint) {
        return new InvalidInputException(Problem.at(where, message, hint));
    }

    public List<Problem> problems() {
        return problems;
    }

    @Override
    public int exitCode() {
        return 2;
    }

    private static String render(List<Problem> problems) {
        if (problems.size() == 1) {
            return problems.get(0).toString();
        }
        return problems.size() + " problems:\n"
                + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }
}
