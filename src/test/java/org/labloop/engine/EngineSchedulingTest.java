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
        return new CampaignSpec(
                s.name(),
                s.description(),
                s.space(),
                s.objectives(),
                s.constraints(),
                s.budget(),
                s.batchSize(),
                s.planner(),
                s.seed(),
                s.workcell(),
                new Protocol(s.protocol().name(), steps),
                s.emulator());
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
}
