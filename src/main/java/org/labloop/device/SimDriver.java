package org.labloop.device;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * <p>Each step draws its duration, fault and noise from a random stream keyed by the campaign seed and the step's
 * idempotency key, so a step's outcome does not depend on what ran before it, and a run interrupted and resumed gets
 * the same numbers as one that was not. The device remembers its steps in {@link DeviceMemory}, as a real instrument
 * keeps its run list, and answers {@link #query} from it after an engine restart.
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
    private final long seed;
    private final Emulator emulator;
    private final DeviceMemory memory;
    private final double failureRate;
    private final Duration setup;
    private final Map<String, LabClock.Cancellable> running = new HashMap<>();

    SimDriver(DeviceSpec device, DriverContext context) {
        this.device = device;
        this.clock = context.clock();
        this.seed = context.seed();
        this.emulator = context.emulator().orElse(null);
        this.memory = context.memory();
        for (String key : device.driver().options().keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new DeviceException(
                        "device " + device.name() + ": unknown sim driver option '" + key + "'; known options: "
                                + String.join(", ", OPTIONS.stream().sorted().toList()));
            }
        }
        Object rate = device.driver().options().getOrDefault("failure_rate", 0.0);
        if (!(rate instanceof Number n) || !(n.doubleValue() >= 0) || n.doubleValue() > 1) {
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
        if (memory.get(device.name(), request.idempotencyKey()).isPresent()) {
            return; // asked twice: the work was already started once
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
        Plan plan = plan(request);
        Instant now = clock.now();
        memory.put(
                device.name(),
                request.idempotencyKey(),
                new DeviceMemory.Entry(now, now.plus(plan.duration), DeviceMemory.Entry.RUNNING, Map.of(), null));
        running.put(request.idempotencyKey(), clock.schedule(plan.duration, () -> finish(request, listener)));
    }

    @Override
    public StepStatus query(String idempotencyKey) {
        var entry = memory.get(device.name(), idempotencyKey);
        if (entry.isEmpty()) {
            return new StepStatus.Unknown();
        }
        DeviceMemory.Entry e = entry.get();
        return switch (e.state()) {
            case DeviceMemory.Entry.COMPLETED -> new StepStatus.Completed(e.due(), e.outputs());
            case DeviceMemory.Entry.FAILED -> new StepStatus.Failed(e.due(), e.failure());
            default -> new StepStatus.Running(e.due());
        };
    }

    @Override
    public void adopt(StepRequest request, StepListener listener) {
        var entry = memory.get(device.name(), request.idempotencyKey());
        if (entry.isEmpty() || !DeviceMemory.Entry.RUNNING.equals(entry.get().state())) {
            throw new DeviceException("device " + device.name() + " is not running step " + request.idempotencyKey());
        }
        if (running.containsKey(request.idempotencyKey())) {
            return;
        }
        Duration left = Duration.between(clock.now(), entry.get().due());
        running.put(
                request.idempotencyKey(),
                clock.schedule(left.isNegative() ? Duration.ZERO : left, () -> finish(request, listener)));
    }

    private void finish(StepRequest request, StepListener listener) {
        running.remove(request.idempotencyKey());
        DeviceMemory.Entry started = memory.get(device.name(), request.idempotencyKey())
                .orElseThrow(() -> new DeviceException(
                        "device " + device.name() + " lost its memory of step " + request.idempotencyKey()));
        Plan plan = plan(request);
        String failure = null;
        Map<String, Double> outputs = Map.of();
        if (plan.fails) {
            failure = "simulated fault on " + device.name();
        } else if (request.measures()) {
            try {
                outputs = emulator.evaluate(request.parameters(), plan.random);
            } catch (EmulationException e) {
                failure = "analysis failed: " + e.getMessage();
            }
        }
        memory.put(
                device.name(),
                request.idempotencyKey(),
                new DeviceMemory.Entry(
                        started.startedAt(),
                        started.due(),
                        failure == null ? DeviceMemory.Entry.COMPLETED : DeviceMemory.Entry.FAILED,
                        outputs,
                        failure));
        if (failure != null) {
            listener.failed(request, failure);
        } else {
            listener.completed(request, outputs);
        }
    }

    /** The step's duration and fault, drawn from its own stream; the stream goes on to the emulator's noise. */
    private Plan plan(StepRequest request) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L
                ^ mix(request.idempotencyKey().hashCode())
                ^ mix(device.name().hashCode() + 0x632BE59BD9B4E019L));
        Duration d = setup.plus(request.duration().orElseGet(() -> sampleDuration(request.capability(), random)));
        boolean fails = failureRate > 0 && random.nextDouble() < failureRate;
        return new Plan(d, fails, random);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record Plan(Duration duration, boolean fails, SplittableRandom random) {}

    private Duration sampleDuration(String capability, SplittableRandom random) {
        StepTiming timing = device.driver().durations().get(capability);
        if (timing == null) {
            return DEFAULT_DURATION;
        }
        double meanMs = timing.mean().toMillis();
        double sdMs = timing.sd().toMillis();
        double ms = sdMs == 0 ? meanMs : meanMs + sdMs * gaussian(random);
        return Duration.ofMillis(Math.max(0, Math.round(ms)));
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller on our own stream keeps draws identical across JDK versions.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    @Override
    public boolean cancel(String idempotencyKey) {
        LabClock.Cancellable timer = running.remove(idempotencyKey);
        if (timer == null || !timer.cancel()) {
            return false;
        }
        memory.get(device.name(), idempotencyKey)
                .ifPresent(e -> memory.put(
                        device.name(),
                        idempotencyKey,
                        new DeviceMemory.Entry(
                                e.startedAt(), clock.now(), DeviceMemory.Entry.FAILED, Map.of(), "cancelled")));
        return true;
    }

    @Override
    public int busy() {
        return running.size();
    }
}
