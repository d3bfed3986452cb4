package org.labloop.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.campaign.Measurement;
import org.labloop.campaign.StepRecord;
import org.labloop.event.EventCodec;
import org.labloop.event.EventLogException;
import org.labloop.space.MoleculeParameter;

/**
 * A campaign's dataset: one row per experiment with its parameters, outcomes, status and provenance (which device ran
 * each step, in which position for a step a multi-position device can run, and when, which planner proposed it, the seed, the software version). Built from the campaign's
 * projection, so it always agrees with the event log. A campaign with outcome constraints gets a {@code feasible}
 * column: true when a completed experiment meets every constraint, false when it does not, empty until it completes.
 * A protocol with time windows gets a {@code time_windows} column saying whether the experiment kept them.
 */
public final class Dataset {
    private final CampaignState state;
    private final List<String> parameters;
    private final List<String> outcomes;
    private final List<String> steps;
    /** Steps that a device with several positions can run: they get a position column. */
    private final Set<String> positioned;

    private final CampaignSpec spec;
    /** The names of the numbers planners recorded with their proposals (predicted mean, sd, ...), over every row. */
    private final List<String> detailNames;

    /** Molecule parameters, whose rows also give the chosen molecule's SMILES (column NAME_smiles). */
    private final List<MoleculeParameter> molecules;

    /** When the campaign's events were really written (wall clock), if the log keeps it; null otherwise. */
    private final Recording recording;

    /**
     * When a campaign's events were written on the wall clock, outside the hash chain (a simulated campaign's events
     * carry virtual times): the first and last, and each action a person took.
     */
    public record Recording(java.time.Instant from, java.time.Instant to, List<Action> actions) {
        public Recording {
            if ((from == null) != (to == null)) {
                throw new IllegalArgumentException("a recorded span needs both ends, or neither");
            }
            actions = List.copyOf(actions);
        }
    }

    /** An event a person caused: its seq, type, actor, its (possibly virtual) time and when it was really written. */
    public record Action(long seq, String type, String actor, String at, java.time.Instant recordedAt) {}

    private Dataset(
            CampaignState state,
            List<String> parameters,
            List<String> outcomes,
            List<String> steps,
            CampaignSpec spec,
            Recording recording) {
        this.recording = recording;
        this.state = state;
        this.parameters = parameters;
        this.outcomes = outcomes;
        this.steps = steps;
        this.spec = spec;
        Set<String> details = new TreeSet<>();
        state.experiments().values().forEach(x -> details.addAll(x.details().keySet()));
        this.detailNames = List.copyOf(details);
        this.molecules = spec.space().parameters().stream()
                .filter(p -> p instanceof MoleculeParameter)
                .map(p -> (MoleculeParameter) p)
                .filter(m -> !parameters.contains(smilesColumn(m)))
                .toList();
        this.positioned = spec.protocol().steps().stream()
                .filter(st ->
                        spec.workcell().devicesFor(st.capability()).stream().anyMatch(d -> d.capacity() > 1))
                .map(org.labloop.protocol.StepSpec::name)
                .collect(java.util.stream.Collectors.toSet());
    }

    /**
     * The dataset of {@code state}, with parameter and outcome columns in the campaign's declared order ({@code spec});
     * anything measured that the campaign did not declare follows in name order.
     */
    public static Dataset of(CampaignState state, CampaignSpec spec) {
        Set<String> params = new LinkedHashSet<>(spec.space().names());
        Set<String> outs = new LinkedHashSet<>();
        outs.addAll(spec.outcomes());
        Set<String> extraParams = new TreeSet<>();
        Set<String> extraOuts = new TreeSet<>();
        Set<String> steps = new LinkedHashSet<>();
        spec.protocol().steps().forEach(s -> steps.add(s.name()));
        for (ExperimentState x : state.experiments().values()) {
            extraParams.addAll(x.parameters().keySet());
            extraOuts.addAll(x.measurements().keySet());
        }
        params.addAll(extraParams);
        outs.addAll(extraOuts);
        return new Dataset(state, List.copyOf(params), List.copyOf(outs), List.copyOf(steps), spec, null);
    }

    /** The same dataset, its JSON also saying when the events were really written (null: nothing to say). */
    public Dataset withRecording(Recording r) {
        return new Dataset(state, parameters, outcomes, steps, spec, r);
    }

    public int rows() {
        return state.experiments().size();
    }

