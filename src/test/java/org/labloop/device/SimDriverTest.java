package org.labloop.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.labloop.core.VirtualClock;
import org.labloop.workcell.DeviceKind;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.DriverSpec;
import org.labloop.workcell.StepTiming;

class SimDriverTest {
    private final VirtualClock clock = new VirtualClock(Instant.EPOCH);
    private final DeviceMemory memory = DeviceMemory.inProcess();
    private final List<String> reports = new ArrayList<>();
    private final StepListener listener = new StepListener() {
        @Override
        public void completed(StepRequest request, Map<String, Double> outputs) {
            reports.add("completed " + request.idempotencyKey() + " at " + clock.now());
        }

        @Override
        public void failed(StepRequest request, String reason) {
            reports.add("failed " + request.idempotencyKey() + ": " + reason);
        }
    };

    private Driver driver(int capacity, Map<String, Object> options) {
        return driver(capacity, options, "");
    }

    /** A simulated arm of the campaign {@code scope}. */
    private Driver driver(int capacity, Map<String, Object> options, String scope) {
        DeviceSpec spec = new DeviceSpec(
                "arm",
                DeviceKind.ROBOT_ARM,
                Set.of("transfer"),
                capacity,
                new DriverSpec(
                        "sim",
                        Map.of("transfer", new StepTiming(Duration.ofMinutes(2), Duration.ofSeconds(10))),
                        options));
        return DriverRegistry.standard().create(spec, new DriverContext(clock, 42, Optional.empty(), memory, scope));
    }

    private static StepRequest request(String key) {
        return request(key, 1);
    }

    private static StepRequest request(String key, int position) {
        return new StepRequest(
                key,
                "E0001",
                0,
                "move",
                "transfer",
                Map.of(),
                Map.of(),
                Optional.empty(),
                false,
                Duration.ZERO,
                position);
    }

    private void drain() {
        while (clock.runNext(Duration.ZERO)) {}
    }

    private Driver driverOf(String campaign, Map<String, Object> options) {
        return driver(1, options, campaign);
    }

    @Test
    void aDeviceThatWentOffLine_isStillOffLine_forTheDriverOfAnEngineThatTakesOverAfterACrash() {
        Driver before = driverOf("c-1", Map.of("disconnect_rate", 1.0, "disconnect_min", 20.0));
        before.start(request("c-1/E0001/0/1"), listener);
        Instant until = before.offlineUntil().orElseThrow();
        assertThat(until).isEqualTo(Instant.EPOCH.plus(Duration.ofMinutes(20)));

        clock.schedule(Duration.ofMinutes(5), () -> {});
        drain();
        Driver after = driverOf("c-1", Map.of("disconnect_rate", 1.0, "disconnect_min", 20.0));
        assertThat(after.offlineUntil()).contains(until);
        assertThat(driverOf("c-2", Map.of()).offlineUntil())
                .as("another campaign's twin of the device")
                .isEmpty();

        clock.schedule(Duration.between(clock.now(), until), () -> {});
        drain();
        assertThat(after.offlineUntil()).isEmpty();
    }

    @Test
    void startTwiceWithTheSameKey_doesTheWorkOnce_andAnswersFromMemory() {
        Driver arm = driver(2, Map.of());
        arm.start(request("k1"), listener);
        DeviceMemory.Entry first = memory.get("arm", "k1").orElseThrow();
        arm.start(request("k1"), listener);
        assertThat(arm.busy()).isEqualTo(1);
        drain();
        assertThat(reports).hasSize(1).allMatch(r -> r.startsWith("completed k1"));
        DeviceMemory.Entry done = memory.get("arm", "k1").orElseThrow();
        assertThat(done.startedAt()).isEqualTo(first.startedAt());
        // Asked again after it finished: the stored result is reported, the work is not repeated.
        arm.start(request("k1"), listener);
        drain();
        assertThat(reports).hasSize(2).allMatch(r -> r.startsWith("completed k1"));
        assertThat(memory.get("arm", "k1")).contains(done);
        assertThat(arm.busy()).isZero();
    }

    @Test
    void aRestartedDriver_answersFromTheDevicesMemory_andAdoptsARunningStep() {
        driver(1, Map.of()).start(request("k1"), listener); // this driver's process "dies" with its timer
        Driver restarted = driver(1, Map.of());
        StepStatus status = restarted.query("k1");
        assertThat(status).isInstanceOf(StepStatus.Running.class);
        assertThat(restarted.query("never-sent")).isInstanceOf(StepStatus.Unknown.class);

        VirtualClock fresh = clock; // same time line: the step is due at its planned end
        restarted.adopt(request("k1"), listener);
        while (fresh.runNext(Duration.ZERO)) {}
        assertThat(reports).contains("completed k1 at " + ((StepStatus.Running) status).expectedEnd());
        assertThat(restarted.query("k1")).isInstanceOf(StepStatus.Completed.class);
    }

