package org.labloop.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.StepRecord;
import org.labloop.event.ChainCheck;
import org.labloop.protocol.Protocol;
import org.labloop.protocol.StepSpec;
import org.labloop.protocol.TimeWindow;
import org.labloop.store.InMemoryEventLog;

class EngineSchedulingTest {

    /** The SnAr test campaign with "analyse within 2 minutes after the reaction ends" and 8 experiments in flight. */
    static CampaignSpec windowed() {
        CampaignSpec s = SnarLab.spec(24, 8, 7, 0);
        List<StepSpec> steps = new ArrayList<>(s.protocol().steps());
        StepSpec a = steps.get(4);
        steps.set(
                4,
                new StepSpec(
                        a.name(),
                        a.capability(),
                        a.args(),
                        a.durationMinutes(),
                        a.measures(),
                        Optional.of(new TimeWindow("react", 0, 2))));
        return SnarLab.variant(s, s.workcell(), new Protocol(s.protocol().name(), steps));
    }

    static int violations(CampaignState state, double maxMinutes) {
        int broken = 0;
        for (ExperimentState x : state.experiments().values()) {
            StepRecord react = x.steps().get(2);
            StepRecord analyse = x.steps().get(4);
            Duration lag = Duration.between(Instant.parse(react.endedAt()), Instant.parse(analyse.startedAt()));
            if (lag.toMillis() > maxMinutes * 60_000) {
                broken++;
            }
        }
        return broken;
    }

