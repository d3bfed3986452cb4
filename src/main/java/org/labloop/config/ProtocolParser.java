package org.labloop.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.labloop.core.Suggest;
import org.labloop.protocol.Arg;
import org.labloop.protocol.FailurePolicy;
import org.labloop.protocol.Protocol;
import org.labloop.protocol.StepSpec;
import org.labloop.protocol.TimeWindow;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.SearchSpace;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.DurationRange;
import org.labloop.workcell.Workcell;

/**
 * Reads a protocol file (format: docs/protocol-file.md) and checks it against the workcell (every capability exists,
 * a timeout leaves time for the step, {@code then: other_device} has another device to go to) and the campaign (every
 * {@code $param} is a parameter).
 */
final class ProtocolParser {
    static final List<String> KEYS = List.of("protocol", "steps");
    static final List<String> STEP_KEYS = List.of(
            "name",
            "capability",
            "args",
            "duration",
            "measures",
            "within_min",
            "exactly_min",
            "after",
            "timeout",
            "retryable",
            "on_failure",
            "setup");
    static final List<String> ON_FAILURE_KEYS = List.of("retries", "backoff", "then");
    private static final Pattern REF = Pattern.compile("\\$(?:([A-Za-z_][A-Za-z0-9_]*)|\\{([A-Za-z_][A-Za-z0-9_]*)})");
    private static final String REF_HINT =
            "write $name or ${name} of a campaign parameter; start with $$ for text" + " that begins with a literal $";

    /**
     * What the protocol is checked against. {@code capabilities}: every capability of the workcell, or null when the
     * workcell could not be read. {@code parameters}: the campaign's parameters by name with their type
     * (continuous, discrete, categorical, molecule, or null when unreadable), or null when they could not be read.
     * {@code workcell} and {@code space}: the workcell and the campaign's search space, or null when they have problems
     * (the checks that need them are then skipped).
     */
    record Context(
            Set<String> capabilities,
            String workcellName,
            Map<String, String> parameters,
            Workcell workcell,
            SearchSpace space) {}

    private final Values v;
    private final Context ctx;

    private ProtocolParser(Values v, Context ctx) {
        this.v = v;
        this.ctx = ctx;
    }

    /** The protocol, or null when it has problems (added to {@code doc}). */
    static Protocol parse(Node root, Doc doc, Context ctx) {
        return new ProtocolParser(new Values(doc), ctx).read(root);
    }

    private Protocol read(Node root) {
        Node.MapNode map = v.map(root, "the protocol file");
        if (map == null) {
            return null;
        }
        int before = v.doc().errorCount();
        MapReader r = new MapReader(v, map, "the protocol file", map.at(), KEYS);
        Node.Entry nameEntry = r.required("protocol", "my-protocol");
        String name = nameEntry == null ? null : v.name(nameEntry.value(), "'protocol' (the protocol's name)");

        List<StepSpec> steps = new ArrayList<>();
        Node.Entry stepsEntry = r.required("steps", "[{name: analyse, capability: analyse, measures: true}]");
        if (stepsEntry != null) {
            Node.ListNode list = v.list(stepsEntry.value(), "'steps'");
            if (list != null && list.items().isEmpty()) {
                v.error(stepsEntry.keyAt(), "the protocol has no steps", "list the steps in order under 'steps:'");
            } else if (list != null) {
                Map<String, Node.Loc> names = new LinkedHashMap<>();
                boolean allRead = true;
                boolean measures = false;
                Step measuring = null;
                for (int i = 0; i < list.items().size(); i++) {
                    Step s = step(list.items().get(i), i + 1, names);
                    if (s == null) {
                        allRead = false;
                    } else {
                        measures |= s.measures;
                        if (s.measuresAt != null && measuring == null) {
                            measuring = s;
                        } else if (s.measuresAt != null) {
                            secondMeasuringStep(measuring, s);
                        }
                        if (s.spec != null) {
                            steps.add(s.spec);
                        }
                    }
                }
                if (allRead && !measures) {
                    v.error(
                            stepsEntry.keyAt(),
                            "no step measures anything",
                            "add 'measures: true' to the step whose outputs are the measurements (usually the"
                                    + " analysis)");
                }
            }
        }
        if (v.doc().errorCount() != before || name == null) {
            return null;
        }
        try {
            return new Protocol(name, steps);
        } catch (IllegalArgumentException | NullPointerException e) {
            v.error(map.at(), "invalid protocol: " + e.getMessage(), "fix the protocol file");
            return null;
        }
    }

