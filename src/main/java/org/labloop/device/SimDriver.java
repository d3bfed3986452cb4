package org.labloop.device;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.labloop.core.LabClock;
import org.labloop.emulator.EmulationException;
import org.labloop.emulator.Emulator;
import org.labloop.workcell.DeviceSpec;
import org.labloop.workcell.StepTiming;

/**
 * A simulated device (digital twin): takes as long as its workcell timing says, with seeded normal jitter, holds at
 * most its capacity, one step per position (a step asking for a position that is in use is refused, as a real block
 * would refuse a second vial in an occupied well), and on a measuring step answers with its emulator. Runs on the engine's clock, so in virtual time
 * it costs nothing to wait.
 *
 * <p>Each step draws its duration, fault and noise from a random stream keyed by the campaign seed and the step's
 * place in its campaign (the campaign's name, experiment, step, attempt), so a step's outcome does not depend on what
 * ran before it, a run interrupted and resumed gets the same numbers as one that was not, and the same files and seed
 * give the same run again in the same store. The device remembers its steps in {@link DeviceMemory}, as a real instrument
 * keeps its run list, and answers {@link #query} from it after an engine restart.
 *
 * <p>Options ({@code driver.options} in the workcell file), each a fault to inject or a timing:
 *
 * <ul>
 *   <li>{@code failure_rate} (0..1, default 0): a step fails at its end;
 *   <li>{@code disconnect_rate} (0..1, default 0): at a step's start the device drops off line for
 *       {@code disconnect_min} minutes (default 20): that step and every step sent meanwhile fail at once;
 *   <li>{@code hang_rate} (0..1, default 0): the device never answers (until {@code hang_min}, default 240, later):
 *       only a step timeout in the protocol catches it;
 *   <li>{@code implausible_rate} (0..1, default 0): a measuring step reports a reading that is not a number;
 *   <li>{@code setup_min} (default 0): minutes added to every step (heat-up, priming, homing).
 * </ul>
 */
public final class SimDriver implements Driver {
    public static final String TYPE = "sim";
    private static final Set<String> OPTIONS = Set.of(
            "failure_rate",
            "disconnect_rate",
            "disconnect_min",
            "hang_rate",
            "hang_min",
            "implausible_rate",
            "setup_min");
    /** Default duration of a step whose capability has no timing in the workcell file. */
    static final Duration DEFAULT_DURATION = Duration.ofMinutes(1);

    private final DeviceSpec device;
    private final LabClock clock;
    private final long seed;
    private final Emulator emulator;
    private final DeviceMemory memory;
    private final double failureRate;
    private final double disconnectRate;
    private final Duration disconnectFor;
    private final double hangRate;
    private final Duration hangFor;
    private final double implausibleRate;
    private final Duration setup;
    private Instant offlineUntil;
    /**
     * Where the device remembers until when it is off line, so that an engine taking over after a crash finds it still
     * off line: a key no step has (theirs are campaign/experiment/step/attempt).
     */
    private final String offlineKey;

    private final Map<String, LabClock.Cancellable> running = new HashMap<>();
    /** The state of the memory entry that says the device is off line until its due time. */
    private static final String OFFLINE = "offline";
    /** The step (idempotency key) in each position in use. */
    private final Map<Integer, String> positions = new HashMap<>();

