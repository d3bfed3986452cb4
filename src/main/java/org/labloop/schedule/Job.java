package org.labloop.schedule;

import java.util.List;
import java.util.Objects;

/**
 * One experiment to schedule: its steps in order (each starts after the one before ends), the campaign it belongs to,
 * that campaign's priority (higher goes first), and when it is released (may start).
 */
public record Job(String id, String campaign, int priority, long releaseMs, List<Op> ops) {
    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(campaign, "campaign");
        ops = List.copyOf(ops);
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("job " + id + " has no steps");
        }
        for (int k = 0; k < ops.size(); k++) {
            Window w = ops.get(k).window();
            if (w != null && w.after() >= k) {
                throw new IllegalArgumentException(
                        "job " + id + ": the window of step " + k + " must refer to an earlier step");
            }
        }
    }

    /** The first step of the time-critical chain (steps joined by bounded windows) that step {@code k} belongs to. */
    public int chainHead(int k) {
        int[] ends = Chains.ends(ops);
        int h = k;
        while (h > 0 && ends[h] < 0) {
            h--;
        }
        return h;
    }
}
