package org.labloop.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 */
final class EngineThroughput {
    record Figures(long events, double seconds, int experiments) {
        double perSecond() {
            return events / seconds;
        }
    }

    private EngineThroughput() {}

    static Figures measure(int budget, String scheduler) {
        run(Math.min(budget, 500), scheduler); // warm-up
        long t0 = System.nanoTime();
        CampaignState s = run(budget, scheduler);
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Figures(s.lastSeq(), secs, s.experiments().size());
    }

    private static CampaignState run(int budget, String scheduler) {
        CampaignSpec spec = spec(budget);
        VirtualClock clock = new VirtualClock(CampaignRunner.VIRTUAL_START);
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = log.newCampaignId(spec.name());
            log.append(id, clock.now(), "bench", new EventBody.CampaignCreated(spec.name(), 1, "bench", List.of()));
            Emulator emulator = EmulatorRegistry.standard(p -> {
                        throw new IllegalStateException("no tables");
                    })
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

    private static CampaignSpec spec(int budget) {
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
                new EmulatorSpec("snar", Map.of()));
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
