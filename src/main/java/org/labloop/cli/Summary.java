package org.labloop.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.campaign.Measurement;
import org.labloop.planner.Pareto;
import org.labloop.space.Objective;
import org.labloop.space.Parameter;

/** The short report printed after a run and by {@code status ID}: counts, best results, Pareto front, where data is. */
final class Summary {
    private final CampaignSpec spec;
    private final CampaignState state;

    private org.labloop.data.Dataset.Recording recording;

    private boolean interrupted;

    /** Says "interrupted" for a running campaign that no process drives (its run was killed or crashed). */
    Summary interrupted(boolean yes) {
        this.interrupted = yes;
        return this;
    }

    /** How commands are typed here: the launcher, and the store option ("" for the default store). */
    private String launcher = "labloop";

    private String store = "";

    /** Commands in the report (ack, sign) as typed here: this launcher, this store. */
    Summary typed(String launcher, String store) {
        this.launcher = launcher;
        this.store = store;
        return this;
    }

    /** Also says when the events were really written (a simulated campaign's own times are virtual). */
    Summary recorded(org.labloop.data.Dataset.Recording r) {
        this.recording = r;
        return this;
    }

    /**
     * The planner's latest proposals with what it predicted for each and why it chose it (the explanation recorded
     * with each proposal): what {@code status ID} shows of a campaign being watched.
     */
    void printLatestProposals(PrintWriter out) {
        List<ExperimentState> latest = state.experiments().values().stream()
                .filter(x -> x.rationale() != null)
                .sorted(Comparator.comparingInt(ExperimentState::index).reversed())
                .limit(Math.min(5, Math.max(1, spec.batchSize())))
                .sorted(Comparator.comparingInt(ExperimentState::index))
                .toList();
        if (latest.isEmpty()) {
            return;
        }
        out.printf(
                "Latest proposals (planner %s; predicted mean +- sd):%n",
                spec.planner().type());
        // The objectives, then the constrained outcomes, then how likely the planner thought the constraints met.
        java.util.Set<String> outcomes = new java.util.LinkedHashSet<>();
        spec.objectives().forEach(o -> outcomes.add(o.name()));
        spec.constraints().forEach(c -> outcomes.add(c.outcome()));
        for (ExperimentState x : latest) {
            List<String> parts = new ArrayList<>();
            for (String name : outcomes) {
                Double mean = x.details().get("mean." + name);
                Double sd = x.details().get("sd." + name);
                Measurement m = x.measurements().get(name);
                String predicted = mean == null ? "" : num(mean) + (sd == null ? "" : " +- " + num(sd));
                String measured = m == null ? "" : (predicted.isEmpty() ? "" : ", ") + "measured " + num(m.value());
                if (!predicted.isEmpty() || !measured.isEmpty()) {
                    parts.add(name + " " + predicted + measured);
                }
            }
            Double feasible = x.details().get("feasibility");
            if (feasible != null) {
                parts.add("P(constraints met) " + num(feasible));
            }
            out.printf(
                    "  %s  %-9s  %-13s %s%n",
                    x.id(), lower(x.status().name()).replace('_', ' '), x.rationale(), String.join("; ", parts));
        }
    }

    Summary(CampaignSpec spec, CampaignState state) {
        this.spec = spec;
        this.state = state;
    }

    /** The end reason after the status word, without saying the word twice ("aborted - aborted: ..."). */
    private String reason() {
        String r = state.endReason();
        if (r == null) {
            return "";
        }
        String word = lower(state.status().name());
        return r.startsWith(word + ": ") ? r.substring(word.length()) : " - " + r;
    }

