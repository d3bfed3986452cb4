package org.labloop.schedule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** A workcell's devices and the experiments to run on it, possibly from several campaigns. */
public record Problem(String name, List<Device> devices, List<Job> jobs) {
    public Problem {
        Objects.requireNonNull(name, "name");
        devices = List.copyOf(devices);
        jobs = List.copyOf(jobs);
        Set<String> names = new HashSet<>();
        for (Device d : devices) {
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("device " + d.name() + " is declared twice");
            }
        }
        for (Job j : jobs) {
            for (Op op : j.ops()) {
                if (devices.stream().noneMatch(d -> d.can(op.capability()))) {
                    throw new IllegalArgumentException(
                            "job " + j.id() + " step " + op.name() + ": no device can " + op.capability());
                }
            }
        }
    }

    /**
     * A lower bound on the makespan from time 0, with mean durations: the larger of the busiest capability's work
     * divided by the positions that can do it, and the longest single experiment (release, steps and minimum waits).
     * Changeovers are left out, so the bound stays valid.
     */
    public long lowerBound() {
        return Math.max(resourceBound(), chainBound());
    }

    /** For each capability: total mean work divided by the total capacity of the devices that have it. */
    public Map<String, Long> workPerCapability() {
        Map<String, Long> work = new LinkedHashMap<>();
        for (Job j : jobs) {
            for (Op op : j.ops()) {
                work.merge(op.capability(), op.duration().mean(), Long::sum);
            }
        }
        return work;
    }

    public long resourceBound() {
        long best = 0;
        for (Map.Entry<String, Long> e : workPerCapability().entrySet()) {
            int cap = devices.stream()
                    .filter(d -> d.can(e.getKey()))
                    .mapToInt(Device::capacity)
                    .sum();
            best = Math.max(best, (e.getValue() + cap - 1) / cap);
        }
        return best;
    }

    public long chainBound() {
        long best = 0;
        for (Job j : jobs) {
            List<Long> ends = new ArrayList<>();
            long t = j.releaseMs();
            for (Op op : j.ops()) {
                long start = t;
                if (op.window() != null) {
                    start = Math.max(
                            start, ends.get(op.window().after()) + op.window().minLagMs());
                }
                t = start + op.duration().mean();
                ends.add(t);
            }
            best = Math.max(best, t);
        }
        return best;
    }

    /**
     * A tighter lower bound than {@link #lowerBound()}: for each capability, the one-resource relaxation with heads
     * and tails. Each of the {@code u} positions used for a capability is idle until the earliest any of its steps
     * can start (its head: release, earlier steps and minimum waits) and still has work after its last step ends (its
     * tail: the experiment's later steps), so {@code u * makespan >= (u smallest heads) + (all the work) + (u smallest
     * tails)}; the bound is the smallest such figure over the possible {@code u}. Mean durations, no changeovers.
     */
    public long headTailBound() {
        Map<String, List<long[]>> byCapability = new LinkedHashMap<>();
        for (Job j : jobs) {
            List<Op> ops = j.ops();
            long[] ends = new long[ops.size()];
            long t = j.releaseMs();
            for (int k = 0; k < ops.size(); k++) {
                Op op = ops.get(k);
                long start = t;
                if (op.window() != null) {
                    start = Math.max(
                            start, ends[op.window().after()] + op.window().minLagMs());
                }
                ends[k] = start + op.duration().mean();
                t = ends[k];
            }
            long after = 0;
            for (int k = ops.size() - 1; k >= 0; k--) {
                Op op = ops.get(k);
                long head = ends[k] - op.duration().mean();
                byCapability
                        .computeIfAbsent(op.capability(), c -> new ArrayList<>())
                        .add(new long[] {head, op.duration().mean(), after});
                after += op.duration().mean();
            }
        }
        long best = 0;
        for (Map.Entry<String, List<long[]>> e : byCapability.entrySet()) {
            int cap = devices.stream()
                    .filter(d -> d.can(e.getKey()))
                    .mapToInt(Device::capacity)
                    .sum();
            List<long[]> steps = e.getValue();
            long[] heads = steps.stream().mapToLong(x -> x[0]).sorted().toArray();
            long[] tails = steps.stream().mapToLong(x -> x[2]).sorted().toArray();
            long work = steps.stream().mapToLong(x -> x[1]).sum();
            long bound = Long.MAX_VALUE;
            long headSum = 0;
            long tailSum = 0;
            for (int u = 1; u <= Math.min(cap, steps.size()); u++) {
                headSum += heads[u - 1];
                tailSum += tails[u - 1];
                bound = Math.min(bound, (headSum + work + tailSum + u - 1) / u);
            }
            best = Math.max(best, bound);
        }
        return Math.max(best, chainBound());
    }

    public int lanes() {
        return devices.stream().mapToInt(Device::capacity).sum();
    }
}