    /**
     * A step as read: {@code spec} is null when it has problems; {@code measures} is known either way (true when it
     * could not be read); {@code measuresAt} is where {@code measures: true} was written, null unless it was.
     */
    private record Step(StepSpec spec, boolean measures, String what, Node.Loc measuresAt) {}

    /**
     * The engine records a measuring step's outputs only for outcomes not yet measured, so with two measuring steps the
     * first one's outputs become the measurements and the later step's readings are dropped without a word.
     */
    private void secondMeasuringStep(Step first, Step second) {
        v.unworkable(
                second.measuresAt,
                first.what + " (line " + first.measuresAt.line() + ") and " + second.what
                        + " both have 'measures: true', but an experiment's measurements come from one step: those"
                        + " of " + first.what + " would be recorded and the readings of " + second.what + " lost",
                "keep 'measures: true' on the one step whose outputs are the measurements (usually the analysis)"
                        + " and remove it from the other");
    }

    private Step step(Node item, int number, Map<String, Node.Loc> names) {
        String what = "step " + number;
        Node.MapNode map = v.map(item, what);
        if (map == null) {
            return null;
        }
        int before = v.doc().errorCount();
        Node.Entry nameEntry = map.entries().get("name");
        String name = null;
        if (nameEntry != null && nameEntry.value() instanceof Node.ScalarNode s && s.kind() != Node.Kind.NULL) {
            what = "step '" + s.text() + "'";
        }
        MapReader r = new MapReader(v, map, what, map.at(), STEP_KEYS);
        nameEntry = r.required("name", "react");
        if (nameEntry != null) {
            name = v.name(nameEntry.value(), "'name' of step " + number);
            if (name != null) {
                Node.Loc first = names.putIfAbsent(name, nameEntry.value().at());
                if (first != null) {
                    v.error(
                            nameEntry.value().at(),
                            "two steps are named '" + name + "' (the first on line " + first.line() + ")",
                            "give each step its own name");
                }
            }
        }

        String capability = null;
        Node.Entry capEntry = r.required("capability", "react");
        if (capEntry != null) {
            capability = v.name(capEntry.value(), "'capability' of " + what);
            if (capability != null
                    && ctx.capabilities() != null
                    && !ctx.capabilities().contains(capability)) {
                v.error(
                        capEntry.value().at(),
                        "no device of workcell '" + ctx.workcellName() + "' has capability '" + capability + "'",
                        Suggest.unknownName(capability, ctx.capabilities(), "the workcell's capabilities"));
            }
        }

        Map<String, Arg> args = new LinkedHashMap<>();
        Node.Entry argsEntry = r.optional("args");
        if (argsEntry != null) {
            Node.MapNode amap = v.map(argsEntry.value(), "'args' of " + what);
            if (amap != null) {
                for (Node.Entry a : amap.entries().values()) {
                    Arg arg = arg(a.value(), "argument '" + a.key() + "' of " + what);
                    if (arg != null) {
                        args.put(a.key(), arg);
                    }
                }
            }
        }

        Optional<Arg> duration = Optional.empty();
        Node.Entry durEntry = r.optional("duration");
        if (durEntry != null) {
            duration = Optional.ofNullable(duration(durEntry.value(), "'duration' of " + what));
            durationUnit(durEntry.value().at(), what, duration);
        }

        boolean measures = false;
        Node.Loc measuresAt = null;
        Node.Entry mEntry = r.optional("measures");
        if (mEntry != null) {
            Boolean b = v.bool(mEntry.value(), "'measures' of " + what);
            // When unreadable, assume it was meant to measure: "no step measures" would only repeat the problem.
            measures = b == null || b;
            measuresAt = Boolean.TRUE.equals(b) ? mEntry.keyAt() : null;
        }
        Optional<Arg> setup = Optional.empty();
        Node.Entry setupEntry = r.optional("setup");
        if (setupEntry != null) {
            setup = Optional.ofNullable(arg(setupEntry.value(), "'setup' of " + what));
        }
        Optional<TimeWindow> window = window(r, what, number, names, name);
        Optional<Duration> timeout = Optional.empty();
        Node.Entry toEntry = r.optional("timeout");
        if (toEntry != null) {
            Double minutes = v.number(toEntry.value(), "'timeout' of " + what + " (minutes)");
            if (minutes != null && !(minutes > 0 && minutes <= 1_000_000)) {
                v.error(
                        toEntry.value().at(),
                        "'timeout' of " + what + " must be more than 0 and at most 1000000" + " minutes, got "
                                + minutes,
                        "write the minutes to wait for the device, e.g. timeout: 30");
            } else if (minutes != null) {
                timeout = Optional.of(Duration.ofMillis(Math.round(minutes * 60_000)));
                // A duration written but unreadable is reported already; the devices' timings would not be the step's.
                if (capability != null && (durEntry == null || duration.isPresent())) {
                    timeoutLeavesTime(toEntry.value().at(), what, capability, timeout.get(), duration);
                }
            }
        }
        boolean retryable = true;
        Node.Entry reEntry = r.optional("retryable");
        if (reEntry != null) {
            Boolean b = v.bool(reEntry.value(), "'retryable' of " + what);
            retryable = b == null || b;
        }
        FailurePolicy onFailure = FailurePolicy.FAIL;
        Node.Entry ofEntry = r.optional("on_failure");
        if (ofEntry != null) {
            onFailure = onFailure(ofEntry, what, retryable, capability);
        }
        if (v.doc().errorCount() != before || name == null || capability == null || onFailure == null) {
            return new Step(null, measures, what, measuresAt);
        }
        try {
            return new Step(
                    new StepSpec(
                            name, capability, args, duration, measures, window, timeout, retryable, onFailure, setup),
                    measures,
                    what,
                    measuresAt);
        } catch (IllegalArgumentException | NullPointerException e) {
            v.error(map.at(), "invalid step: " + e.getMessage(), "fix " + what);
            return new Step(null, measures, what, measuresAt);
        }
    }

