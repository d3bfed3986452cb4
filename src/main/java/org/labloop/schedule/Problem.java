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

    public int lanes() {
        return devices.stream().mapToInt(Device::capacity).sum();
    }
}