    @Test
    void aStepsDurationAndFault_dependOnlyOnSeedAndKey_notOnWhatRanBefore() {
        java.util.Set<String> states = new java.util.HashSet<>();
        for (int k = 1; k <= 12; k++) {
            String key = "k" + k;
            DeviceMemory.Entry alone = finished(List.of(), key);
            DeviceMemory.Entry afterOthers = finished(List.of("w0", "w1", "w2", "w3"), key);
            assertThat(afterOthers.due()).as(key).isEqualTo(alone.due());
            assertThat(afterOthers.state()).as(key).isEqualTo(alone.state());
            assertThat(afterOthers.failure()).as(key).isEqualTo(alone.failure());
            states.add(alone.state());
        }
        // With failure_rate 0.5 both outcomes occur among the keys, so the faults were compared, not only the times.
        assertThat(states).hasSizeGreaterThan(1);
    }

    /** Runs {@code before}, then {@code key}, on a fresh faulty arm (seed 42) to the end; returns what it kept of key. */
    private static DeviceMemory.Entry finished(List<String> before, String key) {
        VirtualClock own = new VirtualClock(Instant.EPOCH);
        DeviceMemory ownMemory = DeviceMemory.inProcess();
        DeviceSpec spec = new DeviceSpec(
                "arm",
                DeviceKind.ROBOT_ARM,
                Set.of("transfer"),
                8,
                new DriverSpec(
                        "sim",
                        Map.of("transfer", new StepTiming(Duration.ofMinutes(2), Duration.ofSeconds(10))),
                        Map.of("failure_rate", 0.5)));
        Driver d = DriverRegistry.standard().create(spec, new DriverContext(own, 42, Optional.empty(), ownMemory));
        StepListener quiet = new StepListener() {
            @Override
            public void completed(StepRequest request, Map<String, Double> outputs) {}

            @Override
            public void failed(StepRequest request, String reason) {}
        };
        for (int i = 0; i < before.size(); i++) {
            d.start(request(before.get(i), i + 1), quiet);
        }
        d.start(request(key, before.size() + 1), quiet);
        while (own.runNext(Duration.ZERO)) {}
        return ownMemory.get("arm", key).orElseThrow();
    }

    @Test
    void capacityIsEnforced_andBadOptionsAreRejectedWithTheDeviceName() {
        Driver arm = driver(1, Map.of());
        arm.start(request("a"), listener);
        assertThatThrownBy(() -> arm.start(request("b"), listener))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("arm is full");
        assertThatThrownBy(() -> driver(1, Map.of("speed", 2.0)))
                .hasMessageContaining("device arm")
                .hasMessageContaining("unknown sim driver option 'speed'");
        assertThatThrownBy(() -> driver(1, Map.of("failure_rate", 1.5))).hasMessageContaining("from 0 to 1");
    }

    @Test
    void drawsDependOnTheCampaignsNameAndTheStepsPlace_notOnTheCampaignsNumber() {
        assertThat(SimDriver.placeHash("snar-demo-2/E0001/4/1")).isEqualTo("snar-demo/E0001/4/1".hashCode());
        assertThat(SimDriver.placeHash("snar-demo-17/E0001/4/1")).isEqualTo("snar-demo/E0001/4/1".hashCode());
        assertThat(SimDriver.placeHash("urgent-1/E0001/4/1"))
                .isNotEqualTo(SimDriver.placeHash("background-1/E0001/4/1"));
        assertThat(SimDriver.placeHash("plain")).isEqualTo("plain".hashCode());
        assertThat(SimDriver.placeHash("v2-/E1/0/1")).isEqualTo("v2-/E1/0/1".hashCode());
    }

    @Test
    void aPositionInUse_orBeyondTheDevice_isRefused_andFreedWhenItsStepEnds() {
        Driver block = driver(2, Map.of());
        block.start(request("a", 2), listener);
        assertThatThrownBy(() -> block.start(request("b", 2), listener))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("position 2 of device arm is in use by step a");
        assertThatThrownBy(() -> block.start(request("c", 3), listener))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("device arm has positions 1 to 2");
        block.start(request("d", 1), listener);
        drain();
        block.start(request("b", 2), listener);
        assertThat(block.busy()).isEqualTo(1);
    }

    @Test
    void cancel_stopsTheStep_andTheListenerIsNeverCalled() {
        Driver arm = driver(1, Map.of());
        arm.start(request("c"), listener);
        assertThat(arm.cancel("c")).isTrue();
        drain();
        assertThat(reports).isEmpty();
        assertThat(arm.query("c")).isInstanceOf(StepStatus.Failed.class);
    }
}
