package org.labloop.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.core.VirtualClock;
import org.labloop.device.Driver;
import org.labloop.device.DriverContext;
import org.labloop.device.DriverRegistry;
import org.labloop.emulator.Emulator;
import org.labloop.emulator.EmulatorRegistry;
import org.labloop.emulator.EmulatorSpec;
import org.labloop.engine.Engine;
import org.labloop.engine.EngineListener;
import org.labloop.event.EventBody;
import org.labloop.lab.CampaignRunner;
import org.labloop.planner.PlannerRegistry;
import org.labloop.planner.PlannerSpec;
import org.labloop.protocol.Arg;
import org.labloop.protocol.Protocol;
import org.labloop.protocol.StepSpec;
import org.labloop.protocol.TimeWindow;
import org.labloop.space.Bound;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.Objective;
import org.labloop.space.SearchSpace;
import org.labloop.store.InMemoryEventLog;
import org.labloop.workcell.DeviceKind;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.DriverSpec;
import org.labloop.workcell.StepTiming;
import org.labloop.workcell.Workcell;

/**
 * How many events per second the real engine loop processes in virtual time: a SnAr campaign (random planner, SnAr
 * emulator, 16 in flight, analysis within 10 minutes of the reaction) on simulated devices, with the in-memory event
 * log (every event still sealed into the hash chain and folded into the campaign state).
 *
 * <p>With {@code closedForm}, the same campaign answers its analyses with a cheap closed-form stand-in instead of the
 * SnAr ODE model, to separate the engine loop's own cost from the chemistry model's.
 */
final class EngineThroughput {
    /**
     * {@code cpuSeconds} is the CPU time of the thread that ran the loop: on a shared machine it moves far less with
     * other load than the elapsed {@code seconds} do (it leaves out the collector's and the compiler's threads).
     */
    record Figures(long events, double seconds, double cpuSeconds, int experiments) {
        double perSecond() {
            return events / seconds;
        }

        double perCpuSecond() {
            return events / cpuSeconds;
        }
    }

    private EngineThroughput() {}

    /** Registry name of the stand-in emulator. */
    private static final String CLOSED_FORM = "closed-form";

    /** Timed runs per figure; the median of them is reported. */
    static final int TIMED_RUNS = 3;

    static Figures measure(int budget, String scheduler, boolean closedForm) {
        // Warm-up: two full runs, so the JIT has compiled the loop before it is timed (on one core its compiler
        // would otherwise share the core with the timed run).
        run(budget, scheduler, closedForm);
        run(budget, scheduler, closedForm);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Figures> timed = new java.util.ArrayList<>();
        for (int i = 0; i < TIMED_RUNS; i++) {
            // Each timed run starts on a collected heap: otherwise whether a long collection of the runs before falls
            // inside it decides its figure (one process measured from 17,000 to 116,000 events/s that way).
            System.gc();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            CampaignState s = run(budget, scheduler, closedForm);
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpuSecs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            timed.add(new Figures(s.lastSeq(), secs, cpuSecs, s.experiments().size()));
        }
        timed.sort(java.util.Comparator.comparingDouble(Figures::seconds));
        return timed.get(TIMED_RUNS / 2);
    }

