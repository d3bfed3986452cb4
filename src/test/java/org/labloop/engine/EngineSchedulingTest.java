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

    /**
     * The SnAr test campaign whose HPLC needs {@code minutes} to switch between analyses of different setup, each
     * analysis set up for its experiment's temperature (so every experiment needs a changeover).
     */
    static CampaignSpec withChangeover(double minutes) {
        CampaignSpec s = SnarLab.spec(12, 4, 9, 0);
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
                        a.window(),
                        a.timeout(),
                        a.retryable(),
                        a.onFailure(),
                        Optional.of(new org.labloop.protocol.Arg.Ref("temperature"))));
        List<org.labloop.workcell.DeviceSpec> devices = s.workcell().devices().stream()
                .map(d -> d.name().equals("hplc")
                        ? new org.labloop.workcell.DeviceSpec(
                                d.name(),
                                d.kind(),
                                d.capabilities(),
                                d.capacity(),
                                d.driver(),
                                Duration.ofMillis(Math.round(minutes * 60_000)))
                        : d)
                .toList();
        return SnarLab.variant(
                s,
                new org.labloop.workcell.Workcell(s.workcell().name(), devices),
                new Protocol(s.protocol().name(), steps));
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
