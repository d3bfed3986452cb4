package org.labloop.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters and histograms, rendered in the Prometheus text format (version 0.0.4) by hand: a handful of
 * series does not need a metrics library. Gauges that describe campaigns (experiments by state, queue length) are
 * computed from the read models when scraped; see {@link ApiServer} for the full list.
 */
final class Metrics {
    static final double[] STEP_BUCKETS = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600};
    static final double[] PLANNER_BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
    };
    static final double[] HTTP_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final Map<String, Histogram> stepSeconds = new ConcurrentHashMap<>();
    private final Map<String, Histogram> plannerSeconds = new ConcurrentHashMap<>();
    private final Map<String, Histogram> httpSeconds = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> events = new ConcurrentHashMap<>();

    /** A step ended after {@code seconds} of engine-clock time (virtual time for simulated devices). */
    void step(String device, String status, double seconds) {
        stepSeconds
                .computeIfAbsent(labels("device", device, "status", status), k -> new Histogram(STEP_BUCKETS))
                .observe(seconds);
    }

    /** One call to a planner took {@code nanos} of real time. */
    void planner(String planner, long nanos) {
        plannerSeconds
                .computeIfAbsent(labels("planner", planner), k -> new Histogram(PLANNER_BUCKETS))
                .observe(nanos / 1e9);
    }

    void http(String method, int status, long nanos) {
        httpSeconds
                .computeIfAbsent(
                        labels("method", method, "status", Integer.toString(status)), k -> new Histogram(HTTP_BUCKETS))
                .observe(nanos / 1e9);
    }

    void event(String type) {
        events.computeIfAbsent(labels("type", type), k -> new LongAdder()).increment();
    }

    void renderHistograms(StringBuilder out) {
        histogram(
                out,
                "labloop_step_duration_seconds",
                "Duration of finished steps in engine-clock seconds (virtual for simulated devices).",
                stepSeconds);
        histogram(
                out,
                "labloop_planner_latency_seconds",
                "Real time the planner took to answer one proposal request.",
                plannerSeconds);
        histogram(out, "labloop_http_request_duration_seconds", "Time to answer an HTTP request.", httpSeconds);
        out.append("# HELP labloop_events_total Events committed by engines running in this server.\n");
        out.append("# TYPE labloop_events_total counter\n");
        new TreeMap<>(events).forEach((k, v) -> line(out, "labloop_events_total", k, v.sum()));
    }

    private static void histogram(StringBuilder out, String name, String help, Map<String, Histogram> series) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        new TreeMap<>(series).forEach((labels, h) -> h.render(out, name, labels));
    }

    static void gauge(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    static void line(StringBuilder out, String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    static String labels(String... kv) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(kv[i]).append("=\"").append(escape(kv[i + 1])).append('"');
        }
        return sb.toString();
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** A cumulative histogram with fixed buckets, safe to update from any thread. */
    static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] counts;
        private final LongAdder count = new LongAdder();
        private final DoubleAdder sum = new DoubleAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds.clone();
            this.counts = new LongAdder[bounds.length];
            for (int i = 0; i < bounds.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sum.add(v);
        }

        long count() {
            return count.sum();
        }

        void render(StringBuilder out, String name, String labels) {
            String sep = labels.isEmpty() ? "" : labels + ",";
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i].sum();
                line(out, name + "_bucket", sep + "le=\"" + number(bounds[i]) + "\"", cumulative);
            }
            line(out, name + "_bucket", sep + "le=\"+Inf\"", count.sum());
            line(out, name + "_sum", labels, sum.sum());
            line(out, name + "_count", labels, count.sum());
        }
    }
}
