package org.labloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.campaign.Measurement;
import org.labloop.campaign.StepRecord;
import org.labloop.event.Event;
import org.labloop.event.EventCodec;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Objective;
import org.labloop.space.Parameter;
import org.labloop.workcell.DeviceSpec;

/**
 * Turns read models into the API's JSON shapes (plain maps and lists, snake_case keys, engine-clock ISO instants).
 * Every method runs under the view's read lock and copies what it returns.
 */
final class Views {
    private Views() {}

    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The API's status word: the log's status, or interrupted/failed for a running campaign no engine drives. */
    static String status(CampaignView v, CampaignState s) {
        if (v.altered() != null) {
            return "altered";
        }
        CampaignStatus st = s.status();
        // A paused campaign stays "paused" without an engine: that is what a person must act on.
        if (!v.live() && !v.elsewhere() && st == CampaignStatus.RUNNING) {
            return v.error() != null ? "failed" : "interrupted";
        }
        return st.name().toLowerCase(Locale.ROOT);
    }

    static Map<String, Object> summary(CampaignView v, CampaignState s) {
        if (v.altered() != null) {
            return obj("id", v.id(), "status", status(v, s), "live", false, "error", v.altered());
        }
        CampaignSpec spec = v.spec();
        long completed = s.count(ExperimentStatus.COMPLETED);
        long failed = s.count(ExperimentStatus.FAILED);
        long running = s.count(ExperimentStatus.RUNNING);
        long proposed = s.count(ExperimentStatus.PROPOSED);
        Integer budget = spec == null ? null : spec.budget();
        Map<String, Object> m = obj(
                "id", s.id(),
                "name", s.name(),
                "description", spec == null ? "" : spec.description(),
                "status", status(v, s),
                "live", v.live() && !s.status().finished(),
                "run_elsewhere", v.elsewhere(),
                "paused_immediately", s.pausedImmediately(),
                "paused_by", s.status() == CampaignStatus.PAUSED ? s.pausedBy() : null,
                "budget", budget,
                "batch_size", spec == null ? null : spec.batchSize(),
                "planner", spec == null ? null : spec.planner().type(),
                "workcell", spec == null ? null : spec.workcell().name(),
                "experiments",
                        obj(
                                "total", s.experiments().size(),
                                "proposed", proposed,
                                "running", running,
                                "completed", completed,
                                "failed", failed),
                // A completed campaign is done whatever part of its budget it used (its goal met, its space exhausted).
                "progress",
                        s.status() == CampaignStatus.COMPLETED
                                ? 1.0
                                : budget == null || budget == 0
                                        ? 0.0
                                        : Math.min(1.0, (completed + failed) / (double) budget),
                "created_at", s.createdAt(),
                "started_at", s.startedAt(),
                "last_event_at", s.lastEventAt(),
                "ended_at", s.endedAt(),
                "end_reason", s.endReason(),
                "elapsed_minutes", minutesBetween(s.createdAt(), s.lastEventAt()),
                "time_mode", v.timeMode(s),
                "last_seq", s.lastSeq(),
                "error", v.error());
        if (spec != null) {
            m.put("objectives", spec.objectives().stream().map(Views::objective).toList());
            m.put(
                    "constraints",
                    spec.constraints().stream().map(Object::toString).toList());
            m.put("best", best(spec, s));
            m.put("approval", approval(spec, s));
        }
        return m;
    }

    /** How many signatures the campaign's file asks for before it runs, who signed, and how many are missing. */
    static Map<String, Object> approval(CampaignSpec spec, CampaignState s) {
        return obj(
                "signatures_needed", spec.signaturesNeeded(),
                "missing", org.labloop.campaign.Approval.missing(spec, s),
                "signatures",
                        s.signatures().stream()
                                .map(g -> obj(
                                        "signer", g.signer(),
                                        "role", g.role(),
                                        "meaning", g.meaning(),
                                        "signed_at", g.signedAt(),
                                        "seq", g.seq()))
                                .toList());
    }

    static Map<String, Object> detail(CampaignView v, CampaignState s) {
        Map<String, Object> m = summary(v, s);
        CampaignSpec spec = v.spec();
        m.put("seed", s.seed());
        m.put("software_version", s.softwareVersion());
        m.put(
                "open_requests",
                s.openRequests().values().stream()
                        .map(r -> obj(
                                "id", r.id(),
                                "experiment", r.experimentId(),
                                "step", r.step(),
                                "message", r.message(),
                                "at", r.at()))
                        .toList());
        m.put(
                "sources",
                s.sources().stream()
                        .map(src -> obj("role", src.role(), "path", src.path(), "sha256", src.sha256()))
                        .toList());
        if (spec != null) {
            m.put(
                    "parameters",
                    spec.space().parameters().stream().map(Views::parameter).toList());
            m.put(
                    "devices",
                    spec.workcell().devices().stream()
                            .map(d -> obj(
                                    "name", d.name(),
                                    "kind", d.kind().name().toLowerCase(Locale.ROOT),
                                    "capabilities", List.copyOf(new java.util.TreeSet<>(d.capabilities())),
                                    "capacity", d.capacity(),
                                    "changeover_min", d.changeover().toMillis() / 60_000.0))
                            .toList());
            m.put(
                    "protocol",
                    obj(
                            "name",
                            spec.protocol().name(),
                            "steps",
                            spec.protocol().steps().stream()
                                    .map(st -> obj("name", st.name(), "capability", st.capability()))
                                    .toList()));
        }
        return m;
    }

