package org.labloop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.campaign.StepRecord;
import org.labloop.core.InvalidInputException;
import org.labloop.core.VirtualClock;
import org.labloop.device.Driver;
import org.labloop.device.DriverContext;
import org.labloop.device.DriverRegistry;
import org.labloop.engine.Engine;
import org.labloop.engine.EngineListener;
import org.labloop.engine.SharedWorkcell;
import org.labloop.event.EventBody;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.protocol.StepSpec;
import org.labloop.protocol.TimeWindow;
import org.labloop.store.InMemoryEventLog;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.DriverSpec;
import org.labloop.workcell.Workcell;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labloop plan CAMPAIGN.yaml...}: a dry run (of several campaigns sharing their workcell when given several). The campaign runs in virtual time on simulated twins of its devices
 * (their timings and setup times, no injected faults) with an event log in memory, and the resulting schedule is
 * printed: per-device timeline, makespan, utilisation and conflicts. The store is never touched.
 */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = "Dry run: print the schedule a campaign would follow on its workcell, in virtual time, without"
                + " touching the store. Several files naming the same workcell are planned together, higher"
                + " priority first.")
final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "1..*", paramLabel = "CAMPAIGN.yaml", description = "The campaign file(s).")
    List<Path> campaigns;

    @Option(names = "--seed", paramLabel = "N", description = "Seed to use instead of the file's.")
    Long seed;

    @Option(
            names = "--scheduler",
            paramLabel = "NAME",
            description = "heuristic (default) or first-come.",
            defaultValue = "heuristic")
    String scheduler;

    @Option(
            names = "--steps",
            paramLabel = "N",
            description = "Timeline lines per device (default ${DEFAULT-VALUE}; 0: all).",
            defaultValue = "12")
    int steps;

    /** Taken so that a command written for {@code run} works here too; a dry run has no store to use it for. */
    @Option(names = "--data", paramLabel = "DIR", hidden = true)
    Path data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (data != null) {
            spec.commandLine()
                    .getErr()
                    .println("Note: plan reads and writes no store; --data " + data + " is not used.");
        }
        if (!org.labloop.engine.Engine.SCHEDULERS.contains(scheduler)) {
            throw InvalidInputException.of(
                    "--scheduler",
                    "unknown scheduler '" + scheduler + "'",
                    "known schedulers: " + String.join(", ", org.labloop.engine.Engine.SCHEDULERS));
        }
        if (steps < 0) {
            throw InvalidInputException.of(
                    "--steps", "must be 0 (all) or a positive number of lines, got " + steps, "e.g. --steps 20");
        }
        RunCommand.requireDistinct(campaigns);
        Lab lab = new Lab();
        CampaignRunner runner = new CampaignRunner(lab);
        List<CampaignRunner.Prepared> prepared = campaigns.stream()
                .map(f -> runner.prepare(f, seed).requireNew())
                .toList();
        if (prepared.size() > 1) {
            if (!"heuristic".equals(scheduler)) {
                throw InvalidInputException.of(
                        "--scheduler", "campaigns sharing a workcell are planned by the heuristic", "leave it out");
            }
            CampaignRunner.requireOneWorkcell(
                    prepared, campaigns.stream().map(Path::toString).toList());
        }
        VirtualClock clock = new VirtualClock(CampaignRunner.VIRTUAL_START);
        List<CampaignState> states;
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            List<String> ids = new ArrayList<>();
            for (CampaignRunner.Prepared p : prepared) {
                CampaignSpec cs = p.spec();
                String id = log.newCampaignId(cs.name());
                log.append(
                        id,
                        clock.now(),
                        "user:plan",
                        new EventBody.CampaignCreated(cs.name(), cs.seed(), "plan", List.of()));
                ids.add(id);
            }
            if (prepared.size() == 1) {
                CampaignRunner.Prepared p = prepared.get(0);
                // The real planner runs for every proposal, so a large budget takes a while: progress goes to stderr
                // on a terminal, or when the budget is large enough to need it.
                int budget = p.spec().budget();
                ProgressBar bar = new ProgressBar(
                        spec.commandLine().getErr(), budget, System.console() != null || budget >= LARGE_BUDGET);
                Engine engine = new Engine(
                        p.spec(),
                        CampaignState.load(log, ids.get(0)),
                        log,
                        clock,
                        p.planner(),
                        twins(p, clock),
                        bar,
                        scheduler);
                try {
                    states = List.of(engine.run());
                } finally {
                    bar.finish();
                }
            } else {
                try (SharedWorkcell cell =
                        new SharedWorkcell(prepared.get(0).spec().workcell(), clock)) {
                    for (int i = 0; i < prepared.size(); i++) {
                        CampaignRunner.Prepared p = prepared.get(i);
                        cell.add(
                                p.spec(),
                                CampaignState.load(log, ids.get(i)),
                                log,
                                p.planner(),
                                twins(p, clock),
                                EngineListener.NONE);
                    }
                    states = cell.run("user:plan");
                }
            }
        }
        print(out, prepared.stream().map(CampaignRunner.Prepared::spec).toList(), states);
        return 0;
    }

    /** Budgets from which the dry run reports its progress even when stderr is not a terminal. */
    private static final int LARGE_BUDGET = 200;

    private static Map<String, Driver> twins(CampaignRunner.Prepared p, VirtualClock clock) {
        Map<String, Driver> drivers = new LinkedHashMap<>();
        DriverRegistry registry = DriverRegistry.standard();
        for (DeviceSpec d : p.spec().workcell().devices()) {
            drivers.put(
                    d.name(),
                    registry.create(twin(d), new DriverContext(clock, p.spec().seed(), Optional.of(p.emulator()))));
        }
        return drivers;
    }

    /** A simulated twin of the device: its timings, setup time and changeover, no faults. */
    private static DeviceSpec twin(DeviceSpec d) {
        Map<String, Object> options = new LinkedHashMap<>();
        Object setup = d.driver().options().get("setup_min");
        if ("sim".equals(d.driver().type()) && setup != null) {
            options.put("setup_min", setup);
        }
        return new DeviceSpec(
                d.name(),
                d.kind(),
                d.capabilities(),
                d.capacity(),
                new DriverSpec("sim", d.driver().durations(), options),
                d.changeover());
    }

    private static double min(String from, String to) {
        return Duration.between(Instant.parse(from), Instant.parse(to)).toMillis() / 60_000.0;
    }

    /**
     * One step on a device's timeline: start and end in minutes from the start, who ran it, and in which position (from
     * 1; null on a one-position device).
     */
    private record Slot(
            double start, double end, String who, String step, String status, Integer position, String changeover) {}

    /** How a step's bar began with a changeover, and to what setup ("changeover 8 min to 80"); empty without one. */
    private static String changeover(CampaignSpec cs, ExperimentState x, StepRecord s) {
        if (s.changeoverMillis() == null || s.changeoverMillis() == 0) {
            return "";
        }
        String setup = "";
        if (s.step() < cs.protocol().steps().size()) {
            StepSpec step = cs.protocol().steps().get(s.step());
            Object value = step.setup().map(a -> a.resolve(x.parameters())).orElse(null);
            setup = value == null ? "" : " to " + (value instanceof Number n ? Summary.num(n.doubleValue()) : value);
        }
        return " (first " + Summary.num(s.changeoverMillis() / 60_000.0) + " min changeover" + setup + ")";
    }

    private void print(PrintWriter out, List<CampaignSpec> specs, List<CampaignState> states) {
        String t0 = CampaignRunner.VIRTUAL_START.toString();
        Workcell cell = specs.get(0).workcell();
        Map<String, List<Slot>> byDevice = new LinkedHashMap<>();
        cell.devices().forEach(d -> byDevice.put(d.name(), new ArrayList<>()));
        double makespan = 0;
        List<String> conflicts = new ArrayList<>();
        boolean several = states.size() > 1;
        for (int c = 0; c < states.size(); c++) {
            CampaignSpec cs = specs.get(c);
            CampaignState state = states.get(c);
            double end = 0;
            for (ExperimentState x : state.experiments().values()) {
                String who = several ? state.id() + "/" + x.id() : x.id();
                for (StepRecord s : x.steps()) {
                    if (s.endedAt() == null) {
                        continue;
                    }
                    byDevice.get(s.device())
                            .add(new Slot(
                                    min(t0, s.startedAt()),
                                    min(t0, s.endedAt()),
                                    who,
                                    s.name(),
                                    s.status(),
                                    s.position(),
                                    changeover(cs, x, s)));
                    end = Math.max(end, min(t0, s.endedAt()));
                }
                if (x.status() == ExperimentStatus.FAILED) {
                    conflicts.add(who + " failed: " + x.failure());
                }
                windows(cs, x, who, conflicts);
            }
            makespan = Math.max(makespan, end);
            out.printf(
                    "Plan for campaign %s: %d experiments, %d in flight, %sscheduler %s, virtual time; nothing was"
                            + " stored.%n",
                    cs.name(),
                    state.experiments().size(),
                    cs.batchSize(),
                    several ? "priority " + cs.priority() + ", ends at " + String.format("%.1f", end) + " min, " : "",
                    scheduler);
        }
        out.printf("Expected makespan: %.1f min (%s).%n%n", makespan, hm(makespan));
        out.printf("%-14s %9s %6s %10s %12s%n", "device", "capacity", "steps", "busy min", "utilisation");
        for (DeviceSpec d : cell.devices()) {
            List<Slot> list = byDevice.get(d.name());
            double busy = list.stream().mapToDouble(s -> s.end() - s.start()).sum();
            out.printf(
                    "%-14s %9d %6d %10.1f %11.1f%%%n",
                    d.name(),
                    d.capacity(),
                    list.size(),
                    busy,
                    makespan == 0 ? 0 : 100 * busy / (d.capacity() * makespan));
            conflicts.addAll(overCapacity(d, list));
        }
        out.println();
        out.println(conflicts.isEmpty() ? "Conflicts: none." : "Conflicts (" + conflicts.size() + "):");
        conflicts.forEach(c -> out.println("  " + c));
        out.println();
        out.println("Timeline (minutes from the start):");
        for (DeviceSpec d : cell.devices()) {
            List<Slot> list = new ArrayList<>(byDevice.get(d.name()));
            list.sort(Comparator.comparingDouble(Slot::start));
            out.printf("  %s%n", d.name());
            int shown = steps == 0 ? list.size() : Math.min(steps, list.size());
            for (int i = 0; i < shown; i++) {
                Slot s = list.get(i);
                out.printf(
                        "    %8.1f - %8.1f  %s%s %s%s%s%n",
                        s.start(),
                        s.end(),
                        s.position() == null ? "" : "#" + s.position() + " ",
                        s.who(),
                        s.step(),
                        s.changeover(),
                        "completed".equals(s.status()) ? "" : " (" + s.status() + ")");
            }
            if (shown < list.size()) {
                out.printf("    ... %d more (--steps 0 shows all)%n", list.size() - shown);
            }
        }
    }

    private static void windows(CampaignSpec cs, ExperimentState x, String who, List<String> conflicts) {
        List<StepSpec> protocol = cs.protocol().steps();
        Map<Integer, StepRecord> done = new LinkedHashMap<>();
        for (StepRecord s : x.steps()) {
            if ("completed".equals(s.status())) {
                done.put(s.step(), s);
            }
        }
        for (int k = 0; k < protocol.size(); k++) {
            Optional<TimeWindow> w = protocol.get(k).window();
            if (w.isEmpty() || !done.containsKey(k)) {
                continue;
            }
            int after = k - 1;
            for (int i = 0; i < k; i++) {
                if (protocol.get(i).name().equals(w.get().after())) {
                    after = i;
                }
            }
            StepRecord ref = done.get(after);
            if (ref == null) {
                continue;
            }
            // The step's own work begins once its device has changed over.
            StepRecord step = done.get(k);
            double lag = min(ref.endedAt(), step.startedAt())
                    + (step.changeoverMillis() == null ? 0 : step.changeoverMillis() / 60_000.0);
            if (lag > w.get().maxMinutes() + 1e-9 || lag < w.get().minMinutes() - 1e-9) {
                conflicts.add(String.format(
                        "%s: %s began %.2f min after %s ended (window %s to %s min)",
                        who,
                        protocol.get(k).name(),
                        lag,
                        protocol.get(after).name(),
                        fmt(w.get().minMinutes()),
                        fmt(w.get().maxMinutes())));
            }
        }
    }

    private static List<String> overCapacity(DeviceSpec d, List<Slot> list) {
        List<String> out = new ArrayList<>();
        for (Slot s : list) {
            long overlapping = list.stream()
                    .filter(o -> o.start() <= s.start() && o.end() > s.start())
                    .count();
            if (overlapping > d.capacity()) {
                out.add(String.format(
                        "%s holds %d steps at %.1f min (capacity %d)", d.name(), overlapping, s.start(), d.capacity()));
            }
            if (s.position() != null
                    && list.stream()
                                    .filter(o -> Objects.equals(o.position(), s.position())
                                            && o.start() <= s.start()
                                            && o.end() > s.start())
                                    .count()
                            > 1) {
                out.add(String.format(
                        "position %d of %s holds two steps at %.1f min", s.position(), d.name(), s.start()));
            }
        }
        return out;
    }

    private static String fmt(double m) {
        return m == Math.rint(m) ? String.valueOf((long) m) : String.valueOf(m);
    }

    private static String hm(double minutes) {
        long m = Math.round(minutes);
        return m / 60 + " h " + String.format("%02d", m % 60) + " min";
    }
}
