package org.labloop.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.core.VirtualClock;
import org.labloop.device.DeviceMemory;
import org.labloop.device.Driver;
import org.labloop.device.DriverContext;
import org.labloop.device.DriverRegistry;
import org.labloop.emulator.Emulator;
import org.labloop.emulator.EmulatorRegistry;
import org.labloop.emulator.EmulatorSpec;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.planner.PlannerRegistry;
import org.labloop.planner.PlannerSpec;
import org.labloop.protocol.Arg;
import org.labloop.protocol.Protocol;
import org.labloop.protocol.StepSpec;
import org.labloop.space.Bound;
import org.labloop.space.ContinuousParameter;
import org.labloop.space.Direction;
import org.labloop.space.Objective;
import org.labloop.space.SearchSpace;
import org.labloop.workcell.DeviceKind;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.DriverSpec;
import org.labloop.workcell.StepTiming;
import org.labloop.workcell.Workcell;

/** A SnAr campaign on a small simulated workcell, built in code, for engine tests. */
final class SnarLab {
    private SnarLab() {}

    static CampaignSpec spec(int budget, int batch, long seed, double analyserFailureRate) {
        return spec(
                budget,
                batch,
                seed,
                analyserFailureRate > 0 ? Map.of("failure_rate", analyserFailureRate) : Map.of(),
                new StepSpec("analyse", "analyse", Map.of(), Optional.empty(), true),
                1);
    }

    /**
     * The same lab with {@code analysers} HPLCs driven with {@code hplcOptions}, and this analysis step. Failures in a
     * row never pause it: these campaigns run unattended to the end of their budget, whatever their fault rates
     * ({@code FaultPolicyTest} turns the pause on to test it).
     */
    static CampaignSpec spec(
            int budget, int batch, long seed, Map<String, Object> hplcOptions, StepSpec analyse, int analysers) {
        SearchSpace space = new SearchSpace(List.of(
                new ContinuousParameter("tau", new Bound(0.5, 2), "min"),
                new ContinuousParameter("equiv", new Bound(1, 5), ""),
                new ContinuousParameter("conc", new Bound(0.1, 0.5), "mol/L"),
                new ContinuousParameter("temperature", new Bound(30, 120), "degC")));
        List<Objective> objectives =
                List.of(new Objective("sty", Direction.MAXIMISE), new Objective("e_factor", Direction.MINIMISE));
        List<DeviceSpec> devices = new java.util.ArrayList<>(List.of(
                device("handler", DeviceKind.LIQUID_HANDLER, "dispense", 1, 2.0, Map.of()),
                device("arm", DeviceKind.ROBOT_ARM, "transfer", 1, 0.5, Map.of()),
                device("reactor", DeviceKind.REACTOR, "react", 8, 1.0, Map.of()),
                device("hplc", DeviceKind.ANALYZER, "analyse", 1, 6.0, hplcOptions)));
        for (int i = 2; i <= analysers; i++) {
            devices.add(device("hplc" + i, DeviceKind.ANALYZER, "analyse", 1, 6.0, Map.of()));
        }
        Workcell workcell = new Workcell("cell", devices);
        Map<String, Arg> reactArgs = new LinkedHashMap<>();
        reactArgs.put("temperature", new Arg.Ref("temperature"));
        Protocol protocol = new Protocol(
                "snar",
                List.of(
                        new StepSpec(
                                "dispense", "dispense", Map.of("conc", new Arg.Ref("conc")), Optional.empty(), false),
                        new StepSpec("load", "transfer", Map.of(), Optional.empty(), false),
                        new StepSpec("react", "react", reactArgs, Optional.of(new Arg.Ref("tau")), false),
                        new StepSpec("unload", "transfer", Map.of(), Optional.empty(), false),
                        analyse));
        return new CampaignSpec(
                "snar-test",
                "",
                space,
                objectives,
                List.of(),
                budget,
                batch,
                PlannerSpec.of("sobol"),
                seed,
                workcell,
                protocol,
                new EmulatorSpec("snar", Map.of("noise_pct", 1.0)),
                0,
                0);
    }

    /** {@code s} with another name, seed, workcell, protocol and priority; the rest as it was. */
    static CampaignSpec variant(
            CampaignSpec s, String name, long seed, Workcell workcell, Protocol protocol, int priority) {
        return variant(
                s,
                name,
                seed,
                workcell,
                protocol,
                priority,
                s.signaturesNeeded(),
                s.objectives(),
                s.pauseAfterFailures());
    }

    /** {@code s} asking for {@code signatures} signatures before it runs. */
    static CampaignSpec needingSignatures(CampaignSpec s, int signatures) {
        return with(s, signatures, s.objectives(), s.pauseAfterFailures());
    }

