package org.labloop.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.labloop.campaign.CampaignSpec;
import org.labloop.protocol.Arg;
import org.labloop.protocol.StepSpec;
import org.labloop.schedule.Device;
import org.labloop.schedule.HeuristicScheduler;
import org.labloop.schedule.Job;
import org.labloop.schedule.Op;
import org.labloop.schedule.Problem;
import org.labloop.schedule.Simulator;
import org.labloop.schedule.Window;
import org.labloop.space.CategoricalParameter;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.DiscreteParameter;
import org.labloop.space.MoleculeParameter;
import org.labloop.space.Parameter;
import org.labloop.workcell.DeviceSpec;

/**
 * Whether the scheduler can keep a protocol's time windows at all. It starts a time-critical chain only when every
 * window holds even if the steps in between run as long as planned for (mean plus three standard deviations, the
 * longest {@code duration} the search space allows) and counts a changeover the device may need first; a window
 * shorter than that leaves experiments waiting for a start that never comes. So the campaign's hardest experiment
 * (longest durations) is put alone on an idle workcell whose devices are set up for something else wherever a
 * changeover cannot be ruled out, and the scheduler itself is asked to place it: the check cannot disagree with it.
 */
public final class WindowFeasibility {
    /** Resolution of the smallest window that would do: 0.01 min. */
    private static final long STEP_MS = 600;

    private static final String OTHER_SETUP = "\u0000another setup";

    private WindowFeasibility() {}

    /**
     * A window the scheduler cannot keep: on step {@code step}; {@code neededMinutes}, the smallest maximum that would
     * do with the other windows as they are (empty when none would). Why: the step is reserved when its chain starts,
     * when the window's reference step ({@code after}) may still end anywhere in a range of {@code endRangeMinutes}
     * (its own timing's spread and that of the chain's steps before it), and the steps in between may take up to
     * {@code betweenMinutes}.
     */
    public record Unkeepable(
            String step, OptionalDouble neededMinutes, String after, double endRangeMinutes, double betweenMinutes) {}

    /** The windows of {@code spec}'s protocol that no experiment could be sure of, in protocol order. */
    public static List<Unkeepable> check(CampaignSpec spec) {
        Job job = StepPlacer.job(spec, "hardest", hardest(spec));
        List<Device> devices = StepPlacer.model(spec.workcell());
        List<Integer> windowed = new ArrayList<>();
        for (int k = 0; k < job.ops().size(); k++) {
            if (job.ops().get(k).window() != null && job.ops().get(k).window().bounded()) {
                windowed.add(k);
            }
        }
        if (windowed.isEmpty() || placeable(spec, devices, job)) {
            return List.of();
        }
        List<Unkeepable> out = new ArrayList<>();
        for (int k : windowed) {
            // Each window on its own, the others opened up: which of them cannot be kept even alone.
            Job alone = job;
            for (int other : windowed) {
                if (other != k) {
                    alone = withMax(alone, other, Long.MAX_VALUE);
                }
            }
            if (!placeable(spec, devices, alone)) {
                out.add(unkeepable(spec, job, k, needed(spec, devices, alone, k)));
            }
        }
        if (out.isEmpty()) {
            // Each can be kept alone but not all together: report the last, with the others as written.
            int k = windowed.get(windowed.size() - 1);
            out.add(unkeepable(spec, job, k, needed(spec, devices, job, k)));
        }
        return out;
    }

    private static Unkeepable unkeepable(CampaignSpec spec, Job job, int k, OptionalDouble needed) {
        int after = job.ops().get(k).window().after();
        long range = 0;
        for (int i = job.chainHead(after); i <= after; i++) {
            range += job.ops().get(i).duration().hi()
                    - job.ops().get(i).duration().lo();
        }
        long between = 0;
        for (int i = after + 1; i < k; i++) {
            between += job.ops().get(i).duration().hi();
        }
        List<StepSpec> steps = spec.protocol().steps();
        return new Unkeepable(
                steps.get(k).name(), needed, steps.get(after).name(), range / 60_000.0, between / 60_000.0);
    }

    /** The smallest maximum lag for window {@code k} that makes {@code job} placeable, to 0.01 min. */
    private static OptionalDouble needed(CampaignSpec spec, List<Device> devices, Job job, int k) {
        long lo = job.ops().get(k).window().maxLagMs();
        long hi = lo + 60_000;
        for (Op op : job.ops()) {
            hi += op.duration().hi() + (op.window() == null ? 0 : op.window().minLagMs());
        }
        for (Device d : devices) {
            hi += d.changeoverMs() * job.ops().size();
        }
        if (!placeable(spec, devices, withMax(job, k, hi))) {
            return OptionalDouble.empty();
        }
        while (hi - lo > STEP_MS) {
            long mid = lo + (hi - lo) / 2;
            if (placeable(spec, devices, withMax(job, k, mid))) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return OptionalDouble.of(Math.ceil(hi / (double) STEP_MS) / 100.0);
    }

    private static boolean placeable(CampaignSpec spec, List<Device> devices, Job job) {
        HeuristicScheduler scheduler = new HeuristicScheduler(devices);
        List<DeviceSpec> specs = spec.workcell().devices();
        for (int d = 0; d < specs.size(); d++) {
            if (mayChangeOver(spec, specs.get(d))) {
                scheduler.lastSetup(d, OTHER_SETUP);
            }
        }
        return new Simulator(new Problem("window check", devices, List.of(job)), 0)
                        .run(scheduler)
                        .unfinished()
                == 0;
    }

    /**
     * Whether a step may find {@code d} set up for something else: it changes over and either runs several steps of
     * the protocol or a step whose setup follows a parameter.
     */
    private static boolean mayChangeOver(CampaignSpec spec, DeviceSpec d) {
        if (d.changeover().isZero()) {
            return false;
        }
        List<StepSpec> mine = spec.protocol().steps().stream()
                .filter(s -> d.can(s.capability()))
                .toList();
        return mine.size() > 1
                || mine.stream()
                        .anyMatch(s -> s.setup().isPresent() && s.setup().get() instanceof Arg.Ref);
    }

    private static Job withMax(Job job, int k, long maxLagMs) {
        List<Op> ops = new ArrayList<>(job.ops());
        Window w = ops.get(k).window();
        ops.set(k, ops.get(k).withWindow(new Window(w.after(), w.minLagMs(), Math.max(w.minLagMs(), maxLagMs))));
        return new Job(job.id(), job.campaign(), job.priority(), job.releaseMs(), ops);
    }

    /** Parameter values that make every step as long as the search space allows (durations grow with them). */
    private static Map<String, Object> hardest(CampaignSpec spec) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Parameter p : spec.space().parameters()) {
            Object v = switch (p) {
                case ContinuousParameter c -> c.bound().max();
                case DiscreteParameter d ->
                    d.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
                case CategoricalParameter c -> c.choices().get(0);
                case MoleculeParameter m -> m.choices().get(0).name();
            };
            values.put(p.name(), v);
        }
        return values;
    }
}
