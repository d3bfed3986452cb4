package org.labloop.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.labloop.campaign.CampaignSpec;
import org.labloop.protocol.Arg;
import org.labloop.protocol.StepSpec;
import org.labloop.protocol.TimeWindow;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.Parameter;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.DurationRange;

/**
 * Refuses a time window that some experiment of the campaign could never be given. The scheduler starts a chain only
 * when the window holds even if every step since the window's reference runs as long as planned for (mean plus three
 * standard deviations, the longest residence time the search space allows), and a window counts to when the step's own
 * work begins, after any changeover its device needs. A window shorter than that would leave experiments waiting for a
 * start that never comes, so it is an error in the files, reported at the window's line.
 */
final class WindowCheck {
    private WindowCheck() {}

    static void check(CampaignSpec spec, Map<String, Node.Loc> windowAt, Doc doc) {
        List<StepSpec> steps = spec.protocol().steps();
        for (int k = 0; k < steps.size(); k++) {
            StepSpec step = steps.get(k);
            if (step.window().isEmpty() || Double.isInfinite(step.window().get().maxMinutes())) {
                continue;
            }
            TimeWindow w = step.window().get();
            int after = w.after() == null ? k - 1 : index(steps, w.after());
            if (after < 0) {
                continue;
            }
            long minLag = ms(w.minMinutes());
            long maxLag = ms(w.maxMinutes());
            List<String> why = new ArrayList<>();
            long spread = 0;
            if (after != k - 1) {
                StepSpec ref = steps.get(after);
                if (ref.durationMinutes().isEmpty()) {
                    DurationRange r = DurationRange.of(spec.workcell(), ref.capability(), OptionalLong.empty());
                    if (r.hiMs() > r.loMs()) {
                        spread += r.hiMs() - r.loMs();
                        why.add("'" + ref.name() + "' may end up to " + min(r.hiMs() - r.loMs())
                                + " min later than its shortest");
                    }
                }
                for (int i = after + 1; i < k; i++) {
                    StepSpec between = steps.get(i);
                    long hi = longest(spec, between);
                    long co = unavoidableChangeover(spec, between);
                    spread += hi + co;
                    why.add("'" + between.name() + "' takes up to " + min(hi) + " min"
                            + (co > 0 ? " after a changeover of up to " + min(co) + " min" : ""));
                }
            }
            long co = unavoidableChangeover(spec, step);
            if (co > 0) {
                why.add("'" + step.name() + "' itself may need a " + min(co) + " min changeover on "
                        + String.join(
                                ", ",
                                spec.workcell().devicesFor(step.capability()).stream()
                                        .map(DeviceSpec::name)
                                        .toList())
                        + " before its work begins");
            }
            long need = Math.max(minLag, spread) + co;
            if (need <= maxLag) {
                continue;
            }
            String refName = steps.get(after).name();
            boolean exact = w.minMinutes() == w.maxMinutes();
            String window = exact
                    ? "exactly " + fmt(w.maxMinutes()) + " min after '" + refName + "' ends"
                    : "within " + fmt(w.maxMinutes()) + " min after '" + refName + "' ends";
            doc.error(
                    windowAt.getOrDefault(step.name(), Node.Loc.START),
                    "step '" + step.name() + "' is to begin " + window + ", which the workcell cannot do for every"
                            + " experiment: " + String.join("; ", why),
                    exact
                            ? "give it 'within_min: " + min(need) + "' (or more) instead of 'exactly_min', or shorten"
                                    + " what comes in between"
                            : "raise 'within_min' to at least " + min(need) + ", or shorten what comes in between"
                                    + " (step durations and their sd, changeover_min, the residence-time bounds)");
        }
    }

    /** The longest the step is planned to take for any experiment of the campaign, setup included. */
    private static long longest(CampaignSpec spec, StepSpec step) {
        OptionalLong fixed = OptionalLong.empty();
        if (step.durationMinutes().isPresent()) {
            double minutes = largest(spec, step.durationMinutes().get());
            fixed = OptionalLong.of(ms(Math.max(0, minutes)));
        }
        return DurationRange.of(spec.workcell(), step.capability(), fixed).hiMs();
    }

    /** The largest value {@code arg} takes: a literal number, or the top of the parameter's range. */
    private static double largest(CampaignSpec spec, Arg arg) {
        return switch (arg) {
            case Arg.Literal l -> l.value() instanceof Number n ? n.doubleValue() : 0;
            case Arg.Ref r -> {
                Parameter p = spec.space().parameters().stream()
                        .filter(x -> x.name().equals(r.parameter()))
                        .findFirst()
                        .orElse(null);
                yield switch (p) {
                    case ContinuousParameter c -> c.bound().max();
                    case DiscreteParameter d ->
                        d.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .max()
                                .orElse(0);
                    case null, default -> 0;
                };
            }
        };
    }

    /**
     * The changeover a step must pay before its work for some experiments: every device that can run it changes over,
     * and either the step's setup follows a parameter (so an experiment may find no position set up for it) or the
     * device also runs another step of the protocol (so it is often set up for that one); 0 otherwise.
     */
    private static long unavoidableChangeover(CampaignSpec spec, StepSpec step) {
        boolean varies = step.setup().isPresent() && step.setup().get() instanceof Arg.Ref;
        long least = Long.MAX_VALUE;
        for (DeviceSpec d : spec.workcell().devicesFor(step.capability())) {
            boolean shared =
                    spec.protocol().steps().stream().anyMatch(other -> other != step && d.can(other.capability()));
            least = Math.min(least, varies || shared ? d.changeover().toMillis() : 0);
        }
        return least == Long.MAX_VALUE ? 0 : least;
    }

    private static int index(List<StepSpec> steps, String name) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static long ms(double minutes) {
        return Math.round(minutes * 60_000);
    }

    private static String min(long ms) {
        return fmt(ms / 60_000.0);
    }

    private static String fmt(double minutes) {
        String s = String.format(Locale.ROOT, "%.2f", minutes);
        return s.replaceAll("\\.?0+$", "");
    }
}