    private static CampaignState run(int budget, String scheduler, boolean closedForm) {
        CampaignSpec spec = spec(budget, closedForm ? CLOSED_FORM : "snar");
        VirtualClock clock = new VirtualClock(CampaignRunner.VIRTUAL_START);
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = log.newCampaignId(spec.name());
            log.append(id, clock.now(), "bench", new EventBody.CampaignCreated(spec.name(), 1, "bench", List.of()));
            Emulator emulator = EmulatorRegistry.standard(p -> {
                        throw new IllegalStateException("no tables");
                    })
                    .with(CLOSED_FORM, List.of(), e -> new ClosedForm())
                    .create(spec.emulator());
            Map<String, Driver> drivers = new LinkedHashMap<>();
            for (DeviceSpec d : spec.workcell().devices()) {
                drivers.put(
                        d.name(),
                        DriverRegistry.standard()
                                .create(d, new DriverContext(clock, spec.seed(), Optional.of(emulator))));
            }
            return new Engine(
                            spec,
                            CampaignState.load(log, id),
                            log,
                            clock,
                            PlannerRegistry.standard().create(spec.planner()),
                            drivers,
                            EngineListener.NONE,
                            scheduler)
                    .run();
        }
    }

    private static CampaignSpec spec(int budget, String emulator) {
        SearchSpace space = new SearchSpace(List.of(
                new ContinuousParameter("tau", new Bound(0.5, 2), "min"),
                new ContinuousParameter("equiv", new Bound(1, 5), ""),
                new ContinuousParameter("conc", new Bound(0.1, 0.5), "mol/L"),
                new ContinuousParameter("temperature", new Bound(30, 120), "degC")));
        Workcell cell = new Workcell(
                "bench-cell",
                List.of(
                        device("handler", DeviceKind.LIQUID_HANDLER, "dispense", 2, 2.0),
                        device("arm", DeviceKind.ROBOT_ARM, "transfer", 1, 0.5),
                        device("reactor", DeviceKind.REACTOR, "react", 8, 1.0),
                        device("hplc-1", DeviceKind.ANALYZER, "analyse", 1, 6.0),
                        device("hplc-2", DeviceKind.ANALYZER, "analyse", 1, 6.0)));
        Protocol protocol = new Protocol(
                "snar",
                List.of(
                        new StepSpec(
                                "dispense", "dispense", Map.of("conc", new Arg.Ref("conc")), Optional.empty(), false),
                        new StepSpec("load", "transfer", Map.of(), Optional.empty(), false),
                        new StepSpec(
                                "react",
                                "react",
                                Map.of("temperature", new Arg.Ref("temperature")),
                                Optional.of(new Arg.Ref("tau")),
                                false),
                        new StepSpec("unload", "transfer", Map.of(), Optional.empty(), false),
                        new StepSpec(
                                "analyse",
                                "analyse",
                                Map.of(),
                                Optional.empty(),
                                true,
                                Optional.of(new TimeWindow("react", 0, 10)))));
        return new CampaignSpec(
                "engine-bench",
                "",
                space,
                List.of(new Objective("sty", Direction.MAXIMISE), new Objective("e_factor", Direction.MINIMISE)),
                List.of(),
                budget,
                16,
                PlannerSpec.of("random"),
                1,
                cell,
                protocol,
                new EmulatorSpec(emulator, Map.of()));
    }

    /** Smooth, deterministic outcomes from the SnAr inputs at the cost of a few multiplications. */
    private static final class ClosedForm implements Emulator {
        @Override
        public String name() {
            return CLOSED_FORM;
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public List<String> inputs() {
            return List.of("tau", "equiv", "conc", "temperature");
        }

        @Override
        public List<String> outputs() {
            return List.of("sty", "e_factor");
        }

        @Override
        public Map<String, Double> evaluate(Map<String, Object> inputs, RandomGenerator noise) {
            double tau = number(inputs, "tau");
            double equiv = number(inputs, "equiv");
            double conc = number(inputs, "conc");
            double temperature = number(inputs, "temperature");
            double conversion = 1 - Math.exp(-tau * temperature / 60);
            return Map.of("sty", 1e3 * conc * conversion / tau, "e_factor", equiv / (conversion + 0.01));
        }

        private static double number(Map<String, Object> inputs, String name) {
            return ((Number) inputs.get(name)).doubleValue();
        }
    }

    private static DeviceSpec device(String name, DeviceKind kind, String capability, int capacity, double minutes) {
        Duration mean = Duration.ofMillis(Math.round(minutes * 60_000));
        return new DeviceSpec(
                name,
                kind,
                Set.of(capability),
                capacity,
                new DriverSpec("sim", Map.of(capability, new StepTiming(mean, mean.dividedBy(20))), Map.of()));
    }
}