    /**
     * Refuses a timeout shorter than the least time the step can take on any device that can run it: every attempt
     * would be cancelled and fail. The least time is the one the scheduler and the window check plan with
     * ({@link DurationRange}: mean - 3 sd of the device's timing, or the step's own duration, plus setup_min). A
     * duration set by a parameter is taken from the parameter's range, as the window check does (it takes the upper
     * end, for the longest a step may last; here the lower end, for the shortest).
     */
    private void timeoutLeavesTime(
            Node.Loc at, String what, String capability, Duration timeout, Optional<Arg> duration) {
        Workcell cell = ctx.workcell();
        if (cell == null || cell.devicesFor(capability).isEmpty()) {
            return; // a capability no device has is reported on its own
        }
        OptionalLong shortestFixed = OptionalLong.empty();
        OptionalLong longestFixed = OptionalLong.empty();
        String basis;
        if (duration.isEmpty()) {
            // Only timings the workcell declares are evidence: a device without one is planned with a stand-in
            // minute, which says nothing about how long a real instrument takes.
            if (cell.devicesFor(capability).stream()
                    .anyMatch(d -> !d.driver().durations().containsKey(capability))) {
                return;
            }
            basis = "on any device that can " + capability + " (mean - 3 sd of its timing, plus its setup_min)";
        } else if (duration.get() instanceof Arg.Literal l && l.value() instanceof Double minutes) {
            shortestFixed = OptionalLong.of(Math.round(minutes * 60_000));
            longestFixed = shortestFixed;
            basis = "(its duration, plus any setup_min of the device)";
        } else if (duration.get() instanceof Arg.Ref ref) {
            double[] range = range(ref.parameter());
            if (range == null) {
                return; // the parameter is unreadable or not a number, which is reported on its own
            }
            shortestFixed = OptionalLong.of(Math.round(Math.max(0, range[0]) * 60_000));
            longestFixed = OptionalLong.of(Math.round(Math.max(0, range[1]) * 60_000));
            basis = "(its duration is $" + ref.parameter() + ", at least " + CampaignParser.fmt(Math.max(0, range[0]))
                    + " min, plus any setup_min of the device)";
        } else {
            return; // a duration is a number or a reference: nothing else gets this far
        }
        long shortestMs = DurationRange.of(cell, capability, shortestFixed).loMs();
        if (timeout.toMillis() >= shortestMs) {
            return;
        }
        long longestMs = DurationRange.of(cell, capability, longestFixed).hiMs();
        v.unworkable(
                at,
                "'timeout' of " + what + " is " + minutes(timeout.toMillis(), false) + " min, but the step takes at"
                        + " least " + minutes(shortestMs, false) + " min " + basis + ": every attempt would time out",
                "raise 'timeout' to at least " + minutes(longestMs, true) + ", the longest the step is planned to"
                        + " take, or remove it");
    }