    @Test
    void engineWithTheHeuristicScheduler_keepsEveryAnalysisWindow_whereFirstComeBreaksThem() {
        CampaignSpec spec = windowed();
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            CampaignState state =
                    SnarLab.engine(log, spec, EngineListener.NONE, "heuristic").run();
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.experiments()).hasSize(24);
            assertThat(violations(state, 2)).isZero();
            assertThat(ChainCheck.of(log.readAll(state.id())).intact()).isTrue();
        }
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            CampaignState state =
                    SnarLab.engine(log, spec, EngineListener.NONE, "first-come").run();
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(violations(state, 2)).isPositive();
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> plannedCampaigns() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("analysis windows", windowed()),
                org.junit.jupiter.params.provider.Arguments.of("an analyser with changeovers", withChangeover(3)),
                org.junit.jupiter.params.provider.Arguments.of(
                        "a reactor block with changeovers", blockWithChangeover(5, 3)),
                org.junit.jupiter.params.provider.Arguments.of(
                        "an analyser failing 1 in 5", SnarLab.spec(16, 4, 5, 0.2)),
                org.junit.jupiter.params.provider.Arguments.of("two analysers, 16 in flight", busy()),
                org.junit.jupiter.params.provider.Arguments.of(
                        "two analysers, one with changeovers, 16 in flight",
                        settingUpForTemperature(busy(), 4, "hplc", 1, 2)));
    }

    /** Two analysers, each analysis within 10 minutes after its reaction, and 16 experiments in flight. */
    static CampaignSpec busy() {
        return SnarLab.spec(
                120,
                16,
                13,
                java.util.Map.of(),
                new StepSpec(
                        "analyse",
                        "analyse",
                        java.util.Map.of(),
                        Optional.empty(),
                        true,
                        Optional.of(new TimeWindow("react", 0, 10))),
                2);
    }

    /**
     * A plan made again at the instant of its own starts, once they are recorded, is the same plan: the placer does not
     * build it again. With assertions on (as in every test run) it builds it anyway and fails when the two differ in a
     * start or in when the loop is to wake.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("plannedCampaigns")
    void plan_madeAgainAtTheInstantOfItsOwnStarts_isTheSamePlan_soItIsNotBuiltAgain(String name, CampaignSpec spec) {
        assertThat(StepPlacer.class.desiredAssertionStatus())
                .as("assertions on, so that each plan not built again is checked")
                .isTrue();
        StepPlacer placer = new StepPlacer(spec.workcell());
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            String id = SnarLab.create(log, spec);
            CampaignState state = CampaignState.load(log, id);
            org.labloop.core.VirtualClock clock = new org.labloop.core.VirtualClock(Instant.parse(state.lastEventAt()));
            CampaignState end = new Engine(
                            spec,
                            state,
                            log,
                            clock,
                            org.labloop.planner.PlannerRegistry.standard().create(spec.planner()),
                            SnarLab.drivers(spec, clock, org.labloop.device.DeviceMemory.inProcess()),
                            EngineListener.NONE,
                            placer)
                    .run();
            assertThat(end.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(placer.settledPlans()).isPositive();
            assertThat(ChainCheck.of(log.readAll(end.id())).intact()).isTrue();
        }
    }

    /**
     * The SnAr test campaign whose HPLC needs {@code minutes} to switch between analyses of different setup, each
     * analysis set up for its experiment's temperature (so every experiment needs a changeover).
     */
    static CampaignSpec withChangeover(double minutes) {
        return settingUpForTemperature(SnarLab.spec(12, 4, 9, 0), 4, "hplc", 1, minutes);
    }

    /**
     * {@code s} with step {@code stepIndex} set up for each experiment's temperature, and device {@code device} given
     * {@code capacity} positions that each need {@code minutes} to change setup.
     */
    private static CampaignSpec settingUpForTemperature(
            CampaignSpec s, int stepIndex, String device, int capacity, double minutes) {
        List<StepSpec> steps = new ArrayList<>(s.protocol().steps());
        StepSpec a = steps.get(stepIndex);
        steps.set(
                stepIndex,
                new StepSpec(
                        a.name(),
                        a.capability(),
                        a.args(),
                        a.durationMinutes(),
                        a.measures(),
                        a.window(),
                        a.timeout(),
                        a.retryable(),
                        a.onFailure(),
                        Optional.of(new org.labloop.protocol.Arg.Ref("temperature"))));
        List<org.labloop.workcell.DeviceSpec> devices = s.workcell().devices().stream()
                .map(d -> d.name().equals(device)
                        ? new org.labloop.workcell.DeviceSpec(
                                d.name(),
                                d.kind(),
                                d.capabilities(),
                                capacity,
                                d.driver(),
                                Duration.ofMillis(Math.round(minutes * 60_000)))
                        : d)
                .toList();
        return SnarLab.variant(
                s,
                new org.labloop.workcell.Workcell(s.workcell().name(), devices),
                new Protocol(s.protocol().name(), steps));
    }

    /**
     * The SnAr test campaign on a reactor block of {@code positions} positions, each of which needs {@code minutes} to
     * change temperature; reactions run at 60, 90 or 120 degC, and each reaction is set up for its temperature.
     */
    static CampaignSpec blockWithChangeover(double minutes, int positions) {
        CampaignSpec s = settingUpForTemperature(SnarLab.spec(24, 6, 11, 0), 2, "reactor", positions, minutes);
        List<org.labloop.space.Parameter> params = new ArrayList<>();
        for (org.labloop.space.Parameter p : s.space().parameters()) {
            params.add(
                    p.name().equals("temperature")
                            ? new org.labloop.space.DiscreteParameter("temperature", List.of(60.0, 90.0, 120.0), "degC")
                            : p);
        }
        return new CampaignSpec(
                s.name(),
                s.description(),
                new org.labloop.space.SearchSpace(params),
                s.objectives(),
                s.constraints(),
                s.budget(),
                s.batchSize(),
                s.planner(),
                s.seed(),
                s.workcell(),
                s.protocol(),
                s.emulator());
    }

    /** One reaction as the log recorded its start, with its temperature and how long it ran. */
    record Reaction(String experiment, int position, long changeoverMs, double temperature, long startMs, long endMs) {}

    static List<Reaction> reactions(List<org.labloop.event.Event> events, CampaignState state) {
        List<Reaction> out = new ArrayList<>();
        for (org.labloop.event.Event e : events) {
            if (e.body() instanceof org.labloop.event.EventBody.StepStarted st && st.step() == 2) {
                ExperimentState x = state.experiments().get(st.experimentId());
                StepRecord rec = x.steps().stream()
                        .filter(r -> r.idempotencyKey().equals(st.idempotencyKey()))
                        .findFirst()
                        .orElseThrow();
                assertThat(st.position())
                        .as("position of %s", st.idempotencyKey())
                        .isNotNull();
                assertThat(rec.position()).isEqualTo(st.position());
                out.add(new Reaction(
                        x.id(),
                        st.position(),
                        st.changeoverMillis(),
                        ((Number) x.parameters().get("temperature")).doubleValue(),
                        Instant.parse(rec.startedAt()).toEpochMilli(),
                        Instant.parse(rec.endedAt()).toEpochMilli()));
            }
        }
        return out;
    }

    @Test
    void aReactorBlock_changesOverEachPositionOnItsOwn_andRecordsWhereEachReactionRan() {
        // Two positions for three temperatures: some reactions must switch a position, others can reuse one.
        CampaignSpec spec = blockWithChangeover(5, 2);
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            CampaignState state =
                    SnarLab.engine(log, spec, EngineListener.NONE, "heuristic").run();
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            List<Reaction> reactions = reactions(log.readAll(state.id()), state);
            assertThat(reactions).hasSize(24);
            int paid = 0;
            int spared = 0;
            for (int position = 1; position <= 2; position++) {
                int pos = position;
                List<Reaction> here = reactions.stream()
                        .filter(r -> r.position() == pos)
                        .sorted(java.util.Comparator.comparingLong(Reaction::startMs))
                        .toList();
                for (int i = 0; i < here.size(); i++) {
                    Reaction r = here.get(i);
                    boolean switches = i > 0 && here.get(i - 1).temperature() != r.temperature();
                    assertThat(r.changeoverMs())
                            .as("changeover of %s in position %d", r.experiment(), pos)
                            .isEqualTo(switches ? 300_000L : 0L);
                    if (i > 0) {
                        assertThat(r.startMs())
                                .as("%s starts after the reaction before it in position %d ends", r.experiment(), pos)
                                .isGreaterThanOrEqualTo(here.get(i - 1).endMs());
                        if (switches) {
                            paid++;
                        } else {
                            spared++;
                        }
                    }
                }
            }
            // Both cases happen, so both are checked: a position switching temperature, one staying at it.
            assertThat(paid).isPositive();
            assertThat(spared).isPositive();
            // The simulated block spends the changeover on top of the reaction's own time (tau).
            for (Reaction r : reactions) {
                double tau = ((Number) state.experiments()
                                .get(r.experiment())
                                .parameters()
                                .get("tau"))
                        .doubleValue();
                assertThat(r.endMs() - r.startMs()).isEqualTo(Math.round(tau * 60_000) + r.changeoverMs());
            }
            assertThat(ChainCheck.of(log.readAll(state.id())).intact()).isTrue();
        }
    }

    @Test
    void theHeuristic_putsReactionsInPositionsAlreadyAtTheirTemperature_moreOftenThanFirstCome() {
        long heuristic = changeovers("heuristic");
        long firstCome = changeovers("first-come");
        assertThat(firstCome).isPositive();
        assertThat(heuristic).isLessThan(firstCome);
    }

    /** How many reactions on a 3-position block began with a changeover, with this placement. */
    private static long changeovers(String placement) {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            CampaignState state = SnarLab.engine(log, blockWithChangeover(5, 3), EngineListener.NONE, placement)
                    .run();
            return reactions(log.readAll(state.id()), state).stream()
                    .filter(r -> r.changeoverMs() > 0)
                    .count();
        }
    }

    private static java.util.Map<String, Long> analysisMillis(CampaignState state) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (ExperimentState x : state.experiments().values()) {
            StepRecord r = x.steps().get(4);
            out.put(
                    x.id(),
                    Duration.between(Instant.parse(r.startedAt()), Instant.parse(r.endedAt()))
                            .toMillis());
        }
        return out;
    }

    @Test
    void aDeviceWithAChangeover_spendsItExactlyWhenTheSetupChanges() {
        CampaignState plain;
        CampaignState switching;
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            plain = SnarLab.engine(log, withChangeover(0), EngineListener.NONE).run();
        }
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            switching =
                    SnarLab.engine(log, withChangeover(5), EngineListener.NONE).run();
        }
        assertThat(switching.status()).isEqualTo(CampaignStatus.COMPLETED);
        // Durations are drawn per step, so the only difference is the changeover: none before the HPLC's first
        // analysis, five minutes before every later one (each experiment has its own temperature).
        java.util.Map<String, Long> base = analysisMillis(plain);
        java.util.Map<String, Long> with = analysisMillis(switching);
        String first = switching.experiments().values().stream()
                .min(java.util.Comparator.comparing(
                        x -> Instant.parse(x.steps().get(4).startedAt())))
                .orElseThrow()
                .id();
        for (String id : with.keySet()) {
            long extra = with.get(id) - base.get(id);
            assertThat(extra).as(id).isEqualTo(id.equals(first) ? 0 : 5 * 60_000);
        }
    }
}
