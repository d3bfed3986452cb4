package org.labloop.schedule;

import java.util.List;

/**
 * The time-critical chains of a job's steps: steps joined by bounded windows, with every step in between. A chain is
 * started only when all of it can be placed; steps outside chains are placed one at a time.
 */
final class Chains {
    private Chains() {}

    /**
     * For each step: the index of the last step of the chain it starts, itself when it starts none (a lone step or a
     * step inside a chain, see {@link #inner}).
     */
    static int[] ends(List<Op> ops) {
        int n = ops.size();
        int[] reach = new int[n];
        for (int k = 0; k < n; k++) {
            reach[k] = k;
        }
        for (int k = 0; k < n; k++) {
            Window w = ops.get(k).window();
            if (w != null && w.bounded()) {
                reach[w.after()] = Math.max(reach[w.after()], k);
            }
        }
        int[] end = new int[n];
        int k = 0;
        while (k < n) {
            int e = reach[k];
            for (int i = k; i <= e; i++) {
                e = Math.max(e, reach[i]);
            }
            end[k] = e;
            for (int i = k + 1; i <= e; i++) {
                end[i] = -1;
            }
            k = e + 1;
        }
        return end;
    }

    /** True when step {@code k} lies inside a chain started by an earlier step. */
    static boolean inner(int[] ends, int k) {
        return ends[k] < 0;
    }

    /** True when step {@code k} starts a chain of more than one step. */
    static boolean head(int[] ends, int k) {
        return ends[k] > k;
    }

    /** Whether a device position needs a changeover before a step of {@code setup}, after one of {@code last}. */
    static long changeover(Device d, String last, String setup) {
        if (d.changeoverMs() == 0 || setup.isEmpty() || last.isEmpty() || last.equals(setup)) {
            return 0;
        }
        return d.changeoverMs();
    }
}
