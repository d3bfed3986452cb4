package org.labloop.device;

import java.util.List;
import java.util.Objects;

/** A device's driver options are wrong: every problem found, each naming its option, so all can be fixed at once. */
public final class DriverOptionException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /**
     * One wrong option: what is wrong with it, and for a name the driver does not know, the names it does (else
     * empty).
     */
    public record Problem(String option, String message, List<String> known) {
        public Problem {
            Objects.requireNonNull(option, "option");
            Objects.requireNonNull(message, "message");
            known = List.copyOf(known);
        }
    }

    private final transient List<Problem> problems;

    public DriverOptionException(String device, List<Problem> problems) {
        super("device " + device + ": "
                + String.join("; ", problems.stream().map(Problem::message).toList()));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a driver option exception needs a problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