    void print(PrintWriter out) {
        out.printf(
                "Campaign %s (%s): %s%s%n",
                state.id(),
                spec.name(),
                interrupted ? "interrupted" : lower(state.status().name()),
                reason());
        out.printf(
                "  experiments   %d completed, %d failed, %d in flight (budget %d)%n",
                state.count(ExperimentStatus.COMPLETED),
                state.count(ExperimentStatus.FAILED),
                state.inFlight().size(),
                spec.budget());
        if (windowed()) {
            long missed = dataset().windowsMissed();
            out.printf(
                    "  time windows  %s%n",
                    missed == 0
                            ? "all kept"
                            : missed + (missed == 1 ? " experiment" : " experiments")
                                    + " missed one (the export's time_windows column says which and by how much; a"
                                    + " window is missed after a retry, an operator request, a step running past"
                                    + " its estimate, or a device going off line)");
        }
        if (state.createdAt() != null && state.lastEventAt() != null) {
            Duration d = Duration.between(Instant.parse(state.createdAt()), Instant.parse(state.lastEventAt()));
            out.printf(
                    "  %s time  %s%n",
                    "virtual".equals(state.timeMode()) ? "virtual" : "elapsed", ProgressBar.human(d));
        }
        if (recording != null && recording.from() != null) {
            out.printf(
                    "  recorded      %s to %s (wall clock)%n",
                    recording.from().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    recording.to().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
        out.printf("  planner       %s, seed %d%n", spec.planner().type(), state.seed());
        if (spec.signaturesNeeded() > 0 || !state.signatures().isEmpty()) {
            int missing = org.labloop.campaign.Approval.missing(spec, state);
            out.printf(
                    "  approval      %d of %d signatures%s%n",
                    state.signatures().size(),
                    spec.signaturesNeeded(),
                    missing > 0
                            ? "; WAITS FOR " + missing + " MORE before it runs (" + launcher + " sign " + state.id()
                                    + store + ")"
                            : "");
            for (CampaignState.Signature g : state.signatures()) {
                out.printf("    signed by %s (%s) at %s: \"%s\"%n", g.signer(), g.role(), g.signedAt(), g.meaning());
            }
        }
        if (state.status() == org.labloop.campaign.CampaignStatus.PAUSED) {
            out.printf("  paused by     %s%n", state.pausedBy());
        }
        for (CampaignState.OperatorRequest r : state.openRequests().values()) {
            out.printf(
                    "  OPERATOR REQUEST %s (%s): %s%n",
                    r.id(), r.experimentId(), ProgressBar.typedAck(r.message(), state.id(), r.id(), launcher, store));
        }
        List<ExperimentState> done = completed();
        if (done.isEmpty()) {
            long failed = state.count(ExperimentStatus.FAILED);
            if (failed > 0 && state.inFlight().isEmpty()) {
                out.printf("  no experiment produced a measurement: all %d that ended failed%n", failed);
                printFailures(out);
            } else {
                out.println("  no completed experiments yet");
            }
            return;
        }
        if (!spec.constraints().isEmpty()) {
            // Under constraints an infeasible result is no result: bests and the front come from feasible ones only.
            List<ExperimentState> feasible =
                    done.stream().filter(this::feasible).toList();
            out.printf(
                    "  constraints   %s: met by %d of %d completed experiments%n",
                    String.join(
                            ", ",
                            spec.constraints().stream().map(Object::toString).toList()),
                    feasible.size(),
                    done.size());
            if (feasible.isEmpty()) {
                out.println("  no completed experiment meets the constraints yet");
                return;
            }
            done = feasible;
        }
        for (Objective o : spec.objectives()) {
            ExperimentState best = done.stream()
                    .max(Comparator.comparingDouble(x -> o.direction().sign() * value(x, o)))
                    .orElseThrow();
            out.printf(
                    "Best %s: %s%s at %s%s%n",
                    o.name(),
                    num(value(best, o)),
                    unit(o.unit()),
                    best.id(),
                    missedWindow(best)
                            ? ", whose sample missed its time window: "
                                    + dataset().windows(best).substring("missed: ".length())
                            : "");
            StringBuilder others = new StringBuilder();
            for (Objective other : spec.objectives()) {
                if (other != o) {
                    others.append(other.name())
                            .append(' ')
                            .append(num(value(best, other)))
                            .append(unit(other.unit()))
                            .append("; ");
                }
            }
            for (String outcome : spec.outcomes()) {
                Measurement m = best.measurements().get(outcome);
                if (spec.objectives().stream().noneMatch(ob -> ob.name().equals(outcome)) && m != null) {
                    others.append(outcome).append(' ').append(num(m.value())).append("; ");
                }
            }
            out.printf("  %sconditions: %s%n", others, conditions(best));
        }
        if (spec.objectives().size() >= 2) {
            List<ExperimentState> front = paretoFront(done);
            out.printf(
                    "Pareto front (%s): %d of %d %sexperiments%n",
                    objectivesLabel(),
                    front.size(),
                    done.size(),
                    spec.constraints().isEmpty() ? "" : "feasible ");
            printTable(out, front);
            hypervolume(out, front);
            if (front.stream().anyMatch(this::missedWindow)) {
                out.println(
                        "  * the sample missed a time window of the protocol, so the result may be off (the export's"
                                + " time_windows column says by how much)");
            }
        }
    }

    /**
     * The front's hypervolume when every objective has a threshold: the thresholds are the reference point the user
     * chose, so the figure means what EHVI maximised and can be compared between campaigns with the same thresholds.
     */
    private void hypervolume(PrintWriter out, List<ExperimentState> front) {
        List<Objective> objectives = spec.objectives();
        if (objectives.size() > 3
                || objectives.stream().anyMatch(o -> o.threshold().isEmpty())) {
            return;
        }
        double[] reference = new double[objectives.size()];
        boolean[] minimise = new boolean[objectives.size()];
        List<String> at = new ArrayList<>();
        for (int i = 0; i < reference.length; i++) {
            Objective o = objectives.get(i);
            reference[i] = o.threshold().getAsDouble();
            minimise[i] = o.direction() == org.labloop.space.Direction.MINIMISE;
            at.add(o.name() + " " + num(reference[i]));
        }
        double[][] points = front.stream()
                .map(x -> objectives.stream().mapToDouble(o -> value(x, o)).toArray())
                .toArray(double[][]::new);
        double hv = org.labloop.planner.Hypervolume.of(points, reference, minimise);
        out.printf(
                "  hypervolume %s against the thresholds (%s)%s%n",
                num(hv), String.join(", ", at), hv == 0 ? ": nothing measured beats every threshold yet" : "");
    }

    private org.labloop.data.Dataset dataset;

    private org.labloop.data.Dataset dataset() {
        if (dataset == null) {
            dataset = org.labloop.data.Dataset.of(state, spec);
        }
        return dataset;
    }

    private boolean windowed() {
        return spec.protocol().steps().stream().anyMatch(st -> st.window().isPresent());
    }

    /** Whether a step of the experiment started outside its time window (after a retry or an operator request). */
    private boolean missedWindow(ExperimentState x) {
        return windowed() && dataset().windows(x).startsWith("missed");
    }

    /** The most frequent failure reasons, so that a run where nothing worked says why without an export. */
    private void printFailures(PrintWriter out) {
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (ExperimentState x : state.experiments().values()) {
            if (x.status() == ExperimentStatus.FAILED) {
                reasons.merge(x.failure() == null ? "no reason recorded" : x.failure(), 1, Integer::sum);
            }
        }
        reasons.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(3)
                .forEach(e -> out.printf("    %d x %s%n", e.getValue(), e.getKey()));
        if (reasons.size() > 3) {
            out.printf(
                    "    and %d other reasons (labloop export %s --format csv lists each)%n",
                    reasons.size() - 3, state.id());
        }
    }

    /** Whether the campaign ended with experiments that all failed: it ran, but nothing was measured. */
    static boolean nothingMeasured(CampaignState state) {
        return state.status() == org.labloop.campaign.CampaignStatus.COMPLETED
                && state.count(ExperimentStatus.COMPLETED) == 0
                && state.count(ExperimentStatus.FAILED) > 0;
    }

    private String objectivesLabel() {
        List<String> parts = new ArrayList<>();
        for (Objective o : spec.objectives()) {
            parts.add(o.name() + (o.direction().sign() > 0 ? " max" : " min"));
        }
        return String.join(", ", parts);
    }

    private void printTable(PrintWriter out, List<ExperimentState> rows) {
        List<String> header = new ArrayList<>(List.of("id"));
        spec.objectives().forEach(o -> header.add(o.name()));
        spec.space().parameters().forEach(p -> header.add(p.name()));
        List<List<String>> cells = new ArrayList<>();
        Objective first = spec.objectives().get(0);
        rows.stream()
                .sorted(Comparator.comparingDouble(x -> -first.direction().sign() * value(x, first)))
                .forEach(x -> {
                    List<String> row = new ArrayList<>(List.of(x.id() + (missedWindow(x) ? " *" : "")));
                    spec.objectives().forEach(o -> row.add(num(value(x, o))));
                    spec.space()
                            .parameters()
                            .forEach(p -> row.add(text(x.parameters().get(p.name()))));
                    cells.add(row);
                });
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : cells) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        out.println("  " + pad(header, w));
        cells.forEach(r -> out.println("  " + pad(r, w)));
    }

    private static String pad(List<String> row, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
            sb.append(String.format("%" + (i == 0 ? "-" : "") + w[i] + "s", row.get(i)));
            if (i < row.size() - 1) {
                sb.append("  ");
            }
        }
        return sb.toString();
    }

