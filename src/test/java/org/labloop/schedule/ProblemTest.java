package org.labloop.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.labloop.schedule.Fixtures.MIN;
import static org.labloop.schedule.Fixtures.device;
import static org.labloop.schedule.Fixtures.job;
import static org.labloop.schedule.Fixtures.op;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProblemTest {
    @Test
    void headTailBound_addsTheWaitBeforeAndTheWorkAfterTheBottleneck() {
        // Three experiments: prepare 10 min (three preparers), analyse 12 min (one HPLC), pack 5 min (three packers).
        // The HPLC cannot start before 10 min, has 36 min of work, and the last sample still needs 5 min after it:
        // 51 min, which the obvious schedule reaches. The plain bound only sees the HPLC's 36 min.
        Problem p = new Problem(
                "p",
                List.of(device("prep", "prepare", 3), device("hplc", "analyse", 1), device("pack", "pack", 3)),
                List.of(
                        job("A", op("prepare", 10), op("analyse", 12), op("pack", 5)),
                        job("B", op("prepare", 10), op("analyse", 12), op("pack", 5)),
                        job("C", op("prepare", 10), op("analyse", 12), op("pack", 5))));
        assertThat(p.lowerBound()).isEqualTo(36 * MIN);
        assertThat(p.headTailBound()).isEqualTo(51 * MIN);
        assertThat(new Simulator(p, 1).run(new HeuristicScheduler(p.devices())).makespanMs())
                .isEqualTo(51 * MIN);
    }

    @Test
    void headTailBound_onParallelPositions_sharesTheHeadsAndTailsAmongThem() {
        // Four 10-min analyses on a 2-position analyser, each after a 6-min preparation (four preparers) and before
        // a 4-min pack (four packers): 2 * makespan >= (6 + 6) + 40 + (4 + 4), so at least 30 min, which is reached.
        Problem p = new Problem(
                "p",
                List.of(device("prep", "prepare", 4), device("hplc", "analyse", 2), device("pack", "pack", 4)),
                List.of(
                        job("A", op("prepare", 6), op("analyse", 10), op("pack", 4)),
                        job("B", op("prepare", 6), op("analyse", 10), op("pack", 4)),
                        job("C", op("prepare", 6), op("analyse", 10), op("pack", 4)),
                        job("D", op("prepare", 6), op("analyse", 10), op("pack", 4))));
        assertThat(p.headTailBound()).isEqualTo(30 * MIN);
        assertThat(new Simulator(p, 1).run(new HeuristicScheduler(p.devices())).makespanMs())
                .isEqualTo(30 * MIN);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void headTailBound_neverExceedsAFeasibleSchedule_andNeverFallsBelowThePlainBound(long seed) {
        Problem p = exactRandom(seed);
        long bound = p.headTailBound();
        assertThat(bound).isGreaterThanOrEqualTo(p.lowerBound());
        for (Scheduler s : List.of(new HeuristicScheduler(p.devices()), new FirstComeScheduler(p.devices(), false))) {
            Simulator.Result r = new Simulator(p, seed).run(s);
            assertThat(r.unfinished()).isZero();
            assertThat(r.makespanMs()).as("%s on seed %d", r.scheduler(), seed).isGreaterThanOrEqualTo(bound);
        }
    }

    /** Random workcells and experiments with exact durations, so that any schedule is a real upper bound. */
    private static Problem exactRandom(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] caps = {"dispense", "transfer", "react", "analyse"};
        List<Device> devices = new ArrayList<>();
        for (String c : caps) {
            int n = 1 + r.nextInt(2);
            for (int i = 0; i < n; i++) {
                devices.add(new Device(c + "-" + i, Set.of(c), 1 + r.nextInt(3)));
            }
        }
        List<Job> jobs = new ArrayList<>();
        int n = 3 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
            List<Op> ops = new ArrayList<>();
            ops.add(op("dispense", 1 + r.nextInt(5)));
            ops.add(op("transfer", 1));
            ops.add(op("react", 5 + r.nextInt(50)));
            ops.add(op("transfer", 1));
            Op analyse = op("analyse", 3 + r.nextInt(12));
            if (r.nextBoolean()) {
                analyse = analyse.withWindow(Window.within(2, (5 + r.nextInt(10)) * MIN));
            }
            ops.add(analyse);
            jobs.add(new Job("J" + i, "c", 0, r.nextInt(4) == 0 ? r.nextInt(30) * MIN : 0, ops));
        }
        return new Problem("exact-" + seed, devices, jobs);
    }
}
