package org.labloop.emulator;

import org.labloop.core.LabLoopException;

/** An emulator cannot answer: a missing input, a value outside its domain, a table with no matching row. */
public class EmulationException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    /** The emulator option a problem is about, the value written there, and the values it could have been. */
    private final String option;

    private final String written;
    private final transient java.util.List<String> known;

    public EmulationException(String message) {
        this(message, null, null, java.util.List.of());
    }

    /**
     * A wrong value {@code written} under the campaign file's emulator option {@code option} (a key itself when
     * {@code option} names no option the emulator has), which could have been one of {@code known}.
     */
    public EmulationException(String message, String option, String written, java.util.List<String> known) {
        super(message);
        this.option = option;
        this.written = written;
        this.known = java.util.List.copyOf(known);
    }

    /** The emulator option the problem is about, if known. */
    public java.util.Optional<String> option() {
        return java.util.Optional.ofNullable(option);
    }

    /** The closest of the values it could have been to what was written, to suggest. */
    public java.util.Optional<String> meant(
            java.util.function.BiFunction<String, java.util.List<String>, java.util.Optional<String>> closest) {
        return written == null || known.isEmpty() ? java.util.Optional.empty() : closest.apply(written, known);
    }

    public EmulationException(String message, Throwable cause) {
        super(message, cause);
        this.option = null;
        this.written = null;
        this.known = java.util.List.of();
    }
}
