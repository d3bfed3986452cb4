package org.labloop.device;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.labloop.workcell.DeviceSpec;

/**
 * A driver plug-in as a lab would write one for a real instrument, found through META-INF/services: it runs on the wall
 * clock, does each step in a few milliseconds on a thread of its own, and hands every end to the engine through its
 * clock. Analysers answer from the campaign's emulator, as an instrument would measure.
 */
public final class QuickRobotDriverProvider implements DriverProvider {
    public static final String TYPE = "test-quick-robot";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Driver create(DeviceSpec device, DriverContext context) {
        return new QuickRobot(device, context);
    }

    private static final class QuickRobot implements Driver {
        private static final ScheduledExecutorService WORKER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quick-robot");
            t.setDaemon(true);
            return t;
        });

        private final DeviceSpec device;
        private final DriverContext context;
        private final Map<String, StepStatus> steps = new ConcurrentHashMap<>();

        QuickRobot(DeviceSpec device, DriverContext context) {
            this.device = device;
            this.context = context;
        }

        @Override
        public String device() {
            return device.name();
        }

        @Override
        public void start(StepRequest request, StepListener listener) {
            if (steps.putIfAbsent(
                            request.idempotencyKey(),
                            new StepStatus.Running(context.clock().now()))
                    != null) {
                return;
            }
            WORKER.schedule(() -> context.clock().execute(() -> finish(request, listener)), 5, TimeUnit.MILLISECONDS);
        }

        private void finish(StepRequest request, StepListener listener) {
            Map<String, Double> outputs =
                    request.measures() && context.emulator().isPresent()
                            ? context.emulator().get().evaluate(request.parameters(), new java.util.SplittableRandom(1))
                            : Map.of();
            Instant now = context.clock().now();
            steps.put(request.idempotencyKey(), new StepStatus.Completed(now, outputs));
            listener.completed(request, outputs);
        }

        @Override
        public StepStatus query(String idempotencyKey) {
            return steps.getOrDefault(idempotencyKey, new StepStatus.Unknown());
        }

        @Override
        public void adopt(StepRequest request, StepListener listener) {
            start(request, listener);
        }

        @Override
        public boolean cancel(String idempotencyKey) {
            return false;
        }

        @Override
        public int busy() {
            return (int) steps.values().stream()
                    .filter(s -> s instanceof StepStatus.Running)
                    .count();
        }

        @Override
        public Optional<Instant> offlineUntil() {
            return Optional.empty();
        }
    }
}
