package org.labloop.fuzz;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Counts per target and class of bad input, the failures with how to reproduce them, and timings. */
public final class FuzzReport {
    private static final int KEPT_FAILURES = 25;

    private final long seed;
    private final Map<String, long[]> counts = new TreeMap<>();
    private final Map<String, Long> nanos = new TreeMap<>();
    private final List<CaseResult> failures = new ArrayList<>();
    private long failureCount;
    private long cases;
    private CaseResult slowest;
    private double setupSeconds;
    private double runSeconds;
    private String setupNote = "";

    FuzzReport(long seed) {
        this.seed = seed;
    }

    void add(CaseResult r) {
        cases++;
        String key = r.target() + "\t" + r.mutation();
        counts.computeIfAbsent(key, k -> new long[3])[r.outcome().ordinal()]++;
        nanos.merge(key, r.nanos(), Long::sum);
        if (r.outcome() == Outcome.UNCAUGHT) {
            failureCount++;
            if (failures.size() < KEPT_FAILURES) {
                failures.add(r);
            }
        }
        if (slowest == null || r.nanos() > slowest.nanos()) {
            slowest = r;
        }
    }

    void timings(double setupSeconds, double runSeconds, String setupNote) {
        this.setupSeconds = setupSeconds;
        this.runSeconds = runSeconds;
        this.setupNote = setupNote;
    }

    public long cases() {
        return cases;
    }

    public long count(Outcome o) {
        return counts.values().stream().mapToLong(c -> c[o.ordinal()]).sum();
    }

    /** Failing cases (at most the first {@value #KEPT_FAILURES}). */
    public List<CaseResult> failures() {
        return List.copyOf(failures);
    }

    public boolean passed() {
        return failureCount == 0;
    }

    public double runSeconds() {
        return runSeconds;
    }

    public void print(PrintWriter out, String reproduce) {
        out.printf(
                Locale.ROOT,
                "LabLoop fuzz: seed %d, %d cases in %.1f s (%.2f ms per case); setup %.1f s (%s)%n",
                seed,
                cases,
                runSeconds,
                cases == 0 ? 0 : runSeconds * 1000 / cases,
                setupSeconds,
                setupNote);
        String fmt = "%-6s %-20s %7s %9s %9s %9s %8s%n";
        out.printf(fmt, "TARGET", "BAD INPUT", "CASES", "ACCEPTED", "REJECTED", "UNCAUGHT", "MS/CASE");
        counts.forEach((key, c) -> {
            String[] k = key.split("\t");
            long n = c[0] + c[1] + c[2];
            String ms = String.format(Locale.ROOT, "%.1f", nanos.get(key) / 1e6 / n);
            out.printf(fmt, k[0], k[1], n, c[0], c[1], c[2], ms);
        });
        out.printf(
                fmt, "total", "", cases, count(Outcome.ACCEPTED), count(Outcome.REJECTED), count(Outcome.UNCAUGHT), "");
        if (slowest != null) {
            out.printf(
                    Locale.ROOT,
                    "Slowest case: %d (%s %s), %.0f ms%n",
                    slowest.caseNumber(),
                    slowest.target(),
                    slowest.mutation(),
                    slowest.nanos() / 1e6);
        }
        if (passed()) {
            out.println("PASS: every case was accepted or rejected with a message; no file was modified by a read.");
            return;
        }
        out.printf("FAIL: %d case(s) crashed or broke a rule. Reproduce one with:%n", failureCount);
        for (CaseResult f : failures) {
            out.printf(
                    "  %s --seed %d --case %d   # %s %s%n", reproduce, seed, f.caseNumber(), f.target(), f.mutation());
            f.detail().lines().limit(12).forEach(l -> out.println("      " + l));
        }
        if (failureCount > failures.size()) {
            out.printf("  ... and %d more%n", failureCount - failures.size());
        }
    }
}
