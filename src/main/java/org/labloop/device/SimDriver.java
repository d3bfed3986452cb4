package org.labloop.device;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.labloop.core.LabClock;
import org.labloop.emulator.EmulationException;
import org.labloop.emulator.Emulator;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.StepTiming;

/**
 * A simulated device (digital twin): takes as long as its workcell timing says, with seeded normal jitter, holds at
 * most its capacity, and on a measuring step answers with its emulator. Runs on the engine's clock, so in virtual time
 * it costs nothing to wait.
 *
 * <p>Options ({@code driver.options} in the workcell file): {@code failure_rate} (0..1, default 0), the probability
 * that a step fails; {@code setup_min} (default 0), minutes added to every step (heat-up, priming, homing).
 */
public final class SimDriver implements Driver {
    public static final String TYPE = "sim";
    private static final Set<String> OPTIONS = Set.of("failure_rate", "setup_min");
    /** Default duration of a step whose capability has no timing in the workcell file. */
    static final Duration DEFAULT_DURATION = Duration.ofMinutes(1);

    private final DeviceSpec device;
    private final LabClock clock;
    private final SplittableRandom random;
    private final Emulator emulator;
    private final double failureRate;
    private final Duration setup;
    private final Map<String, LabClock.Cancellable> running = new LinkedHashMap<>();
    private final Map<String, Boolean> seen = new HashMap<>();

    SimDriver(DeviceSpec device, DriverContext context) {
        this.device = device;
        this.clock = context.clock();
        this.random = new SplittableRandom(context.seed() ^ (device.name().hashCode() * 0x9E3779B97F4A7C15L));
        this.emulator = context.emulator().orElse(null);
        for (String key : device.driver().options().keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new DeviceException("device " + device.name() + ": unknown sim driver option '" + key
                        + "'; known options: " + String.join(", ", OPTIONS));
            }
        }
        Object rate = device.driver().options().getOrDefault("failure_rate", 0.0);
        if (!(rate instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1) {
            throw new DeviceException(
                    "device " + device.name() + ": failure_rate must be a number from 0 to 1, got " + rate);
        }
        this.failureRate = ((Number) rate).doubleValue();
        Object setupMin = device.driver().options().getOrDefault("setup_min", 0.0);
        if (!(setupMin instanceof Number m) || !(m.doubleValue() >= 0) || m.doubleValue() > 1e6) {
            throw new DeviceException(
                    "device " + device.name() + ": setup_min must be a number of minutes >= 0, got " + setupMin);
        }
        this.setup = Duration.ofMillis(Math.round(((Number) setupMin).doubleValue() * 60_000));
    }

    @Override
    public String device() {
        return device.name();
    }

    @Override
    public void start(StepRequest request, StepListener listener) {
        if (seen.containsKey(request.idempotencyKey())) {
            return;
        }
        if (!device.can(request.capability())) {
            throw new DeviceException("device " + device.name() + " cannot " + request.capability() + " (experiment "
                    + request.experimentId() + ", step " + request.stepName() + ")");
        }
        if (running.size() >= device.capacity()) {
            throw new DeviceException("device " + device.name() + " is full (" + device.capacity()
                    + " at once); refused experiment " + request.experimentId() + ", step " + request.stepName());
        }
        if (request.measures() && emulator == null) {
            throw new DeviceException("device " + device.name() + " has no emulator to answer measuring step "
                    + request.stepName() + "; give the campaign an emulator");
        }
        seen.put(request.idempotencyKey(), Boolean.TRUE);
        Duration duration = setup.plus(request.duration().orElseGet(() -> sampleDuration(request.capability())));
        boolean fails = failureRate > 0 && random.nextDouble() < failureRate;
        LabClock.Cancellable timer = clock.schedule(duration, () -> finish(request, listener, fails));
        running.put(request.idempotencyKey(), timer);
    }

    private void finish(StepRequest request, StepListener listener, boolean fails) {
        running.remove(request.idempotencyKey());
        if (fails) {
            listener.failed(request, "simulated fault on " + device.name());
            return;
        }
        if (!request.measures()) {
            listener.completed(request, Map.of());
            return;
        }
        Map<String, Double> outputs;
        try {
            outputs = emulator.evaluate(request.parameters(), random);
        } catch (EmulationException e) {
            listener.failed(request, "analysis failed: " + e.getMessage());
            return;
        }
        listener.completed(request, outputs);
    }

    private Duration sampleDuration(String capability) {
        StepTiming timing = device.driver().durations().get(capability);
        if (timing == null) {
            return DEFAULT_DURATION;
        }
        double meanMs = timing.mean().toMillis();
        double sdMs = timing.sd().toMillis();
        double ms = sdMs == 0 ? meanMs : meanMs + sdMs * gaussian();
        return Duration.ofMillis(Math.max(0, Math.round(ms)));
    }

    private double gaussian() {
        // Box-Muller on our own stream keeps draws identical across JDK versions.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    @Override
    public boolean cancel(String idempotencyKey) {
        LabClock.Cancellable timer = running.remove(idempotencyKey);
        return timer != null && timer.cancel();
    }

    @Override
    public int busy() {
        return running.size();
    }
}