    /** A numeric parameter's lowest and highest value; null when it is not one or the space could not be read. */
    private double[] range(String parameter) {
        SearchSpace space = ctx.space();
        if (space == null) {
            return null;
        }
        return switch (space.parameter(parameter).orElse(null)) {
            case ContinuousParameter c ->
                new double[] {c.bound().min(), c.bound().max()};
            case DiscreteParameter d ->
                new double[] {
                    d.values().stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    d.values().stream().mapToDouble(Double::doubleValue).max().orElse(0)
                };
            case null, default -> null;
        };
    }

    /** Milliseconds as minutes to 0.01, rounded down (a least time) or up (a time to allow). */
    private static String minutes(long ms, boolean up) {
        double hundredths = up ? Math.ceil(ms / 600.0) : Math.floor(ms / 600.0);
        return CampaignParser.fmt(hundredths / 100);
    }

    /** {@code on_failure: {retries: N, backoff: MINUTES, then: fail|other_device|pause}}; null when it has problems. */
    private FailurePolicy onFailure(Node.Entry entry, String what, boolean retryable, String capability) {
        String where = "'on_failure' of " + what;
        Node.MapNode map = v.map(entry.value(), where);
        if (map == null) {
            return null;
        }
        int before = v.doc().errorCount();
        MapReader r = new MapReader(v, map, where, map.at(), ON_FAILURE_KEYS);
        int retries = 0;
        Node.Entry re = r.optional("retries");
        if (re != null) {
            Integer n = v.integer(re.value(), "'retries' of " + where, 0, 100);
            retries = n == null ? 0 : n;
            if (n != null && n > 0 && !retryable) {
                v.error(
                        re.value().at(),
                        what + " is not retryable (retryable: false) but asks for " + n + " retries",
                        "a step that cannot run again on the same material may only fail or pause: remove retries");
            }
        }
        Duration backoff = Duration.ZERO;
        Node.Entry bo = r.optional("backoff");
        if (bo != null) {
            Double minutes = v.number(bo.value(), "'backoff' of " + where + " (minutes)");
            if (minutes != null && !(minutes >= 0 && minutes <= 1_000_000)) {
                v.error(
                        bo.value().at(),
                        "'backoff' of " + where + " must be from 0 to 1000000 minutes, got " + minutes,
                        "write the minutes to wait before the first retry, e.g. backoff: 1");
            } else if (minutes != null) {
                backoff = Duration.ofMillis(Math.round(minutes * 60_000));
            }
        }
        FailurePolicy.Then then = FailurePolicy.Then.FAIL;
        Node.Entry th = r.optional("then");
        if (th != null) {
            String text = v.name(th.value(), "'then' of " + where);
            if (text != null) {
                var parsed = FailurePolicy.Then.parse(text);
                if (parsed.isEmpty()) {
                    v.error(
                            th.value().at(),
                            "unknown 'then' '" + text + "' in " + where,
                            "use fail, other_device or pause");
                } else if (parsed.get() == FailurePolicy.Then.OTHER_DEVICE && !retryable) {
                    v.error(
                            th.value().at(),
                            what + " is not retryable (retryable: false), so it cannot move to another" + " device",
                            "use then: fail or then: pause");
                } else {
                    then = parsed.get();
                    if (then == FailurePolicy.Then.OTHER_DEVICE) {
                        onlyDevice(th.value().at(), what, capability);
                    }
                }
            }
        }
        if (v.doc().errorCount() != before) {
            return null;
        }
        return new FailurePolicy(retries, backoff, then);
    }