    static Map<String, Object> objective(Objective o) {
        return obj(
                "name", o.name(),
                "direction", o.direction().name().toLowerCase(Locale.ROOT),
                "unit", o.unit(),
                "target", o.target().isPresent() ? o.target().getAsDouble() : null,
                "threshold", o.threshold().isPresent() ? o.threshold().getAsDouble() : null);
    }

    static Map<String, Object> parameter(Parameter p) {
        Map<String, Object> m = obj("name", p.name(), "unit", p.unit());
        switch (p) {
            case ContinuousParameter c -> {
                m.put("type", "continuous");
                m.put("min", c.bound().min());
                m.put("max", c.bound().max());
            }
            case DiscreteParameter d -> {
                m.put("type", "discrete");
                m.put("values", d.values());
            }
            case CategoricalParameter c -> {
                m.put("type", "categorical");
                m.put("choices", c.choices());
            }
            case MoleculeParameter mp -> {
                m.put("type", "molecule");
                m.put(
                        "choices",
                        mp.choices().stream()
                                .map(c -> obj("name", c.name(), "smiles", c.smiles()))
                                .toList());
            }
        }
        return m;
    }

    /**
     * The best measured value of each objective so far, and which experiment gave it; under outcome constraints, among
     * the experiments that satisfy them.
     */
    static Map<String, Object> best(CampaignSpec spec, CampaignState s) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Objective o : spec.objectives()) {
            ExperimentState bestX = null;
            double bestV = 0;
            for (ExperimentState x : s.experiments().values()) {
                Measurement m = x.measurements().get(o.name());
                if (x.status() == ExperimentStatus.COMPLETED && m != null && feasible(spec, x)) {
                    if (bestX == null || o.direction().better(m.value(), bestV)) {
                        bestX = x;
                        bestV = m.value();
                    }
                }
            }
            out.put(o.name(), bestX == null ? null : obj("value", bestV, "experiment", bestX.id()));
        }
        return out;
    }

    private static boolean feasible(CampaignSpec spec, ExperimentState x) {
        if (spec.constraints().isEmpty()) {
            return true;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        x.measurements().values().forEach(m -> values.put(m.name(), m.value()));
        return spec.feasible(values);
    }

    /**
     * One experiment as the API lists it; {@code feasible} says whether a completed experiment meets the campaign's
     * outcome constraints (null without constraints, for an unfinished experiment, or when the files are not loaded).
     */
    static Map<String, Object> experiment(CampaignSpec spec, CampaignState s, ExperimentState x) {
        Map<String, Object> m = experiment(s, x);
        if (spec != null) {
            // In the order the campaign file declares them, as the exports give them.
            Map<String, Object> ordered = new LinkedHashMap<>();
            spec.space().names().forEach(n -> {
                if (x.parameters().containsKey(n)) {
                    ordered.put(n, x.parameters().get(n));
                }
            });
            x.parameters().forEach(ordered::putIfAbsent);
            m.put("parameters", ordered);
        }
        boolean judged = spec != null && !spec.constraints().isEmpty() && x.status() == ExperimentStatus.COMPLETED;
        m.put("feasible", judged ? feasible(spec, x) : null);
        return m;
    }

    static Map<String, Object> experiment(CampaignState s, ExperimentState x) {
        Map<String, Object> measurements = new LinkedHashMap<>();
        x.measurements().values().forEach(m -> measurements.put(m.name(), measurement(m)));
        return obj(
                "id", x.id(),
                "index", x.index(),
                "status", x.status().name().toLowerCase(Locale.ROOT),
                "parameters", new LinkedHashMap<>(x.parameters()),
                "measurements", measurements,
                "planner", x.planner(),
                "rationale", x.rationale(),
                "proposed_at", x.proposedAt(),
                "ended_at", x.endedAt(),
                "failure", x.failure(),
                "steps", x.steps().stream().map(st -> step(s, x, st)).toList());
    }

    /** An experiment with everything needed to trust its numbers: who proposed it, why, where it ran, its events. */
    static Map<String, Object> provenance(CampaignView v, CampaignState s, ExperimentState x) {
        Map<String, Object> m = experiment(v.spec(), s, x);
        m.put("planner_version", x.plannerVersion());
        m.put("planner_details", new LinkedHashMap<>(x.details()));
        m.put("campaign", s.id());
        m.put("time_mode", v.timeMode(s));
        m.put("seed", s.seed());
        m.put("software_version", s.softwareVersion());
        m.put(
                "sources",
                s.sources().stream()
                        .map(src -> obj("role", src.role(), "sha256", src.sha256()))
                        .toList());
        m.put(
                "events",
                v.events(0, Integer.MAX_VALUE, e -> x.id().equals(experimentOf(e))).stream()
                        .map(p -> event(p.event()))
                        .toList());
        return m;
    }

    static Map<String, Object> measurement(Measurement m) {
        return obj(
                "name", m.name(),
                "value", m.value(),
                "unit", m.unit(),
                "device", m.device(),
                "step", m.step(),
                "method", m.method(),
                "at", m.at());
    }

    static Map<String, Object> step(CampaignState s, ExperimentState x, StepRecord st) {
        return obj(
                "experiment", x.id(),
                "step", st.step(),
                "name", st.name(),
                "capability", st.capability(),
                "device", st.device(),
                "position", st.position(),
                "status", st.status(),
                "started_at", st.startedAt(),
                "ended_at", st.endedAt(),
                "start_min", minutesBetween(s.createdAt(), st.startedAt()),
                "end_min", st.endedAt() == null ? null : minutesBetween(s.createdAt(), st.endedAt()),
                // The device's changeover comes first in the step's time: a Gantt bar can show it apart.
                "changeover_min", st.changeoverMillis() == null ? null : st.changeoverMillis() / 60_000.0,
                "failure", st.failure(),
                "outputs", new LinkedHashMap<>(st.outputs()));
    }

    /** Each device of the campaign's workcell with what it is doing now and what it has done. */
    static List<Map<String, Object>> devices(CampaignView v, CampaignState s) {
        CampaignSpec spec = v.spec();
        if (spec == null) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        // Driven here or by another process whose log this server follows.
        boolean active = (v.live() || v.elsewhere()) && !s.status().finished();
        for (DeviceSpec d : spec.workcell().devices()) {
            List<Map<String, Object>> current = new ArrayList<>();
            int done = 0;
            int failed = 0;
            double busyMinutes = 0;
            for (ExperimentState x : s.experiments().values()) {
                for (StepRecord st : x.steps()) {
                    if (!st.device().equals(d.name())) {
                        continue;
                    }
                    if (st.endedAt() == null) {
                        current.add(obj(
                                "experiment",
                                x.id(),
                                "step",
                                st.name(),
                                "position",
                                st.position(),
                                "since",
                                st.startedAt()));
                    } else {
                        busyMinutes += minutesBetween(st.startedAt(), st.endedAt());
                        if ("completed".equals(st.status())) {
                            done++;
                        } else {
                            failed++;
                        }
                    }
                }
            }
            double span = minutesBetween(s.startedAt() == null ? s.createdAt() : s.startedAt(), s.lastEventAt());
            String state = !active ? "offline" : current.isEmpty() ? "idle" : "busy";
            out.add(obj(
                    "name",
                    d.name(),
                    "kind",
                    d.kind().name().toLowerCase(Locale.ROOT),
                    "capabilities",
                    List.copyOf(new java.util.TreeSet<>(d.capabilities())),
                    "capacity",
                    d.capacity(),
                    "driver",
                    d.driver().type(),
                    "state",
                    state,
                    "in_use",
                    current.size(),
                    "current",
                    current,
                    "steps_completed",
                    done,
                    "steps_failed",
                    failed,
                    "busy_minutes",
                    busyMinutes,
                    "utilization",
                    span <= 0 ? 0.0 : Math.min(1.0, busyMinutes / (span * d.capacity()))));
        }
        return out;
    }

    static Map<String, Object> event(Event e) {
        JsonNode body = EventCodec.mapper().valueToTree(e.body());
        return obj(
                "seq", e.seq(),
                "at", e.at().toString(),
                "actor", e.actor(),
                "type", e.body().typeName(),
                "body", body,
                "prev_hash", e.prevHash(),
                "hash", e.hash());
    }

    /** The experiment an event is about, or null for campaign-level events. */
    static String experimentOf(Event e) {
        return switch (e.body()) {
            case org.labloop.event.EventBody.ExperimentProposed p -> p.experimentId();
            case org.labloop.event.EventBody.StepStarted p -> p.experimentId();
            case org.labloop.event.EventBody.StepCompleted p -> p.experimentId();
            case org.labloop.event.EventBody.StepFailed p -> p.experimentId();
            case org.labloop.event.EventBody.MeasurementRecorded p -> p.experimentId();
            case org.labloop.event.EventBody.ExperimentCompleted p -> p.experimentId();
            case org.labloop.event.EventBody.ExperimentFailed p -> p.experimentId();
            default -> null;
        };
    }

    static double minutesBetween(String from, String to) {
        if (from == null || to == null) {
            return 0;
        }
        return Duration.between(Instant.parse(from), Instant.parse(to)).toMillis() / 60_000.0;
    }
}