    public List<String> header() {
        List<String> h = new ArrayList<>(List.of("campaign_id", "experiment_id", "index", "status"));
        h.addAll(parameters);
        molecules.forEach(m -> h.add(smilesColumn(m)));
        h.addAll(outcomes);
        if (!spec.constraints().isEmpty()) {
            h.add("feasible");
        }
        h.addAll(List.of("planner", "planner_version", "rationale"));
        detailNames.forEach(k -> h.add("planner_" + k));
        h.addAll(List.of("seed", "software_version", "proposed_at_min", "ended_at_min", "failure", "failed_attempts"));
        if (windowed()) {
            h.add("time_windows");
        }
        for (String s : steps) {
            h.add(s + "_device");
            if (positioned.contains(s)) {
                h.add(s + "_position");
            }
            h.add(s + "_start_min");
            h.add(s + "_end_min");
        }
        return h;
    }

    /** Rows as text cells, in header order. */
    public List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        for (ExperimentState x : state.experiments().values()) {
            List<String> row = new ArrayList<>();
            row.add(state.id());
            row.add(x.id());
            row.add(Integer.toString(x.index()));
            row.add(x.status().name().toLowerCase(Locale.ROOT));
            for (String p : parameters) {
                row.add(text(x.parameters().get(p)));
            }
            for (MoleculeParameter m : molecules) {
                row.add(smiles(m, x.parameters().get(m.name())));
            }
            for (String o : outcomes) {
                Measurement m = x.measurements().get(o);
                row.add(m == null ? "" : text(m.value()));
            }
            if (!spec.constraints().isEmpty()) {
                Boolean f = feasible(x);
                row.add(f == null ? "" : f.toString());
            }
            row.add(x.planner());
            row.add(x.plannerVersion());
            row.add(x.rationale());
            for (String k : detailNames) {
                Double d = x.details().get(k);
                row.add(d == null ? "" : text(d));
            }
            row.add(Long.toString(state.seed()));
            row.add(state.softwareVersion());
            row.add(minutes(x.proposedAt()));
            row.add(minutes(x.endedAt()));
            row.add(x.failure() == null ? "" : x.failure());
            row.add(Long.toString(
                    x.steps().stream().filter(r -> "failed".equals(r.status())).count()));
            if (windowed()) {
                row.add(windows(x));
            }
            Map<String, StepRecord> last = lastAttempts(x);
            for (String s : steps) {
                StepRecord r = last.get(s);
                row.add(r == null ? "" : r.device());
                if (positioned.contains(s)) {
                    row.add(r == null || r.position() == null ? "" : Integer.toString(r.position()));
                }
                row.add(r == null ? "" : minutes(r.startedAt()));
                row.add(r == null ? "" : minutes(r.endedAt()));
            }
            out.add(row);
        }
        return out;
    }

    /** Whether a completed experiment meets every constraint; null before it completes or when it failed. */
    private Boolean feasible(ExperimentState x) {
        if (x.status() != ExperimentStatus.COMPLETED) {
            return null;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        x.measurements().values().forEach(m -> values.put(m.name(), m.value()));
        return spec.feasible(values);
    }

    /** Whether the protocol gives any step a time window. */
    private boolean windowed() {
        return spec.protocol().steps().stream().anyMatch(st -> st.window().isPresent());
    }

    /**
     * Whether the experiment's steps kept their time windows, from the recorded times of the steps' last attempts:
     * "kept", "missed: ..." naming each window missed and by how much, or empty before any windowed step started. A
     * step retried after a failure, or held by an operator request, can start after its window has closed; its
     * result is recorded as measured, and this says that the sample waited longer than the protocol allows. On the
     * wall clock a second of slack is allowed for the time it takes to start a step.
     */
    public String windows(ExperimentState x) {
        Map<String, StepRecord> last = lastAttempts(x);
        long slackMs = "virtual".equals(state.timeMode()) ? 0 : 1000;
        List<String> missed = new ArrayList<>();
        boolean any = false;
        List<org.labloop.protocol.StepSpec> protocol = spec.protocol().steps();
        for (int k = 0; k < protocol.size(); k++) {
            org.labloop.protocol.StepSpec step = protocol.get(k);
            if (step.window().isEmpty()) {
                continue;
            }
            org.labloop.protocol.TimeWindow w = step.window().get();
            String after =
                    w.after() != null ? w.after() : k > 0 ? protocol.get(k - 1).name() : null;
            StepRecord before = after == null ? null : last.get(after);
            StepRecord r = last.get(step.name());
            if (before == null || before.endedAt() == null || r == null || r.startedAt() == null) {
                continue;
            }
            any = true;
            long work = Instant.parse(r.startedAt()).toEpochMilli()
                    + (r.changeoverMillis() == null ? 0 : r.changeoverMillis());
            long gap = work - Instant.parse(before.endedAt()).toEpochMilli();
            long min = Math.round(w.minMinutes() * 60_000);
            boolean open = Double.isInfinite(w.maxMinutes());
            long max = open ? Long.MAX_VALUE : Math.round(w.maxMinutes() * 60_000);
            if (gap < min - slackMs || (!open && gap > max + slackMs)) {
                missed.add(String.format(
                        Locale.ROOT,
                        "%s %.1f min after %s (window %s to %s min)",
                        step.name(),
                        gap / 60_000.0,
                        after,
                        text(w.minMinutes()),
                        open ? "any" : text(w.maxMinutes())));
            }
        }
        if (!any) {
            return "";
        }
        return missed.isEmpty() ? "kept" : "missed: " + String.join("; ", missed);
    }

    /** How many experiments missed a time window of the protocol. */
    public long windowsMissed() {
        return state.experiments().values().stream()
                .filter(x -> windows(x).startsWith("missed"))
                .count();
    }

    private static Map<String, StepRecord> lastAttempts(ExperimentState x) {
        Map<String, StepRecord> last = new LinkedHashMap<>();
        x.steps().forEach(s -> last.put(s.name(), s));
        return last;
    }

    /** Minutes from the campaign's creation to {@code iso}, or empty. */
    private String minutes(String iso) {
        if (iso == null) {
            return "";
        }
        Duration d = Duration.between(Instant.parse(state.createdAt()), Instant.parse(iso));
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 60_000.0);
    }

    private static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : Double.toString(d);
        }
        return v.toString();
    }

    public String toCsv() {
        StringBuilder sb = new StringBuilder();
        appendCsvRow(sb, header());
        for (List<String> row : cells()) {
            appendCsvRow(sb, row);
        }
        return sb.toString();
    }

    private static void appendCsvRow(StringBuilder sb, List<String> row) {
        for (int i = 0; i < row.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = spreadsheetSafe(row.get(i));
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        sb.append('\n');
    }

    /**
     * A text cell that a spreadsheet would run as a formula (it starts with {@code = + - @}, a tab or a carriage
     * return) gets a leading {@code '}, as OWASP advises against CSV injection: a choice name or a driver's failure
     * message must not become a formula on the machine of whoever opens the export. Numbers, negative ones included,
     * are left as they are; the JSON export keeps every text exactly.
     */
    static String spreadsheetSafe(String cell) {
        if (cell.isEmpty() || "=+-@\t\r".indexOf(cell.charAt(0)) < 0 || isNumber(cell)) {
            return cell;
        }
        return "'" + cell;
    }

    private static boolean isNumber(String cell) {
        try {
            Double.parseDouble(cell);
            // parseDouble also takes Java suffixes and hex ("1d", "0x1p3"), which no cell of ours is written as.
            return cell.chars().allMatch(ch -> Character.isDigit(ch) || "+-.eE".indexOf(ch) >= 0)
                    || cell.equals("-Infinity")
                    || cell.equals("+Infinity");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String smilesColumn(MoleculeParameter m) {
        return m.name() + "_smiles";
    }

    /** The SMILES of the chosen molecule; empty when the value is missing or no longer a choice. */
    private static String smiles(MoleculeParameter m, Object choice) {
        return m.choices().stream()
                .filter(c -> c.name().equals(choice))
                .map(MoleculeParameter.Molecule::smiles)
                .findFirst()
                .orElse("");
    }

    /** The dataset as JSON: campaign provenance and one object per experiment with its steps and measurements. */
    public String toJson() {
        ObjectNode root = EventCodec.mapper().createObjectNode();
        root.put("campaign_id", state.id());
        root.put("campaign", state.name());
        root.put("seed", state.seed());
        root.put("software_version", state.softwareVersion());
        root.put("status", state.status().name().toLowerCase(Locale.ROOT));
        root.put("time_mode", state.timeMode());
        root.put("created_at", state.createdAt());
        root.put("first_event_hash", state.firstHash());
        if (recording != null) {
            if (recording.from() != null) {
                root.put("recorded_from", recording.from().toString());
                root.put("recorded_to", recording.to().toString());
            }
            ArrayNode actions = root.putArray("operator_actions");
            recording
                    .actions()
                    .forEach(a -> actions.addObject()
                            .put("seq", a.seq())
                            .put("type", a.type())
                            .put("actor", a.actor())
                            .put("at", a.at())
                            .put(
                                    "recorded_at",
                                    a.recordedAt() == null
                                            ? null
                                            : a.recordedAt().toString()));
        }
        root.put("last_event_seq", state.lastSeq());
        root.put("last_event_hash", state.lastHash());
        ObjectNode units = root.putObject("units");
        spec.space().parameters().forEach(p -> units.put(p.name(), p.unit() == null ? "" : p.unit()));
        spec.objectives().forEach(o -> units.put(o.name(), o.unit() == null ? "" : o.unit()));
        ArrayNode sources = root.putArray("sources");
        state.sources()
                .forEach(s -> sources.addObject()
                        .put("role", s.role())
                        .put("path", s.path())
                        .put("sha256", s.sha256()));
        if (spec.signaturesNeeded() > 0 || !state.signatures().isEmpty()) {
            ObjectNode approval = root.putObject("approval");
            approval.put("signatures_needed", spec.signaturesNeeded());
            ArrayNode signatures = approval.putArray("signatures");
            state.signatures()
                    .forEach(g -> signatures
                            .addObject()
                            .put("signer", g.signer())
                            .put("role", g.role())
                            .put("meaning", g.meaning())
                            .put("signed_at", g.signedAt())
                            .put("seq", g.seq()));
        }
        if (!spec.constraints().isEmpty()) {
            ArrayNode constraints = root.putArray("constraints");
            spec.constraints().forEach(c -> constraints.add(c.toString()));
        }
        ArrayNode rows = root.putArray("experiments");
        for (ExperimentState x : state.experiments().values()) {
            ObjectNode r = rows.addObject();
            r.put("experiment_id", x.id());
            r.put("index", x.index());
            r.put("status", x.status().name().toLowerCase(Locale.ROOT));
            ObjectNode params = r.putObject("parameters");
            for (String p : parameters) {
                if (x.parameters().containsKey(p)) {
                    params.set(p, EventCodec.mapper().valueToTree(x.parameters().get(p)));
                }
            }
            if (!molecules.isEmpty()) {
                ObjectNode smiles = r.putObject("smiles");
                molecules.forEach(mp ->
                        smiles.put(mp.name(), smiles(mp, x.parameters().get(mp.name()))));
            }
            ObjectNode m = r.putObject("outcomes");
            outcomes.stream()
                    .map(o -> x.measurements().get(o))
                    .filter(java.util.Objects::nonNull)
                    .forEach(v -> m.put(v.name(), v.value()));
            Boolean feasible = spec.constraints().isEmpty() ? null : feasible(x);
            if (feasible != null) {
                r.put("feasible", feasible);
            }
            ObjectNode prov = r.putObject("provenance");
            prov.put("planner", x.planner());
            prov.put("planner_version", x.plannerVersion());
            prov.put("rationale", x.rationale());
            prov.set("planner_details", EventCodec.mapper().valueToTree(x.details()));
            prov.put("proposed_at", x.proposedAt());
            prov.put("ended_at", x.endedAt());
            if (x.failure() != null) {
                prov.put("failure", x.failure());
            }
            if (windowed()) {
                prov.put("time_windows", windows(x));
            }
            ArrayNode mp = prov.putArray("measurements");
            x.measurements().values().stream()
                    .sorted(java.util.Comparator.comparing(Measurement::name))
                    .forEach(v -> mp.addObject()
                            .put("name", v.name())
                            .put("value", v.value())
                            .put("unit", v.unit())
                            .put("device", v.device())
                            .put("step", v.step())
                            .put("method", v.method())
                            .put("at", v.at()));
            ArrayNode st = prov.putArray("steps");
            x.steps().forEach(s -> {
                ObjectNode o = st.addObject()
                        .put("step", s.step())
                        .put("name", s.name())
                        .put("capability", s.capability())
                        .put("device", s.device());
                if (s.position() != null) {
                    o.put("position", s.position());
                }
                o.put("status", s.status())
                        .put("started_at", s.startedAt())
                        .put("ended_at", s.endedAt())
                        .put("idempotency_key", s.idempotencyKey());
                if (s.failure() != null) {
                    o.put("failure", s.failure());
                }
                if (s.changeoverMillis() != null) {
                    o.put("changeover_min", s.changeoverMillis() / 60_000.0);
                }
            });
        }
        try {
            return EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new EventLogException("cannot write dataset of " + state.id() + ": " + e.getOriginalMessage(), e);
        }
    }
}
