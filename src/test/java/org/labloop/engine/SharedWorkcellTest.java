package org.labloop.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.campaign.CampaignStatus;
import org.labloop.campaign.ExperimentState;
import org.labloop.campaign.StepRecord;
import org.labloop.core.VirtualClock;
import org.labloop.data.Dataset;
import org.labloop.device.DeviceMemory;
import org.labloop.event.ChainCheck;
import org.labloop.event.EventBody;
import org.labloop.event.EventLog;
import org.labloop.planner.PlannerRegistry;
import org.labloop.store.SqliteEventLog;
import org.labloop.store.StoredDeviceMemory;

/** Two campaigns on one workcell: "analyse within 2 minutes of the reaction" in both, different priorities. */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class SharedWorkcellTest {
    @TempDir
    Path dir;

    private static CampaignSpec campaign(String name, long seed, int priority) {
        CampaignSpec s = EngineSchedulingTest.windowed();
        return SnarLab.variant(s, name, seed, s.workcell(), s.protocol(), priority);
    }

    private static SharedWorkcell workcell(
            EventLog log, DeviceMemory memory, List<CampaignSpec> specs, List<String> ids) {
        return workcell(
                log,
                memory,
                specs,
                ids,
                specs.stream().map(s -> EngineListener.NONE).toList(),
                new ArrayList<>());
    }

    /** The campaigns on one workcell, each with its listener; their engines are added to {@code engines}. */
    private static SharedWorkcell workcell(
            EventLog log,
            DeviceMemory memory,
            List<CampaignSpec> specs,
            List<String> ids,
            List<EngineListener> listeners,
            List<Engine> engines) {
        List<CampaignState> states =
                ids.stream().map(id -> CampaignState.load(log, id)).toList();
        Instant start = states.stream()
                .map(s -> Instant.parse(s.lastEventAt()))
                .max(Comparator.naturalOrder())
                .orElseThrow();
        VirtualClock clock = new VirtualClock(start);
        SharedWorkcell cell = new SharedWorkcell(specs.get(0).workcell(), clock);
        for (int i = 0; i < specs.size(); i++) {
            CampaignSpec spec = specs.get(i);
            engines.add(cell.add(
                    spec,
                    states.get(i),
                    log,
                    PlannerRegistry.standard().create(spec.planner()),
                    SnarLab.drivers(spec, clock, memory),
                    listeners.get(i)));
        }
        return cell;
    }

    private static List<CampaignState> runTogether(EventLog log, List<CampaignSpec> specs) {
        List<String> ids = specs.stream().map(s -> SnarLab.create(log, s)).toList();
        try (SharedWorkcell cell = workcell(log, DeviceMemory.inProcess(), specs, ids)) {
            return cell.run("user:test");
        }
    }

    /** Every step of every campaign as (device, start, end). */
    private static Map<String, List<long[]>> byDevice(List<CampaignState> states) {
        Map<String, List<long[]>> out = new HashMap<>();
        for (CampaignState s : states) {
            for (ExperimentState x : s.experiments().values()) {
                for (StepRecord r : x.steps()) {
                    out.computeIfAbsent(r.device(), k -> new ArrayList<>()).add(new long[] {
                        Instant.parse(r.startedAt()).toEpochMilli(),
                        Instant.parse(r.endedAt()).toEpochMilli()
                    });
                }
            }
        }
        return out;
    }

    private static int mostAtOnce(List<long[]> intervals) {
        List<long[]> points = new ArrayList<>();
        for (long[] i : intervals) {
            points.add(new long[] {i[0], 1});
            points.add(new long[] {i[1], -1});
        }
        // Ends before starts at the same instant: a position freed and taken again at once is not two at once.
        points.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
        int now = 0;
        int most = 0;
        for (long[] p : points) {
            now += (int) p[1];
            most = Math.max(most, now);
        }
        return most;
    }

    private static Instant finished(CampaignState s) {
        return s.experiments().values().stream()
                .map(x -> Instant.parse(x.endedAt()))
                .max(Comparator.naturalOrder())
                .orElseThrow();
    }

    @Test
    void twoCampaigns_shareTheDevices_neverOverfillOne_andKeepEveryWindow() {
        List<CampaignSpec> specs = List.of(campaign("alpha", 7, 5), campaign("beta", 8, 0));
        try (org.labloop.store.InMemoryEventLog log = new org.labloop.store.InMemoryEventLog()) {
            List<CampaignState> states = runTogether(log, specs);
            for (CampaignState s : states) {
                assertThat(s.status()).isEqualTo(CampaignStatus.COMPLETED);
                assertThat(s.experiments()).hasSize(24);
                assertThat(EngineSchedulingTest.violations(s, 2)).isZero();
                assertThat(ChainCheck.of(log.readAll(s.id())).intact()).isTrue();
            }
            Map<String, Integer> capacity = new HashMap<>();
            specs.get(0).workcell().devices().forEach(d -> capacity.put(d.name(), d.capacity()));
            Map<String, List<long[]>> steps = byDevice(states);
            for (Map.Entry<String, List<long[]>> e : steps.entrySet()) {
                assertThat(mostAtOnce(e.getValue())).as(e.getKey()).isLessThanOrEqualTo(capacity.get(e.getKey()));
            }
            // They really ran together: both used the one HPLC.
            assertThat(steps.get("hplc")).hasSize(48);
        }
    }

    @Test
    void theCampaignOfHigherPriority_finishesFirst_whicheverItIs() {
        for (int high = 0; high < 2; high++) {
            List<CampaignSpec> specs = List.of(campaign("alpha", 7, high == 0 ? 5 : 0), campaign("beta", 8, high));
            try (org.labloop.store.InMemoryEventLog log = new org.labloop.store.InMemoryEventLog()) {
                List<CampaignState> states = runTogether(log, specs);
                CampaignState first = states.get(high);
                CampaignState other = states.get(1 - high);
                assertThat(finished(first)).as("priority to " + first.id()).isBefore(finished(other));
            }
        }
    }

    @Test
    void oneCampaignPausedImmediately_holdsOnlyItsOwnSteps_theOtherRunsOn_andItResumesLater() {
        List<CampaignSpec> specs = List.of(campaign("alpha", 7, 0), campaign("beta", 8, 5));
        try (org.labloop.store.InMemoryEventLog log = new org.labloop.store.InMemoryEventLog()) {
            List<String> ids = specs.stream().map(s -> SnarLab.create(log, s)).toList();
            List<Engine> engines = new ArrayList<>();
            // When alpha ends, beta (paused from the start) is resumed.
            EngineListener resumeBeta = (e, st) -> {
                if (e.body() instanceof EventBody.CampaignCompleted) {
                    engines.get(1).resume("user:test", "alpha is done");
                }
            };
            try (SharedWorkcell cell = workcell(
                    log, DeviceMemory.inProcess(), specs, ids, List.of(resumeBeta, EngineListener.NONE), engines)) {
                engines.get(1).pause("user:test", "hold beta", true);
                List<CampaignState> end = cell.run("user:test");
                assertThat(end).allSatisfy(st -> {
                    assertThat(st.status()).isEqualTo(CampaignStatus.COMPLETED);
                    assertThat(st.experiments()).hasSize(24);
                });
                // Beta started nothing between its pause and its resume, which came when alpha had finished.
                Instant paused = null;
                Instant resumed = null;
                for (var e : log.readAll(ids.get(1))) {
                    if (e.body() instanceof EventBody.CampaignPaused) {
                        paused = e.at();
                    } else if (e.body() instanceof EventBody.CampaignResumed) {
                        resumed = e.at();
                    } else if (e.body() instanceof EventBody.StepStarted && paused != null && resumed == null) {
                        throw new AssertionError("beta started a step while paused: " + e);
                    }
                }
                assertThat(paused).isNotNull();
                assertThat(resumed).isEqualTo(finished(end.get(0)));
            }
        }
    }

    @Test
    void campaignsOnDifferentWorkcells_cannotShare() {
        CampaignSpec other = SnarLab.spec(
                4,
                2,
                1,
                java.util.Map.of(),
                EngineSchedulingTest.windowed().protocol().steps().get(4),
                2);
        try (org.labloop.store.InMemoryEventLog log = new org.labloop.store.InMemoryEventLog()) {
            List<CampaignSpec> specs = List.of(campaign("alpha", 7, 0), other);
            assertThatThrownBy(() -> runTogether(log, specs))
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining("does not run on the same workcell")
                    .hasMessageContaining("one workcell file");
        }
    }

    @Test
    void resumedTogether_afterAKill_theyMatchAnUninterruptedRun() {
        List<CampaignSpec> specs = List.of(campaign("alpha", 7, 5), campaign("beta", 8, 0));
        List<List<List<String>>> reference = new ArrayList<>();
        try (SqliteEventLog log = SqliteEventLog.open(dir.resolve("reference"))) {
            List<CampaignState> states = runTogether(log, specs);
            for (int i = 0; i < specs.size(); i++) {
                reference.add(Dataset.of(states.get(i), specs.get(i)).cells());
            }
        }
        Path data = dir.resolve("killed");
        List<String> ids;
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory memory = StoredDeviceMemory.open(data)) {
            ids = specs.stream().map(s -> SnarLab.create(log, s)).toList();
            EventLog dying = new CrashRecoveryTest.DyingLog(
                    log, b -> b instanceof EventBody.StepStarted s && s.step() == 4, 13, false);
            try (SharedWorkcell cell = workcell(dying, memory, specs, ids)) {
                assertThatThrownBy(() -> cell.run("user:test")).isInstanceOf(CrashRecoveryTest.Kill.class);
            }
        }
        try (SqliteEventLog log = SqliteEventLog.open(data);
                StoredDeviceMemory memory = StoredDeviceMemory.open(data);
                SharedWorkcell cell = workcell(log, memory, specs, ids)) {
            List<CampaignState> states = cell.run("user:test");
            for (int i = 0; i < specs.size(); i++) {
                assertThat(states.get(i).status()).isEqualTo(CampaignStatus.COMPLETED);
                assertThat(EngineSchedulingTest.violations(states.get(i), 2)).isZero();
                assertThat(Dataset.of(states.get(i), specs.get(i)).cells()).isEqualTo(reference.get(i));
            }
        }
    }
}
