package org.labloop.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.ExperimentStatus;
import org.labloop.campaign.StepRecord;
import org.labloop.data.Dataset;
import org.labloop.event.ChainCheck;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.event.EventCodec;
import org.labloop.store.SqliteEventLog;
import org.labloop.workcell.DeviceSpec;

class EngineTest {
    @TempDir
    Path dir;

    @Test
    void campaign_runsItsWholeBudget_andRecordsBothObjectivesForEveryExperiment() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState state = SnarLab.run(log, SnarLab.spec(12, 4, 7, 0));

            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.experiments()).hasSize(12);
            for (ExperimentState x : state.experiments().values()) {
                assertThat(x.status()).isEqualTo(ExperimentStatus.COMPLETED);
                assertThat(x.measurements()).containsKeys("sty", "e_factor");
                assertThat(x.steps())
                        .extracting(StepRecord::name)
                        .containsExactly("dispense", "load", "react", "unload", "analyse");
            }
            assertThat(ChainCheck.of(log.readAll(state.id())).intact()).isTrue();
        }
    }

    @Test
    void campaign_endsWhenAnExperimentMeetsEveryTarget_afterWhatIsInTheLabFinishes() {
        CampaignSpec plain = SnarLab.spec(24, 4, 7, 0);
        List<ExperimentState> all;
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("plain"))) {
            all = List.copyOf(SnarLab.run(log, plain).experiments().values());
        }
        // Targets that the 10th experiment meets: the goal is the first experiment (by index) meeting both.
        double sty = all.get(9).measurements().get("sty").value();
        double ef = all.get(9).measurements().get("e_factor").value();
        ExperimentState first = all.stream()
                .filter(x -> x.measurements().get("sty").value() >= sty
                        && x.measurements().get("e_factor").value() <= ef)
                .findFirst()
                .orElseThrow();
        CampaignSpec targeted = SnarLab.withTargets(plain, sty, ef);
        int used;
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("targeted"))) {
            CampaignState state = SnarLab.run(log, targeted);

            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.endReason()).startsWith("goal met: " + first.id() + " reached sty >= ");
            // Nothing was proposed once the goal was seen, and what was in the lab then ran to the end.
            assertThat(state.experiments().size()).isLessThan(24).isLessThan(first.index() + 4);
            assertThat(state.experiments().values())
                    .allSatisfy(x -> assertThat(x.status()).isEqualTo(ExperimentStatus.COMPLETED));
            used = state.experiments().size();
        }
        // A budget that the goal's last batch spends exactly: the goal is still what ended it.
        CampaignSpec exact = SnarLab.withTargets(SnarLab.spec(used, 4, 7, 0), sty, ef);
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("exact"))) {
            assertThat(SnarLab.run(log, exact).endReason()).startsWith("goal met: " + first.id());
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(120) // a campaign paused for an operator would wait for one forever
    void failuresAfterTheGoalIsMet_doNotPauseTheCampaign_itEndsWhenTheLabIsEmpty() {
        // Half the analyses fail and two failures in a row would pause; the goal is met by the first result.
        CampaignSpec spec = SnarLab.withTargets(SnarLab.pausingAfter(SnarLab.spec(40, 8, 4, 0.5), 2), 0, 1e9);
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState state = SnarLab.run(log, spec);

            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.endReason()).startsWith("goal met: ");
            List<Event> events = log.readAll(state.id());
            assertThat(events).noneMatch(e -> e.body() instanceof EventBody.CampaignPaused);
            // The case this is about: after the goal, experiments still in the lab failed two or more in a row.
            long goal = events.stream()
                    .filter(e -> e.body() instanceof EventBody.ExperimentCompleted)
                    .findFirst()
                    .orElseThrow()
                    .seq();
            int inARow = 0;
            int most = 0;
            for (Event e : events) {
                if (e.seq() > goal && e.body() instanceof EventBody.ExperimentFailed) {
                    most = Math.max(most, ++inARow);
                } else if (e.body() instanceof EventBody.ExperimentCompleted) {
                    inARow = 0;
                }
            }
            assertThat(most).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void noDevice_isEverUsedBeyondItsCapacity_andNoMoreThanBatchSizeAreInFlight() {
        CampaignSpec spec = SnarLab.spec(24, 6, 11, 0);
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState state = SnarLab.run(log, spec);
            // Sweep step intervals per device: count overlapping occupancy at every start.
            for (DeviceSpec d : spec.workcell().devices()) {
                List<StepRecord> steps = new ArrayList<>();
                state.experiments()
                        .values()
                        .forEach(x -> x.steps().stream()
                                .filter(s -> s.device().equals(d.name()))
                                .forEach(steps::add));
                for (StepRecord s : steps) {
                    Instant t = Instant.parse(s.startedAt());
                    long overlapping = steps.stream()
                            .filter(o -> !Instant.parse(o.startedAt()).isAfter(t)
                                    && Instant.parse(o.endedAt()).isAfter(t))
                            .count();
                    assertThat(overlapping).as("%s at %s", d.name(), t).isLessThanOrEqualTo(d.capacity());
                }
            }
            int inFlight = 0;
            int maxInFlight = 0;
            for (Event e : log.readAll(state.id())) {
                if (e.body() instanceof EventBody.ExperimentProposed) {
                    maxInFlight = Math.max(maxInFlight, ++inFlight);
                } else if (e.body() instanceof EventBody.ExperimentCompleted
                        || e.body() instanceof EventBody.ExperimentFailed) {
                    inFlight--;
                }
            }
            assertThat(maxInFlight).isEqualTo(6);
        }
    }

    @Test
    void sameSeed_producesTheSameEventSequence_byteForByte() {
        List<String> first;
        List<String> second;
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("a"))) {
            first = lines(log, SnarLab.run(log, SnarLab.spec(10, 4, 5, 0.2)).id());
        }
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("b"))) {
            second = lines(log, SnarLab.run(log, SnarLab.spec(10, 4, 5, 0.2)).id());
        }
        assertThat(second).isEqualTo(first);
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("c"))) {
            assertThat(lines(log, SnarLab.run(log, SnarLab.spec(10, 4, 6, 0.2)).id()))
                    .isNotEqualTo(first);
        }
    }

    @Test
    void sameFilesAndSeed_runTwiceInOneStore_giveTheSameDataset() {
        // The second campaign has another id (and so other idempotency keys), yet every time, fault and reading
        // repeats.
        CampaignSpec spec = SnarLab.spec(20, 4, 5, 0.3);
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState a = SnarLab.run(log, spec);
            CampaignState b = SnarLab.run(log, spec);
            assertThat(b.id()).isNotEqualTo(a.id());
            List<List<String>> first = withoutCampaignId(Dataset.of(a, spec).cells());
            assertThat(withoutCampaignId(Dataset.of(b, spec).cells())).isEqualTo(first);
            // The analyser's faults (rate 0.3) are among what repeats.
            assertThat(a.experiments().values())
                    .anySatisfy(x -> assertThat(x.steps())
                            .anySatisfy(st -> assertThat(st.status()).isEqualTo("failed")));
        }
    }

    private static List<List<String>> withoutCampaignId(List<List<String>> rows) {
        return rows.stream().map(r -> r.subList(1, r.size())).toList();
    }

    private static List<String> lines(SqliteEventLog log, String id) {
        return log.readAll(id).stream()
                .map(e -> e.seq() + " " + e.at() + " " + e.actor() + " " + EventCodec.toJson(e.body()) + " " + e.hash())
                .toList();
    }

    @Test
    void droppedProjections_areRebuiltFromTheLog_identically() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState live = SnarLab.run(log, SnarLab.spec(8, 4, 3, 0.1));
            assertThat(log.snapshot(live.id())).isPresent();

            log.dropSnapshots();
            assertThat(log.snapshot(live.id())).isEmpty();

            CampaignState rebuilt = CampaignState.load(log, live.id());
            assertThat(rebuilt.toJson()).isEqualTo(live.toJson());
            assertThat(CampaignState.replay(log, live.id()).toJson()).isEqualTo(live.toJson());
        }
    }

    @Test
    void failingAnalyser_failsExperiments_butTheBudgetIsStillSpentAndEveryFailureIsAccountedFor() {
        try (SqliteEventLog log = SqliteEventLog.open(dir)) {
            CampaignState state = SnarLab.run(log, SnarLab.spec(10, 3, 9, 0.5));
            assertThat(state.status()).isEqualTo(CampaignStatus.COMPLETED);
            assertThat(state.experiments()).hasSize(10);
            long failed = state.count(ExperimentStatus.FAILED);
            assertThat(failed).isBetween(1L, 9L);
            // Accounted for in the log: an ExperimentFailed for exactly the failed experiments, each after a failed
            // analysis on the HPLC; every other experiment measured both objectives.
            java.util.Set<String> failedIds = new java.util.HashSet<>();
            java.util.Set<String> failedAnalyses = new java.util.HashSet<>();
            for (var e : log.readAll(state.id())) {
                if (e.body() instanceof org.labloop.event.EventBody.ExperimentFailed f) {
                    failedIds.add(f.experimentId());
                } else if (e.body() instanceof org.labloop.event.EventBody.StepFailed f
                        && f.device().equals("hplc")) {
                    failedAnalyses.add(f.experimentId());
                }
            }
            assertThat(failedIds).hasSize((int) failed);
            assertThat(failedAnalyses).containsAll(failedIds);
            state.experiments().values().forEach(x -> {
                if (x.status() == ExperimentStatus.FAILED) {
                    assertThat(failedIds).contains(x.id());
                    assertThat(x.failure()).contains("analyse").contains("hplc");
                    assertThat(x.measurements()).isEmpty();
                } else {
                    assertThat(x.status()).isEqualTo(ExperimentStatus.COMPLETED);
                    assertThat(x.measurements()).containsKeys("sty", "e_factor");
                }
            });
        }
    }
}