    private List<ExperimentState> completed() {
        return state.experiments().values().stream()
                .filter(x -> x.status() == ExperimentStatus.COMPLETED)
                .filter(x -> spec.objectives().stream()
                        .allMatch(o -> x.measurements().containsKey(o.name())))
                .toList();
    }

    private boolean feasible(ExperimentState x) {
        Map<String, Double> values = new LinkedHashMap<>();
        x.measurements().values().forEach(m -> values.put(m.name(), m.value()));
        return spec.feasible(values);
    }

    /** Experiments no other experiment beats on every objective. */
    private List<ExperimentState> paretoFront(List<ExperimentState> xs) {
        double[][] values = new double[xs.size()][];
        for (int i = 0; i < xs.size(); i++) {
            ExperimentState x = xs.get(i);
            values[i] = spec.objectives().stream().mapToDouble(o -> value(x, o)).toArray();
        }
        List<ExperimentState> front = new ArrayList<>();
        for (int i : Pareto.nonDominated(values, Pareto.minimise(spec.objectives()))) {
            front.add(xs.get(i));
        }
        return front;
    }

    private String conditions(ExperimentState x) {
        List<String> parts = new ArrayList<>();
        for (Parameter p : spec.space().parameters()) {
            parts.add(p.name() + "=" + text(x.parameters().get(p.name())) + unit(p.unit()));
        }
        return String.join(", ", parts);
    }

    private static double value(ExperimentState x, Objective o) {
        Map<String, Measurement> m = x.measurements();
        return m.get(o.name()).value();
    }

    private static String unit(String u) {
        return u == null || u.isEmpty() ? "" : " " + u;
    }

    private static String text(Object v) {
        return v instanceof Double d ? num(d) : String.valueOf(v);
    }

    /**
     * A number for people: one decimal from 100 up, three from 1 up, four significant digits below (so results of a
     * few hundredths that differ in the third digit still look different), without trailing zeros (120, 90, 0.5,
     * 11561.4, 0.02078).
     */
    static String num(double v) {
        double a = Math.abs(v);
        String format =
                a != 0 && (a >= 1e6 || a < 1e-3) ? "%.4g" : a >= 100 ? "%.1f" : a >= 1 || a == 0 ? "%.3f" : "%.4g";
        String text = String.format(Locale.ROOT, format, v);
        if (text.contains("e")) {
            return text;
        }
        String trimmed = text.replaceAll("0+$", "").replaceAll("\\.$", "");
        return trimmed.equals("-0") ? "0" : trimmed;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