    /**
     * {@code then: other_device} where a single device has the capability: the engine finds no other device when the
     * step fails, so the experiment fails anyway, and only at run time. Skipped when the workcell has problems.
     */
    private void onlyDevice(Node.Loc at, String what, String capability) {
        if (ctx.workcell() == null || capability == null) {
            return;
        }
        List<DeviceSpec> able = ctx.workcell().devicesFor(capability);
        if (able.size() == 1) {
            v.unworkable(
                    at,
                    what + " moves to another device when it fails (then: other_device), but '"
                            + able.get(0).name() + "' is the only device of workcell '"
                            + ctx.workcell().name()
                            + "' that can " + capability,
                    "add a second device with capability '" + capability + "' to the workcell, or use then: fail or"
                            + " then: pause");
        }
    }

    /**
     * {@code within_min} (start at most this many minutes after) or {@code exactly_min} (start exactly this many
     * minutes after) the end of the step named by {@code after}, or of the step before.
     */
    private Optional<TimeWindow> window(
            MapReader r, String what, int number, Map<String, Node.Loc> names, String name) {
        Node.Entry within = r.optional("within_min");
        Node.Entry exactly = r.optional("exactly_min");
        Node.Entry after = r.optional("after");
        if (within == null && exactly == null) {
            if (after != null) {
                v.error(
                        after.keyAt(),
                        "'after' of " + what + " needs 'within_min' or 'exactly_min'",
                        "add 'within_min: N' (start at most N minutes after) or remove 'after'");
            }
            return Optional.empty();
        }
        if (within != null && exactly != null) {
            v.error(exactly.keyAt(), what + " has both 'within_min' and 'exactly_min'", "keep one of them");
            return Optional.empty();
        }
        Node.Entry e = within != null ? within : exactly;
        String key = within != null ? "within_min" : "exactly_min";
        if (name != null) {
            v.doc().place(LoadedCampaign.window(name), e.keyAt());
        }
        Double minutes = v.number(e.value(), "'" + key + "' of " + what);
        if (minutes == null) {
            return Optional.empty();
        }
        if (minutes < 0 || minutes > WorkcellParser.MAX_MINUTES) {
            v.error(
                    e.value().at(),
                    "'" + key + "' of " + what + " must be between 0 and " + (long) WorkcellParser.MAX_MINUTES
                            + " minutes, got " + minutes,
                    "windows are in minutes");
            return Optional.empty();
        }
        String ref = null;
        if (after != null) {
            ref = v.name(after.value(), "'after' of " + what);
            if (ref == null) {
                return Optional.empty();
            }
            // Earlier steps are those already read; this step registered itself last.
            List<String> earlier = new ArrayList<>(names.keySet());
            earlier.remove(name);
            if (!earlier.contains(ref)) {
                v.error(
                        after.value().at(),
                        "'after' of " + what + " names '" + ref + "', which is not an earlier step",
                        earlier.isEmpty()
                                ? "the first step has no earlier step"
                                : Suggest.unknownName(ref, earlier, "earlier steps"));
                return Optional.empty();
            }
        } else if (number == 1) {
            v.error(
                    e.keyAt(),
                    "the first step has no step before it to be timed from",
                    "remove '" + key + "' or move it to a later step");
            return Optional.empty();
        }
        return Optional.of(within != null ? new TimeWindow(ref, 0, minutes) : new TimeWindow(ref, minutes, minutes));
    }

