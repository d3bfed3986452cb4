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

    /** The values it could have been, when they are a known few. */
    public java.util.List<String> known() {
        return known;
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

    /** Each problem this stands for: itself, or the several an emulator's options had at once. */
    public java.util.List<EmulationException> problems() {
        return java.util.List.of(this);
    }

    /** {@code found} as one exception: the only one, or all of them (their messages joined). */
    public static EmulationException of(java.util.List<EmulationException> found) {
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        return found.size() == 1 ? found.get(0) : new Several(found);
    }

    /** Problems with several of an emulator's options, found together. */
    static final class Several extends EmulationException {
        private static final long serialVersionUID = 1L;
        private final transient java.util.List<EmulationException> problems;

        private Several(java.util.List<EmulationException> problems) {
            super(String.join(
                    "; ", problems.stream().map(EmulationException::getMessage).toList()));
            java.util.List<EmulationException> flat = new java.util.ArrayList<>();
            problems.forEach(e -> flat.addAll(e.problems()));
            this.problems = java.util.List.copyOf(flat);
        }

        @Override
        public java.util.List<EmulationException> problems() {
            return problems;
        }
    }
}
