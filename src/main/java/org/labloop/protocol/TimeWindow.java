package org.labloop.protocol;

/**
 * When a step must start, relative to the end of an earlier step of the same experiment ({@code after}, by name; null
 * means the step just before): between {@code minMinutes} and {@code maxMinutes} later. {@code within_min: 10} in a
 * protocol file is [0, 10]; {@code exactly_min: 0} is [0, 0].
 */
public record TimeWindow(String after, double minMinutes, double maxMinutes) {
    public TimeWindow {
        if (!(minMinutes >= 0) || !(maxMinutes >= minMinutes)) {
            throw new IllegalArgumentException(
                    "a time window needs 0 <= min <= max, got " + minMinutes + " to " + maxMinutes + " minutes");
        }
    }
}