    /** A literal (number, text, true/false) or a $parameter reference. */
    private Arg arg(Node n, String what) {
        if (!(n instanceof Node.ScalarNode s) || s.kind() == Node.Kind.NULL) {
            v.wrongType(n, what, "a single value (a number, text, true/false or $parameter)");
            return null;
        }
        return switch (s.kind()) {
            case INTEGER, DECIMAL -> {
                Double d = v.number(s, what);
                yield d == null ? null : new Arg.Literal(d);
            }
            case BOOLEAN -> new Arg.Literal(s.value());
            default -> textArg(s, what, false);
        };
    }

    private Arg textArg(Node.ScalarNode s, String what, boolean numeric) {
        String text = s.text();
        if (text.startsWith("$$")) {
            return new Arg.Literal(text.substring(1));
        }
        if (!text.startsWith("$")) {
            return new Arg.Literal(text);
        }
        Matcher m = REF.matcher(text);
        if (!m.matches()) {
            v.error(s.at(), "'" + text + "' in " + what + " is not a valid parameter reference", REF_HINT);
            return null;
        }
        String param = m.group(1) != null ? m.group(1) : m.group(2);
        Map<String, String> params = ctx.parameters();
        if (params != null) {
            if (!params.containsKey(param)) {
                v.error(
                        s.at(),
                        what + " refers to $" + param + ", which is not a parameter of the campaign",
                        Suggest.unknownName(param, params.keySet(), "campaign parameters"));
                return null;
            }
            String type = params.get(param);
            if (numeric && type != null && !type.equals("continuous") && !type.equals("discrete")) {
                v.error(
                        s.at(),
                        what + " must be a number of minutes, but $" + param + " is a " + type + " parameter",
                        "refer to a continuous or discrete parameter, or write a number");
                return null;
            }
        }
        return new Arg.Ref(param);
    }

    /**
     * A duration set by a parameter whose unit says it is not in minutes (hours, seconds) would run every step 60 times
     * too long or too short: units are labels, so nothing else would catch it.
     */
    private void durationUnit(Node.Loc at, String what, Optional<Arg> duration) {
        if (ctx.space() == null || duration.isEmpty() || !(duration.get() instanceof Arg.Ref ref)) {
            return;
        }
        ctx.space().parameter(ref.parameter()).ifPresent(p -> {
            String unit = p.unit() == null ? "" : p.unit().trim();
            if (!org.labloop.space.Units.agree(unit, "min")) {
                v.unworkable(
                        at,
                        "'duration' of " + what + " is $" + ref.parameter() + ", whose unit is '" + unit
                                + "', but step durations are in minutes",
                        "give parameter '" + ref.parameter() + "' unit: min and its range in minutes");
            }
        });
    }

    /** Minutes: a number or a reference to a numeric parameter. */
    private Arg duration(Node n, String what) {
        if (n instanceof Node.ScalarNode s
                && s.kind() == Node.Kind.TEXT
                && s.text().startsWith("$")
                && !s.text().startsWith("$$")) {
            return textArg(s, what, true);
        }
        if (n instanceof Node.ScalarNode s && s.isNumber()) {
            Double d = v.number(n, what);
            if (d == null) {
                return null;
            }
            if (d < 0 || d > WorkcellParser.MAX_MINUTES) {
                v.error(
                        n.at(),
                        what + " must be between 0 and " + (long) WorkcellParser.MAX_MINUTES + " minutes, got " + d,
                        d < 0 ? "a duration cannot be negative" : "durations are in minutes");
                return null;
            }
            return new Arg.Literal(d);
        }
        v.wrongType(n, what, "a number of minutes or a $parameter");
        return null;
    }
}
