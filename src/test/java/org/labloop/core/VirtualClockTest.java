package org.labloop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualClockTest {
    private final VirtualClock clock = new VirtualClock(Instant.EPOCH);

    @Test
    void runNext_jumpsToEarliestTimer_andAdvancesTime() {
        List<String> order = new ArrayList<>();
        clock.schedule(Duration.ofMinutes(10), () -> order.add("ten"));
        clock.schedule(Duration.ofMinutes(2), () -> order.add("two"));

        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        assertThat(order).containsExactly("two");
        assertThat(clock.now()).isEqualTo(Instant.EPOCH.plus(Duration.ofMinutes(2)));

        assertThat(clock.runNext(Duration.ZERO)).isTrue();
        assertThat(clock.now()).isEqualTo(Instant.EPOCH.plus(Duration.ofMinutes(10)));
        assertThat(clock.runNext(Duration.ZERO)).isFalse();
    }

    @Test
    void timersDueAtTheSameInstant_runInSchedulingOrder() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            clock.schedule(Duration.ofSeconds(30), () -> order.add(n));
        }
        while (clock.runNext(Duration.ZERO)) {}
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void cancelledTimer_neverRuns_andCancelReportsIt() {
        List<String> ran = new ArrayList<>();
        LabClock.Cancellable c = clock.schedule(Duration.ofSeconds(1), () -> ran.add("x"));
        assertThat(c.cancel()).isTrue();
        assertThat(c.cancel()).isFalse();
        assertThat(clock.runNext(Duration.ZERO)).isFalse();
        assertThat(ran).isEmpty();
        assertThat(clock.now()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void executedActions_runBeforeTimers_withoutMovingTime() {
        List<String> order = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(1), () -> order.add("timer"));
        clock.execute(() -> order.add("now"));
        clock.runNext(Duration.ZERO);
        assertThat(order).containsExactly("now");
        assertThat(clock.now()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void negativeDelay_isRejected() {
        assertThatThrownBy(() -> clock.schedule(Duration.ofSeconds(-1), () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
    }
}
