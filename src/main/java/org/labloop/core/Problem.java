package org.labloop.core;

import java.util.Objects;

/**
 * One thing wrong with user input: where it is (file, 1-based line and column; 0 when unknown), what is wrong and a
 * one-line hint on how to fix it.
 */
public record Problem(String source, int line, int column, String message, String hint) {
    public Problem {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        hint = hint == null ? "" : hint;
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must be >= 0, got " + line + ":" + column);
        }
    }

    public static Problem at(String source, String message, String hint) {
        return new Problem(source, 0, 0, message, hint);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ").append(message);
        if (!hint.isEmpty()) {
            sb.append(" (hint: ").append(hint).append(')');
        }
        return sb.toString();
    }
}