    private static CampaignSpec variant(
            CampaignSpec s,
            String name,
            long seed,
            Workcell workcell,
            Protocol protocol,
            int priority,
            int signatures,
            List<Objective> objectives,
            int pauseAfterFailures) {
        return new CampaignSpec(
                name,
                s.description(),
                s.space(),
                objectives,
                s.constraints(),
                s.budget(),
                s.batchSize(),
                s.planner(),
                seed,
                workcell,
                protocol,
                s.emulator(),
                priority,
                pauseAfterFailures,
                signatures);
    }

    /** {@code s} with targets on its two objectives: the campaign ends once one experiment meets both. */
    static CampaignSpec withTargets(CampaignSpec s, double sty, double eFactor) {
        java.util.OptionalDouble none = java.util.OptionalDouble.empty();
        List<Objective> targeted = List.of(
                new Objective("sty", Direction.MAXIMISE, "", java.util.OptionalDouble.of(sty), none),
                new Objective("e_factor", Direction.MINIMISE, "", java.util.OptionalDouble.of(eFactor), none));
        return with(s, s.signaturesNeeded(), targeted, s.pauseAfterFailures());
    }

    /** {@code s} pausing for a person after {@code failures} failed experiments in a row (0: never). */
    static CampaignSpec pausingAfter(CampaignSpec s, int failures) {
        return with(s, s.signaturesNeeded(), s.objectives(), failures);
    }

    private static CampaignSpec with(
            CampaignSpec s, int signatures, List<Objective> objectives, int pauseAfterFailures) {
        return variant(
                s,
                s.name(),
                s.seed(),
                s.workcell(),
                s.protocol(),
                s.priority(),
                signatures,
                objectives,
                pauseAfterFailures);
    }

    /** {@code s} with another workcell and protocol. */
    static CampaignSpec variant(CampaignSpec s, Workcell workcell, Protocol protocol) {
        return variant(s, s.name(), s.seed(), workcell, protocol, s.priority());
    }

    private static DeviceSpec device(
            String name,
            DeviceKind kind,
            String capability,
            int capacity,
            double minutes,
            Map<String, Object> options) {
        return new DeviceSpec(
                name,
                kind,
                Set.of(capability),
                capacity,
                new DriverSpec(
                        "sim",
                        Map.of(
                                capability,
                                new StepTiming(Duration.ofMillis((long) (minutes * 60_000)), Duration.ofMillis((long)
                                        (minutes * 6_000)))),
                        options));
    }

    /** Creates the campaign in {@code log} and runs it in virtual time. */
    static CampaignState run(EventLog log, CampaignSpec spec) {
        return engine(log, spec, EngineListener.NONE).run();
    }

    /** Creates the campaign in {@code log} and returns an engine for it on a virtual clock. */
    static Engine engine(EventLog log, CampaignSpec spec, EngineListener listener) {
        return engine(log, spec, listener, "heuristic");
    }

    /** As above, with the scheduler named. */
    static Engine engine(EventLog log, CampaignSpec spec, EngineListener listener, String scheduler) {
        return engine(log, spec, create(log, spec), DeviceMemory.inProcess(), listener, scheduler);
    }

    static String create(EventLog log, CampaignSpec spec) {
        String id = log.newCampaignId(spec.name());
        log.append(
                id,
                Instant.EPOCH,
                "user:test",
                new EventBody.CampaignCreated(spec.name(), spec.seed(), "test", List.of()));
        return id;
    }

    /** An engine for an existing campaign, as a fresh process would build it: new clock, new drivers. */
    static Engine engine(EventLog log, CampaignSpec spec, String id, DeviceMemory memory, EngineListener listener) {
        return engine(log, spec, id, memory, listener, "heuristic");
    }

    /** The campaign's simulated devices on {@code clock}, its emulator answering the analyses. */
    static Map<String, Driver> drivers(CampaignSpec spec, org.labloop.core.LabClock clock, DeviceMemory memory) {
        Emulator emulator = EmulatorRegistry.standard(p -> {
                    throw new IllegalStateException("no tables in this test");
                })
                .create(spec.emulator());
        Map<String, Driver> drivers = new LinkedHashMap<>();
        for (DeviceSpec d : spec.workcell().devices()) {
            drivers.put(
                    d.name(),
                    DriverRegistry.standard()
                            .create(d, new DriverContext(clock, spec.seed(), Optional.of(emulator), memory)));
        }
        return drivers;
    }

    static Engine engine(
            EventLog log,
            CampaignSpec spec,
            String id,
            DeviceMemory memory,
            EngineListener listener,
            String scheduler) {
        CampaignState state = CampaignState.load(log, id);
        VirtualClock clock = new VirtualClock(Instant.parse(state.lastEventAt()));
        return new Engine(
                spec,
                state,
                log,
                clock,
                PlannerRegistry.standard().create(spec.planner()),
                drivers(spec, clock, memory),
                listener,
                scheduler);
    }
}