    SimDriver(DeviceSpec device, DriverContext context) {
        this.device = device;
        this.clock = context.clock();
        this.seed = context.seed();
        this.emulator = context.emulator().orElse(null);
        this.memory = context.memory();
        this.offlineKey = context.scope().isEmpty() ? "offline" : context.scope() + "/offline";
        this.offlineUntil = memory.get(device.name(), offlineKey)
                .map(DeviceMemory.Entry::due)
                .orElse(Instant.MIN);
        List<DriverOptionException.Problem> problems = new ArrayList<>();
        List<String> known = OPTIONS.stream().sorted().toList();
        for (String key : device.driver().options().keySet()) {
            if (!OPTIONS.contains(key)) {
                problems.add(new DriverOptionException.Problem(
                        key,
                        "unknown sim driver option '" + key + "'; known options: " + String.join(", ", known),
                        known));
            }
        }
        this.failureRate = rate("failure_rate", problems);
        this.disconnectRate = rate("disconnect_rate", problems);
        this.hangRate = rate("hang_rate", problems);
        this.implausibleRate = rate("implausible_rate", problems);
        this.setup = minutes("setup_min", 0, problems);
        this.disconnectFor = minutes("disconnect_min", 20, problems);
        this.hangFor = minutes("hang_min", 240, problems);
        if (!problems.isEmpty()) {
            throw new DriverOptionException(device.name(), problems);
        }
    }

    /** An option's value as a message shows it; an empty one said to be empty rather than shown as nothing. */
    private static String given(Object v) {
        if (v == null || v.toString().isBlank()) {
            return "nothing (the value is empty)";
        }
        // A whole number as it was written: the file's 2 is read as 2.0.
        return v instanceof Number n
                        && n.doubleValue() == Math.rint(n.doubleValue())
                        && Math.abs(n.doubleValue()) < 1e15
                ? Long.toString((long) n.doubleValue())
                : "'" + v + "'";
    }

    private double rate(String option, List<DriverOptionException.Problem> problems) {
        Object v = device.driver().options().getOrDefault(option, 0.0);
        if (!(v instanceof Number n) || !(n.doubleValue() >= 0) || n.doubleValue() > 1) {
            problems.add(new DriverOptionException.Problem(
                    option, option + " must be a number from 0 to 1, got " + given(v), List.of()));
            return 0;
        }
        return n.doubleValue();
    }

    private Duration minutes(String option, double defaultMinutes, List<DriverOptionException.Problem> problems) {
        Object v = device.driver().options().getOrDefault(option, defaultMinutes);
        if (!(v instanceof Number m) || !(m.doubleValue() >= 0) || m.doubleValue() > 1e6) {
            problems.add(new DriverOptionException.Problem(
                    option, option + " must be a number of minutes from 0 to 1000000, got " + given(v), List.of()));
            return Duration.ZERO;
        }
        return Duration.ofMillis(Math.round(m.doubleValue() * 60_000));
    }

    @Override
    public String device() {
        return device.name();
    }

    @Override
    public void start(StepRequest request, StepListener listener) {
        var known = memory.get(device.name(), request.idempotencyKey());
        if (known.isPresent()) {
            // Asked twice for one key: the work is not done again; the caller hears how it went (or will go).
            DeviceMemory.Entry e = known.get();
            if (DeviceMemory.Entry.RUNNING.equals(e.state())) {
                adopt(request, listener);
            } else if (DeviceMemory.Entry.COMPLETED.equals(e.state())) {
                clock.execute(() -> listener.completed(request, e.outputs()));
            } else {
                clock.execute(() -> listener.failed(request, e.failure()));
            }
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
        if (request.position() > device.capacity()) {
            throw new DeviceException("device " + device.name() + " has positions 1 to " + device.capacity()
                    + "; refused experiment " + request.experimentId() + ", step " + request.stepName()
                    + " in position " + request.position());
        }
        if (positions.containsKey(request.position())) {
            throw new DeviceException("position " + request.position() + " of device " + device.name()
                    + " is in use by step " + positions.get(request.position()) + "; refused experiment "
                    + request.experimentId() + ", step " + request.stepName());
        }
        if (request.measures() && emulator == null) {
            throw new DeviceException("device " + device.name() + " has no emulator to answer measuring step "
                    + request.stepName() + "; give the campaign an emulator");
        }
        Plan plan = plan(request);
        Instant now = clock.now();
        if (plan.disconnects) {
            offlineUntil = now.plus(disconnectFor);
            memory.put(
                    device.name(),
                    offlineKey,
                    new DeviceMemory.Entry(now, offlineUntil, OFFLINE, Map.of(), "disconnected"));
        }
        Duration takes = plan.hangs ? hangFor : plan.duration.plus(request.changeover());
        if (now.isBefore(offlineUntil)) {
            takes = Duration.ZERO; // an off-line device refuses at once
        }
        memory.put(
                device.name(),
                request.idempotencyKey(),
                new DeviceMemory.Entry(now, now.plus(takes), DeviceMemory.Entry.RUNNING, Map.of(), null));
        boolean offline = now.isBefore(offlineUntil);
        positions.put(request.position(), request.idempotencyKey());
        running.put(request.idempotencyKey(), clock.schedule(takes, () -> finish(request, listener, offline)));
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
        positions.put(request.position(), request.idempotencyKey());
        running.put(
                request.idempotencyKey(),
                clock.schedule(left.isNegative() ? Duration.ZERO : left, () -> finish(request, listener, false)));
    }

    private void finish(StepRequest request, StepListener listener, boolean offline) {
        running.remove(request.idempotencyKey());
        positions.remove(request.position(), request.idempotencyKey());
        DeviceMemory.Entry started = memory.get(device.name(), request.idempotencyKey())
                .orElseThrow(() -> new DeviceException(
                        "device " + device.name() + " lost its memory of step " + request.idempotencyKey()));
        Plan plan = plan(request);
        String failure = null;
        Map<String, Double> outputs = Map.of();
        if (offline) {
            failure = "device " + device.name() + " is disconnected (off line until " + offlineUntil + ")";
        } else if (plan.fails) {
            failure = "simulated fault on " + device.name();
        } else if (request.measures()) {
            try {
                outputs = emulator.evaluate(request.parameters(), plan.random);
            } catch (EmulationException e) {
                failure = "analysis failed: " + e.getMessage();
            }
            if (failure == null && plan.implausible) {
                Map<String, Double> garbled = new java.util.TreeMap<>(outputs);
                garbled.replaceAll((k, v) -> Double.NaN);
                outputs = garbled;
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
        // The key (campaign id/experiment/step/attempt) with the campaign's name in place of its id ("snar-demo" for
        // "snar-demo-2"): the same files and seed run again in the same store draw the same durations, faults and
        // noise, while campaigns of different names sharing a workcell and a seed do not draw alike.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L
                ^ mix(placeHash(request.idempotencyKey()))
                ^ mix(device.name().hashCode() + 0x632BE59BD9B4E019L));
        Duration d = setup.plus(request.duration().orElseGet(() -> sampleDuration(request.capability(), random)));
        // Always draw every fault, so one option's value does not shift the others' draws.
        boolean fails = random.nextDouble() < failureRate;
        boolean disconnects = random.nextDouble() < disconnectRate;
        boolean hangs = random.nextDouble() < hangRate;
        boolean implausible = random.nextDouble() < implausibleRate;
        return new Plan(d, fails, disconnects, hangs, implausible, random);
    }

    /** The hash of the key with its campaign id's trailing "-N" taken out, computed without building the string. */
    static int placeHash(String key) {
        int slash = key.indexOf('/');
        int end = slash < 0 ? key.length() : slash;
        int i = end;
        while (i > 0 && Character.isDigit(key.charAt(i - 1))) {
            i--;
        }
        int nameEnd = i < end && i > 1 && key.charAt(i - 1) == '-' ? i - 1 : end;
        int h = 0;
        for (int k = 0; k < nameEnd; k++) {
            h = 31 * h + key.charAt(k);
        }
        for (int k = end; k < key.length(); k++) {
            h = 31 * h + key.charAt(k);
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record Plan(
            Duration duration,
            boolean fails,
            boolean disconnects,
            boolean hangs,
            boolean implausible,
            SplittableRandom random) {}

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
        positions.values().remove(idempotencyKey);
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
    public Optional<Instant> offlineUntil() {
        return clock.now().isBefore(offlineUntil) ? Optional.of(offlineUntil) : Optional.empty();
    }

    @Override
    public int busy() {
        return running.size();
    }
}
